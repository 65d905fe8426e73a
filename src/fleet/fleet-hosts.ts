// check, doctor and uninstall on a fleet: one listr2 parent task per host running that host's action.
import type { ListrTask } from 'listr2';
import { isHermesSetupError, stepError } from '../errors.js';
import type { ConnectOptions } from '../transport/connect.js';
import { connectTarget } from '../transport/connect.js';
import type { Remote } from '../transport/remote.js';
import type { FleetTarget } from './fleet-targets.js';
import { isUnreachable, type FleetIo, type HostResult } from './run-fleet.js';

export interface HostOutcome { ok: boolean; counts: { ok: number; changed: number; failed: number }; lines: string[]; report: Record<string, unknown> }

/** Connects, runs `action`, prints its lines prefixed with the host, records the result; a failure fails only this host. */
export function actionHostTask(t: FleetTarget, connect: ConnectOptions, io: FleetIo, action: (remote: Remote, t: FleetTarget) => Promise<HostOutcome>): ListrTask {
  return {
    title: t.name,
    task: async (_ctx, task) => {
      let remote: Remote | undefined;
      try {
        remote = await connectTarget(t.target, t.identity ? { ...connect, identity: [t.identity] } : connect);
        const o = await action(remote, t);
        for (const l of o.lines) io.emit(t.name, l);
        io.record({ host: t.name, status: o.ok ? 'ok' : 'failed', ...o.counts, report: { host: t.name, ...o.report } });
        task.title = `${t.name}: ${o.ok ? 'ok' : 'FAILED'}`;
        if (!o.ok) throw new Error(`${t.name}: not ok`);
      } catch (err) {
        if (err instanceof Error && err.message === `${t.name}: not ok`) throw err;
        const e = isHermesSetupError(err) ? err : stepError('E_STEP', (err as Error).message, 'rerun with --debug', err);
        const status: HostResult['status'] = isUnreachable(e) ? 'unreachable' : 'failed';
        io.emit(t.name, `${remote ? 'run' : 'connect'}: ${status} — ${e.toLine()}`);
        io.record({ host: t.name, status, ok: 0, changed: 0, failed: 1, report: { host: t.name, target: t.name, ok: false, error: { code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode } } });
        throw e;
      } finally {
        await remote?.close();
      }
    },
  };
}
