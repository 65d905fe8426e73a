// Step (verify): the dashboard listens on the address the mode needs, and the service's process owns it.
// Reads with lsof, then ss, then /proc/net/tcp. On a no-op run the facts already hold the answer.
import { stepError } from '../errors.js';
import { bindFitsMode, parsePortScriptOutput, renderPortScript, type Listener } from '../probe/port.js';
import type { Converge, Step } from './context.js';

async function pollListeners(c: Converge, bind: string): Promise<Listener[]> {
  let listeners: Listener[] = [];
  const deadline = Date.now() + 30_000;
  do {
    const r = await c.remote.exec('sh -s', { stdin: renderPortScript(c.opts.port) });
    listeners = parsePortScriptOutput(r.stdout, c.opts.port);
    if (bindFitsMode(listeners, { bind }).ok && (!c.service.pid || listeners.some((l) => l.pid === c.service.pid || l.pid === undefined))) return listeners;
    await new Promise((res) => setTimeout(res, 250));
  } while (Date.now() < deadline);
  return listeners;
}

export function checkOwner(listeners: Listener[], pid: number | undefined, port: number): void {
  if (!pid) return;
  const withPid = listeners.filter((l) => l.pid !== undefined);
  if (withPid.length === 0 || withPid.some((l) => l.pid === pid)) return;
  throw stepError('E_PORT_OWNER', `port ${port} is held by pid ${withPid.map((l) => l.pid).join(', ')}, not by the service (pid ${pid})`,
    'another dashboard holds the port; rerun (strays are stopped) or stop it by hand');
}

export const portStep: Step<Listener[], never> = {
  id: 'port',
  title: 'Check the port',
  skip: (c) => (c.opts.dryRun ? 'dry run: nothing was started' : undefined),
  async read(c) {
    const bind = c.decision!.bind;
    const fresh = c.service.restarted || c.changed.unit;
    const listeners = fresh ? await pollListeners(c, bind) : c.facts.listeners;
    const fit = bindFitsMode(listeners, { bind });
    if (!fit.ok) {
      throw stepError('E_PORT_NOT_LISTENING', `the dashboard is not listening as ${c.decision!.mode} mode needs: ${fit.detail}`,
        c.facts.os === 'Darwin' ? 'see ~/.hermes/logs/dashboard.error.log' : 'see: journalctl --user -u hermes-dashboard.service -n 50');
    }
    checkOwner(listeners, c.service.pid, c.opts.port);
    return listeners;
  },
  plan: () => undefined,
  describe: () => '',
  apply: async () => undefined,
  okDetail: (l) => bindFitsMode(l, { bind: l[0]?.address ?? '' }).detail.replace(/^listening/, 'listening') + ` (${l[0]?.source ?? ''})`,
};
