// Check: the dashboard listens on the address the mode needs, and the service's process owns it. Reads with
// lsof, then ss, then /proc/net/tcp. When nothing was (re)started this run, the facts already hold the answer.
import type { ConvergeInputs } from '../converge/inputs.js';
import { stepError } from '../errors.js';
import { bindFitsMode, parsePortScriptOutput, renderPortScript, type Listener } from '../probe/port.js';
import type { Check, StepIo } from './step.js';

async function pollListeners(io: StepIo, port: number, bind: string, pid: number | undefined): Promise<Listener[]> {
  let listeners: Listener[];
  const deadline = Date.now() + 30_000;
  do {
    const r = await io.remote.exec('sh -s', { stdin: renderPortScript(port) });
    listeners = parsePortScriptOutput(r.stdout, port);
    if (bindFitsMode(listeners, { bind }).ok && (!pid || listeners.some((l) => l.pid === pid || l.pid === undefined)))
      return listeners;
    await new Promise((res) => setTimeout(res, 250));
  } while (Date.now() < deadline);
  return listeners;
}

/** Pure: the service's process (pid) must be among the listeners when they carry pids. */
export function checkOwner(listeners: Listener[], pid: number | undefined, port: number): void {
  if (!pid) return;
  const withPid = listeners.filter((l) => l.pid !== undefined);
  if (withPid.length === 0 || withPid.some((l) => l.pid === pid)) return;
  throw stepError(
    'E_PORT_OWNER',
    `port ${port} is held by pid ${withPid.map((l) => l.pid).join(', ')}, not by the service (pid ${pid})`,
    'another dashboard holds the port; rerun (strays are stopped) or stop it by hand',
  );
}

/** Pure: the verdict on the listeners for a converged bind. */
export function judgePort(listeners: Listener[], i: ConvergeInputs): Listener[] {
  const d = i.decision;
  if (!d) throw new Error('internal: the port is checked after the mode is decided');
  const fit = bindFitsMode(listeners, { bind: d.bind });
  if (!fit.ok) {
    throw stepError(
      'E_PORT_NOT_LISTENING',
      `the dashboard is not listening as ${d.mode} mode needs: ${fit.detail}`,
      i.facts.os === 'Darwin'
        ? 'see ~/.hermes/logs/dashboard.error.log'
        : 'see: journalctl --user -u hermes-dashboard.service -n 50',
    );
  }
  checkOwner(listeners, i.service.pid, i.opts.port);
  return listeners;
}

export const portCheck: Check<Listener[]> = {
  kind: 'check',
  id: 'port',
  title: 'Check the port',
  skip: (i) => (i.opts.dryRun ? 'dry run: nothing was started' : undefined),
  async run(io, i) {
    const fresh = i.service.restarted || i.changed.unit || i.service.restartedBy !== undefined;
    const listeners = fresh
      ? await pollListeners(io, i.opts.port, i.decision?.bind ?? '', i.service.pid)
      : i.facts.listeners;
    return judgePort(listeners, i);
  },
  detail: (l) => `${bindFitsMode(l, { bind: l[0]?.address ?? '' }).detail} (${l[0]?.source ?? ''})`,
};
