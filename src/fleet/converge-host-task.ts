// One host's converge as a listr2 task: connect, run the converge's steps as subtasks, end the session, record the
// result; a failure fails only this host.
import { ListrTaskState, type ListrTask } from 'listr2';
import { buildReport, type ConvergeReport, type ReportOptions } from '../converge/report.js';
import { renderStepLine } from '../converge/step-line.js';
import { convergeTasks, endSession } from '../converge/run-converge.js';
import { newSession, type ConvergeSession } from '../converge/session.js';
import type { ConvergeOptions } from '../converge/inputs.js';
import { onInterrupt } from '../interrupt.js';
import type { Colors } from '../output.js';
import type { StepId } from '../steps/step.js';
import type { ConnectOptions } from '../transport/connect.js';
import { connectTarget } from '../transport/connect.js';
import type { Remote } from '../transport/remote.js';
import type { FleetTarget } from './fleet-targets.js';
import { asError, connectOptionsFor, unreachedReport } from './host-task.js';
import { isUnreachable, type FleetIo, type HostResult } from './run-fleet.js';

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

/** On Ctrl-C: the running subtask shows as failed (interrupted) and the ones after it as not run. */
function markOnInterrupt(
  tasks: () => readonly SubTask[],
  ids: readonly StepId[],
  running: () => number,
  c: Colors,
): () => void {
  return onInterrupt(() => {
    const n = running();
    const at = tasks()[n];
    if (at) {
      at.title$ = renderStepLine({ id: ids[n]!, status: 'failed', detail: 'interrupted (Ctrl-C)' }, c);
      at.state$ = ListrTaskState.FAILED;
    }
    markNotRun(tasks(), ids, n + 1, c, 'interrupted');
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

/** Runs one step; ends the host when the step fails (then rethrows) or was the last one. */
async function runPhase(run: () => unknown, last: boolean, end: (err?: unknown) => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    await end(err ?? new Error('unknown failure'));
    throw err;
  }
  if (last) await end();
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
      const unhook = markOnInterrupt(tasks, ids, () => running, io.c);
      /** Ends the host after step n (its title is the result); when step n failed, the rest show as not run. */
      const end = async (n: number, err?: unknown): Promise<void> => {
        task.title = await finishHost(t, r, s, io, o, err);
        if (err !== undefined) markNotRun(tasks(), ids, n + 1, io.c, `the run stopped at ${ids[n]}`);
        unhook();
      };
      const sub = task.newListr(
        phases.map((p, n) => ({
          title: p.title,
          task: async (ctx: unknown, st: Parameters<typeof p.task>[1]) => {
            running = n;
            await runPhase(
              () => p.task(ctx, st),
              n === phases.length - 1,
              (err) => end(n, err),
            );
          },
        })) as never,
        { concurrent: false, exitOnError: true },
      );
      return sub;
    },
  };
}
