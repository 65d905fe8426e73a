// One host's listr2 task: connect, run the command's action (or the converge's steps as subtasks), record the
// result; a failure fails only this host.
import type { ListrTask } from 'listr2';
import { buildReport, recapOf, type ConvergeReport, type ReportOptions } from '../converge/report.js';
import { convergeTasks, endSession, newSession, type ConvergeSession } from '../converge/run-converge.js';
import type { ConvergeOptions } from '../converge/inputs.js';
import { isHermesSetupError, stepError, type HermesSetupError } from '../errors.js';
import type { ConnectOptions } from '../transport/connect.js';
import { connectTarget } from '../transport/connect.js';
import type { Remote } from '../transport/remote.js';
import type { FleetTarget } from './fleet-targets.js';
import { isUnreachable, type FleetIo, type HostResult } from './run-fleet.js';

export interface HostOutcome { ok: boolean; counts: { ok: number; changed: number; failed: number }; lines: string[]; report: Record<string, unknown>; error?: HermesSetupError }

export function connectOptionsFor(connect: ConnectOptions, t: FleetTarget): ConnectOptions {
  return { ...connect, ...(t.identity ? { identity: [t.identity] } : {}), ...(t.target === undefined ? { local: true } : {}) };
}

function asError(err: unknown): HermesSetupError {
  return isHermesSetupError(err) ? err : stepError('E_STEP', (err as Error)?.message ?? String(err), 'rerun with --debug', err);
}

/** The per-host JSON when the host was never reached (same shape as `remote --json`). */
export function unreachedReport(t: FleetTarget, e: HermesSetupError, port: number): ConvergeReport {
  const steps = [{ id: 'connect', status: 'failed' as const, detail: e.toLine() }];
  return {
    schema: 'hermes-setup/remote@1', target: t.name, ok: false, dryRun: false, port, urls: [], steps, recap: recapOf(steps), probes: [], warnings: [],
    error: { code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode },
  };
}

/** Connects, runs `action`, records the result; the action's lines are emitted (fleets) or kept for the end (one host). */
export function actionHostTask(t: FleetTarget, connect: ConnectOptions, io: FleetIo, action: (remote: Remote, t: FleetTarget) => Promise<HostOutcome>): ListrTask {
  return {
    title: t.name,
    task: async (_ctx, task) => {
      let remote: Remote | undefined;
      try {
        remote = await connectTarget(t.target, connectOptionsFor(connect, t));
        const o = await action(remote, t);
        for (const l of o.lines) io.emit(t.name, l);
        io.record({ host: t.name, status: o.ok ? 'ok' : 'failed', ...o.counts, report: { host: t.name, ...o.report }, ...(o.error ? { error: o.error } : {}) });
        task.title = `${t.name}: ${o.ok ? 'ok' : 'FAILED'}`;
      } catch (err) {
        const e = asError(err);
        const status: HostResult['status'] = isUnreachable(e) ? 'unreachable' : 'failed';
        if (!io.single) io.emit(t.name, `${remote ? 'run' : 'connect'}: ${status} — ${e.toLine()}`);
        io.record({ host: t.name, status, ok: 0, changed: 0, failed: 1, error: e, report: { host: t.name, target: t.name, ok: false, error: { code: e.code, message: e.message, hint: e.hint, exitCode: e.exitCode } } });
        throw e;
      } finally {
        await remote?.close();
      }
    },
  };
}

export interface ConvergeHostOptions {
  /** The converge options for this host, once its label is known. */
  options(t: FleetTarget, label: string): ConvergeOptions;
  report: ReportOptions;
  /** Runs after a successful converge, before the connection closes (e.g. --configure-desktop); its lines are
   * printed after the summary and its fields join the host's report. */
  after?(remote: Remote, s: ConvergeSession): Promise<{ lines: string[]; report: Record<string, unknown> }>;
}

function hostResult(t: FleetTarget, s: ConvergeSession, report: ConvergeReport, extra?: { lines: string[]; report: Record<string, unknown> }): HostResult {
  const status = !s.error ? 'ok' : isUnreachable(s.error) ? 'unreachable' : 'failed';
  return {
    host: t.name, status, ok: report.recap.ok, changed: report.recap.changed, failed: report.recap.failed, report: { ...report, ...extra?.report, host: t.name },
    ...(s.error ? { error: s.error } : {}), ...(extra ? { lines: extra.lines } : {}),
  };
}

/** The converge of one host as the subtasks of its parent task. */
export function convergeHostTask(t: FleetTarget, connect: ConnectOptions, io: FleetIo, o: ConvergeHostOptions): ListrTask {
  return {
    title: t.name,
    task: async (_ctx, task) => {
      let remote: Remote;
      try {
        remote = await connectTarget(t.target, connectOptionsFor(connect, t));
      } catch (err) {
        const e = asError(err);
        const report = { ...unreachedReport(t, e, o.options(t, t.name).port), host: t.name };
        if (!io.single) io.emit(t.name, `connect: ${isUnreachable(e) ? 'unreachable' : 'failed'} — ${report.steps[0]!.detail}`);
        io.record({ host: t.name, status: isUnreachable(e) ? 'unreachable' : 'failed', ok: 0, changed: 0, failed: 1, report, error: e });
        throw e;
      }
      const r = remote;
      const s = newSession(r, o.options(t, r.label), (x) => io.emit(t.name, `${x.id}: ${x.status} — ${x.detail}`));
      const finish = async (err?: unknown): Promise<void> => {
        await endSession(s, err);
        let extra: Awaited<ReturnType<NonNullable<ConvergeHostOptions['after']>>> | undefined;
        try {
          if (!s.error && o.after) extra = await o.after(r, s);
        } catch (e) {
          s.error = asError(e);
        } finally {
          await r.close();
        }
        io.record(hostResult(t, s, await buildReport(s, o.report), extra));
      };
      const tasks = convergeTasks(s).map((sub, n, all) => ({
        title: sub.title,
        task: async (ctx: unknown, st: Parameters<typeof sub.task>[1]) => {
          try {
            await sub.task(ctx, st);
          } catch (err) {
            await finish(err ?? new Error('unknown failure'));
            throw err;
          }
          if (n === all.length - 1) await finish();
        },
      }));
      return task.newListr(tasks as never, { concurrent: false, exitOnError: true });
    },
  };
}
