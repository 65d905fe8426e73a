// Step: free the port. Stray `hermes dashboard`/`serve` processes holding it are stopped by PID (each listed);
// a foreign process is never touched: the step fails and names it.
import { stepError } from '../errors.js';
import type { Listener } from '../probe/port.js';
import type { Converge, Step } from './context.js';

export interface Holder { pid?: number; command: string; address: string }
export interface StrayPlan { kill: Holder[] }

const DASHBOARD_RE = /(^|[\s/])hermes(?:_cli\.main)?\s+(?:--profile\s+\S+\s+)?(dashboard|serve)\b/;

export function isHermesDashboard(cmdline: string): boolean {
  return DASHBOARD_RE.test(cmdline);
}

export function servicePid(c: Converge): number | undefined {
  const sd = c.facts.systemdUser?.mainPid || c.facts.systemdSystem?.mainPid;
  if (sd) return sd;
  const l = c.facts.launchd;
  return l?.gui.pid ?? l?.user.pid ?? l?.system.pid;
}

export function readHolders(listeners: Listener[]): Holder[] {
  return listeners.map((l) => ({ ...(l.pid ? { pid: l.pid } : {}), command: l.command ?? '', address: l.address }));
}

export function planStrays(holders: Holder[], ownPid: number | undefined, port: number): StrayPlan | undefined {
  const others = holders.filter((h) => h.pid === undefined || h.pid !== ownPid);
  const foreign = others.filter((h) => !isHermesDashboard(h.command));
  if (foreign.length) {
    const who = foreign.map((h) => (h.pid ? `pid ${h.pid} (${h.command.slice(0, 80) || 'unknown'})` : `a process of another user on ${h.address}`)).join(', ');
    throw stepError('E_PORT_FOREIGN', `port ${port} is held by ${who}, which is not a Hermes dashboard`,
      `stop it, or choose another port with --port`);
  }
  const kill = others.filter((h) => h.pid !== undefined);
  return kill.length ? { kill } : undefined;
}

export const straysStep: Step<Holder[], StrayPlan> = {
  id: 'strays',
  title: 'Free the dashboard port',
  read: (c) => readHolders(c.facts.listeners),
  plan: (holders, c) => planStrays(holders, servicePid(c), c.opts.port),
  describe: (p) => `stop ${p.kill.map((h) => `pid ${h.pid} (${h.command.slice(0, 60)})`).join(', ')}`,
  async apply(c, p) {
    const pids = p.kill.map((h) => String(h.pid)).join(' ');
    const r = await c.remote.exec(`kill -TERM ${pids} 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do alive=; for p in ${pids}; do kill -0 $p 2>/dev/null && alive=1; done; [ -z "$alive" ] && exit 0; sleep 0.2; done; kill -KILL ${pids} 2>/dev/null; exit 0`);
    if (r.code !== 0) throw stepError('E_STRAY_KILL', `could not stop pid ${pids}: ${r.stderr.trim()}`, 'stop them by hand (hermes dashboard --stop)');
  },
  okDetail: (_h, c) => `port ${c.opts.port} is free or held by the service`,
};
