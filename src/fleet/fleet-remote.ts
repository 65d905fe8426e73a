// `remote` on a fleet: each host's converge as the subtasks of its own listr2 parent task.
import type { ListrTask } from 'listr2';
import type { RemoteFlags } from '../commands/remote.js';
import { toConvergeOptions } from '../commands/remote.js';
import { buildReport, recapOf, type ConvergeReport } from '../converge/report.js';
import { convergeTasks, endSession, newConverge, newSession, type ConvergeRun } from '../converge/run-converge.js';
import { isHermesSetupError, stepError, usageError } from '../errors.js';
import type { ConnectOptions } from '../transport/connect.js';
import { connectTarget } from '../transport/connect.js';
import type { Remote } from '../transport/remote.js';
import type { FleetTarget } from './fleet-targets.js';
import { isUnreachable, type FleetIo, type HostResult } from './run-fleet.js';

function hostFlags(f: RemoteFlags, t: FleetTarget): RemoteFlags {
  return { ...f, ...(t.mode ? { mode: t.mode } : {}), ...(t.bind ? { bind: t.bind } : {}), ...(t.daemon !== undefined ? { daemon: t.daemon } : {}) };
}

export function connectOptionsFor(connect: ConnectOptions, t: FleetTarget): ConnectOptions {
  return t.identity ? { ...connect, identity: [t.identity] } : connect;
}

/** The per-host JSON when the host was never reached (same shape as `remote --json`). */
export function unreachedReport(t: FleetTarget, err: unknown, port: number): ConvergeReport {
  const e = isHermesSetupError(err) ? err : stepError('E_CONNECT', (err as Error).message, 'rerun with --debug', err);
  const steps = [{ id: 'connect', status: 'failed' as const, detail: e.toLine() }];
  return {
    schema: 'hermes-setup/remote@1', target: t.name, ok: false, dryRun: false, port, urls: [], steps, recap: recapOf(steps), probes: [], warnings: [],
    error: { code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode },
  };
}

function resultOf(t: FleetTarget, run: ConvergeRun, report: ConvergeReport): HostResult {
  const status = !run.error ? 'ok' : isUnreachable(run.error) ? 'unreachable' : 'failed';
  return { host: t.name, status, ok: report.recap.ok, changed: report.recap.changed, failed: report.recap.failed, report: { ...report, host: t.name } };
}

export function validateFleetRemote(flags: RemoteFlags): void {
  if (flags.configureDesktop) throw usageError('E_USAGE', '--configure-desktop sets up one host; it cannot be used with a fleet', 'run remote <target> --configure-desktop for the host the desktop app should use');
  toConvergeOptions(flags, 'fleet');
}

export function convergeHostTask(t: FleetTarget, flags: RemoteFlags, connect: ConnectOptions, io: FleetIo): ListrTask {
  return {
    title: t.name,
    task: async (_ctx, task) => {
      let remote: Remote;
      try {
        remote = await connectTarget(t.target, connectOptionsFor(connect, t));
      } catch (err) {
        const report = { ...unreachedReport(t, err, Number(flags.port)), host: t.name };
        io.emit(t.name, `connect: ${isUnreachable(err) ? 'unreachable' : 'failed'} — ${report.steps[0]!.detail}`);
        io.record({ host: t.name, status: isUnreachable(err) ? 'unreachable' : 'failed', ok: 0, changed: 0, failed: 1, report });
        throw err;
      }
      const r = remote;
      const opts = toConvergeOptions(hostFlags(flags, t), r.label);
      const s = newSession(newConverge(r, opts, () => undefined), (o) => io.emit(t.name, `${o.id}: ${o.status} — ${o.detail}`));
      const finish = async (err?: unknown): Promise<void> => {
        const run = await endSession(s, err).finally(() => r.close());
        io.record(resultOf(t, run, buildReport(run, { showToken: flags.showToken === true, ...(opts.passwordFile ? { passwordFile: opts.passwordFile } : {}) })));
      };
      const tasks = convergeTasks(s).map((sub, i, all) => ({
        title: sub.title,
        task: async (ctx: unknown, st: Parameters<typeof sub.task>[1]) => {
          try {
            await sub.task(ctx, st);
          } catch (err) {
            await finish(err ?? new Error('unknown failure'));
            throw err;
          }
          if (i === all.length - 1) await finish();
        },
      }));
      return task.newListr(tasks as never, { concurrent: false, exitOnError: true });
    },
  };
}
