// One host's listr2 task: connect, run the command's action (or the converge's steps as subtasks), record the
// result; a failure fails only this host.
import { ListrTaskState, type ListrTask } from 'listr2';
import { buildReport, recapOf, type ConvergeReport, type ReportOptions } from '../converge/report.js';
import { renderStepLine } from '../converge/step-line.js';
import { convergeTasks, endSession } from '../converge/run-converge.js';
import { newSession, type ConvergeSession } from '../converge/session.js';
import type { ConvergeOptions } from '../converge/inputs.js';
import { isHermesSetupError, stepError, type HermesSetupError } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import type { Colors } from '../output.js';
import type { StepId } from '../steps/step.js';
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

function asError(err: unknown): HermesSetupError {
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
        for (const l of o.lines) io.emit(t.name, l);
        io.record({
          host: t.name,
          status: o.ok ? 'ok' : 'failed',
          ...o.counts,
          report: { host: t.name, ...o.report },
          ...(o.error ? { error: o.error } : {}),
        });
        task.title = `${t.name}: ${o.ok ? 'ok' : 'FAILED'}`;
      } catch (err) {
        const e = asError(err);
        const status: HostResult['status'] = isUnreachable(e) ? 'unreachable' : 'failed';
        if (!io.single) io.emit(t.name, `${remote ? 'run' : 'connect'}: ${status} — ${e.toLine()}`);
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

function hostResult(
  t: FleetTarget,
  s: ConvergeSession,
  report: ConvergeReport,
  extra?: { lines: string[]; report: Record<string, unknown> },
): HostResult {
  const status = !s.error ? 'ok' : isUnreachable(s.error) ? 'unreachable' : 'failed';
  const url = report.ok && !report.dryRun ? (report.tunnel?.command ?? report.urls[0]) : undefined;
  return {
    host: t.name,
    status,
    ok: report.recap.ok,
    changed: report.recap.changed,
    failed: status === 'unreachable' ? 0 : report.recap.failed,
    report: { ...report, ...extra?.report, host: t.name },
    ...(url ? { url } : {}),
    ...(s.error ? { error: s.error } : {}),
    ...(extra ? { lines: extra.lines } : {}),
  };
}

type SubTask = { title$: string; message$: { skip?: string }; state$: ListrTaskState };

/** Shows the tasks from `from` on as not run (the converge stopped before them). */
function markNotRun(tasks: readonly SubTask[], ids: readonly StepId[], from: number, c: Colors, why: string): void {
  tasks.slice(from).forEach((x, n) => {
    const title = renderStepLine({ id: ids[from + n]!, status: 'not run', detail: why }, c, { icon: true });
    x.title$ = title;
    x.message$ = { skip: title };
    x.state$ = ListrTaskState.SKIPPED;
  });
}

/** Connects, or records the host as unreachable/failed (its report: one failed `connect` step) and throws. */
async function connectOrRecord(t: FleetTarget, connect: ConnectOptions, io: FleetIo, port: number): Promise<Remote> {
  try {
    return await connectTarget(t.target, connectOptionsFor(connect, t));
  } catch (err) {
    const e = asError(err);
    const report = { ...unreachedReport(t, e, port), host: t.name };
    if (!io.single)
      io.emit(t.name, `connect: ${isUnreachable(e) ? 'unreachable' : 'failed'} — ${report.steps[0]!.detail}`);
    io.record({
      host: t.name,
      status: isUnreachable(e) ? 'unreachable' : 'failed',
      ok: 0,
      changed: 0,
      failed: isUnreachable(e) ? 0 : 1,
      report,
      error: e,
    });
    throw e;
  }
}

/** Ends the session (lock released), runs `after`, closes the connection, records the result; returns the title. */
async function finishHost(
  t: FleetTarget,
  r: Remote,
  s: ConvergeSession,
  io: FleetIo,
  o: ConvergeHostOptions,
  err?: unknown,
): Promise<string> {
  await endSession(s, err);
  let extra: Awaited<ReturnType<NonNullable<ConvergeHostOptions['after']>>> | undefined;
  try {
    if (!s.error && o.after) extra = await o.after(r, s);
  } catch (e) {
    s.error = asError(e);
  } finally {
    await r.close();
  }
  const result = hostResult(t, s, await buildReport(s, o.report), extra);
  io.record(result);
  return result.status === 'ok'
    ? `${io.c.green('✔')} ${t.name}${result.url && !io.single ? ` — ${result.url}` : ''}`
    : t.name;
}

/** The converge of one host as the subtasks of its parent task. */
export function convergeHostTask(
  t: FleetTarget,
  connect: ConnectOptions,
  io: FleetIo,
  o: ConvergeHostOptions,
): ListrTask {
  return {
    title: t.name,
    task: async (_ctx, task) => {
      const r = await connectOrRecord(t, connect, io, o.options(t, t.name).port);
      const s = newSession(r, o.options(t, r.label), (x) => io.emit(t.name, renderStepLine(x, io.c)));
      const phases = convergeTasks(s, io.c);
      const ids = phases.map((p) => p.id);
      const tasks = (): SubTask[] => sub.tasks;
      let running = 0;
      const unhook = onInterrupt(() => {
        const at = tasks()[running];
        if (at) {
          at.title$ = renderStepLine({ id: ids[running]!, status: 'failed', detail: 'interrupted (Ctrl-C)' }, io.c);
          at.state$ = ListrTaskState.FAILED;
        }
        markNotRun(tasks(), ids, running + 1, io.c, 'interrupted');
      });
      const sub = task.newListr(
        phases.map((p, n) => ({
          title: p.title,
          task: async (ctx: unknown, st: Parameters<typeof p.task>[1]) => {
            running = n;
            try {
              await p.task(ctx, st);
            } catch (err) {
              task.title = await finishHost(t, r, s, io, o, err ?? new Error('unknown failure'));
              markNotRun(tasks(), ids, n + 1, io.c, `the run stopped at ${ids[n]}`);
              unhook();
              throw err;
            }
            if (n === phases.length - 1) {
              task.title = await finishHost(t, r, s, io, o);
              unhook();
            }
          },
        })) as never,
        { concurrent: false, exitOnError: true },
      );
      return sub;
    },
  };
}
