// One host's listr2 task: connect, run the command's action, record the result; a failure fails only this host.
// The converge's task (its steps as subtasks) is in converge-host-task.ts.
import type { ListrTask } from 'listr2';
import { recapOf, type ConvergeReport } from '../converge/report.js';
import { isHermesSetupError, stepError, type HermesSetupError } from '../errors.js';
import type { ConnectOptions } from '../transport/connect.js';
import { connectTarget } from '../transport/connect.js';
import type { Remote } from '../transport/remote.js';
import type { FleetTarget } from './fleet-targets.js';
import { isUnreachable, type FleetIo, type HostResult } from './run-fleet.js';

export interface HostOutcome {
  ok: boolean;
  counts: { ok: number; changed: number; failed: number };
  lines: string[];
  report: Record<string, unknown>;
  error?: HermesSetupError;
}

export function connectOptionsFor(connect: ConnectOptions, t: FleetTarget): ConnectOptions {
  return {
    ...connect,
    ...(t.identity ? { identity: [t.identity] } : {}),
    ...(t.target === undefined ? { local: true } : {}),
  };
}

export function asError(err: unknown): HermesSetupError {
  return isHermesSetupError(err)
    ? err
    : stepError('E_STEP', (err as Error)?.message ?? String(err), 'rerun with --debug', err);
}

/** The per-host JSON when the host was never reached (same shape as `remote --json`). */
export function unreachedReport(t: FleetTarget, e: HermesSetupError, port: number): ConvergeReport {
  const steps = [{ id: 'connect', status: 'failed' as const, detail: e.toLine() }];
  return {
    schema: 'hermes-setup/remote@1',
    target: t.name,
    ok: false,
    dryRun: false,
    port,
    urls: [],
    steps,
    recap: recapOf(steps),
    probes: [],
    warnings: [],
    error: { code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode },
  };
}

/** Emits the action's lines, then records the host's result. */
function recordOutcome(t: FleetTarget, io: FleetIo, o: HostOutcome): void {
  for (const l of o.lines) io.emit(t.name, l);
  io.record({
    host: t.name,
    status: o.ok ? 'ok' : 'failed',
    ...o.counts,
    report: { host: t.name, ...o.report },
    ...(o.error ? { error: o.error } : {}),
  });
}

/** Records a host whose connection (or, once `connected`, whose action) threw; in a fleet, says so in one line. */
function recordFailure(t: FleetTarget, io: FleetIo, e: HermesSetupError, connected: boolean): void {
  const status: HostResult['status'] = isUnreachable(e) ? 'unreachable' : 'failed';
  if (!io.single) io.emit(t.name, `${connected ? 'run' : 'connect'}: ${status} — ${e.toLine()}`);
  io.record({
    host: t.name,
    status,
    ok: 0,
    changed: 0,
    failed: status === 'unreachable' ? 0 : 1,
    error: e,
    report: {
      host: t.name,
      target: t.name,
      ok: false,
      error: { code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode },
    },
  });
}

/** Connects, runs `action`, records the result; the action's lines are emitted (fleets) or kept for the end (one host). */
export function actionHostTask(
  t: FleetTarget,
  connect: ConnectOptions,
  io: FleetIo,
  action: (remote: Remote, t: FleetTarget) => Promise<HostOutcome>,
): ListrTask {
  return {
    title: t.name,
    task: async (_ctx, task) => {
      let remote: Remote | undefined;
      try {
        remote = await connectTarget(t.target, connectOptionsFor(connect, t));
        const o = await action(remote, t);
        recordOutcome(t, io, o);
        task.title = `${t.name}: ${o.ok ? 'ok' : 'FAILED'}`;
      } catch (err) {
        const e = asError(err);
        recordFailure(t, io, e, remote !== undefined);
        throw e;
      } finally {
        await remote?.close();
      }
    },
  };
}
