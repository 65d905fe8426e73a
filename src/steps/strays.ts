// Step: free the port. Stray `hermes dashboard`/`serve` processes holding it are stopped by PID (each listed);
// a foreign process is never touched: the step fails and names it. The service's other instances (launchd: the
// label in another domain, issue 13) are not strays: KeepAlive would restart them; the service step removes them.
import { remoteCommandError, stepError } from '../errors.js';
import type { Listener } from '../probe/port.js';
import { readServiceView } from '../service/service-manager.js';
import type { ChangeStep } from './step.js';

export interface Holder {
  pid?: number;
  command: string;
  address: string;
}
export interface StraysObserved {
  holders: Holder[];
  ownPid?: number;
  /** The service's other instances, by pid, as the adapter names them. */
  instances?: Array<{ pid: number; what: string }>;
}

const DASHBOARD_RE = /(^|[\s/])hermes(?:_cli\.main)?\s+(?:--profile\s+\S+\s+)?(dashboard|serve)\b/;

export function isHermesDashboard(cmdline: string): boolean {
  return DASHBOARD_RE.test(cmdline);
}

export function readHolders(listeners: Listener[]): Holder[] {
  return listeners.map((l) => ({ ...(l.pid ? { pid: l.pid } : {}), command: l.command ?? '', address: l.address }));
}

/** Pure: the strays to stop; throws when a foreign process holds the port. */
export function planStrays(o: StraysObserved, port: number): Holder[] | undefined {
  const ours = (h: Holder) =>
    h.pid !== undefined && (h.pid === o.ownPid || (o.instances ?? []).some((x) => x.pid === h.pid));
  const others = o.holders.filter((h) => !ours(h));
  const foreign = others.filter((h) => !isHermesDashboard(h.command));
  if (foreign.length) {
    const who = foreign
      .map((h) =>
        h.pid ? `pid ${h.pid} (${h.command.slice(0, 80) || 'unknown'})` : `a process of another user on ${h.address}`,
      )
      .join(', ');
    throw stepError(
      'E_PORT_FOREIGN',
      `port ${port} is held by ${who}, which is not a Hermes dashboard`,
      'stop it, or choose another port with --port',
    );
  }
  const kill = others.filter((h) => h.pid !== undefined);
  return kill.length ? kill : undefined;
}

export const straysStep: ChangeStep<StraysObserved, Holder[]> = {
  kind: 'change',
  id: 'strays',
  title: 'Free the dashboard port',
  async read(_io, i) {
    const v = await readServiceView(i.facts, i.state);
    const instances = (v?.duplicates ?? []).flatMap((d) => (d.pid ? [{ pid: d.pid, what: d.what }] : []));
    return {
      holders: readHolders(i.facts.listeners),
      ...(v?.pid ? { ownPid: v.pid } : {}),
      ...(instances.length ? { instances } : {}),
    };
  },
  plan(o, i) {
    const kill = planStrays(o, i.opts.port);
    const held = (o.instances ?? []).filter((x) => o.holders.some((h) => h.pid === x.pid));
    return {
      ...(kill ? { actions: kill } : {}),
      okDetail: held.length
        ? `port ${i.opts.port} is held by the service's other instance ${held.map((x) => x.what).join(', ')}: the service step removes it`
        : `port ${i.opts.port} is free or held by the service`,
      describe: `stop ${(kill ?? []).map((h) => `pid ${h.pid} (${h.command.slice(0, 60)})`).join(', ')}`,
    };
  },
  async apply({ remote }, kill) {
    const pids = kill.map((h) => String(h.pid)).join(' ');
    const r = await remote.exec(
      `kill -TERM ${pids} 2>/dev/null; for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do alive=; for p in ${pids}; do kill -0 $p 2>/dev/null && alive=1; done; [ -z "$alive" ] && exit 0; sleep 0.2; done; kill -KILL ${pids} 2>/dev/null; exit 0`,
    );
    if (r.code !== 0)
      throw remoteCommandError(
        'E_STRAY_KILL',
        `stopping pid ${pids}`,
        r,
        'stop them by hand (hermes dashboard --stop)',
      );
  },
};
