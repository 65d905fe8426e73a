// Runs one listr2 parent task per host, up to --parallel at once; one host's failure never stops the others.
// A single host is a fleet of one: the same tasks, without the host prefix and the recap. On a terminal the task
// tree shows; elsewhere (and with --json) every event is one line, prefixed with the host in a fleet.
import { Listr, ListrDefaultRendererLogLevels, ListrLogger, type ListrTask } from 'listr2';
import { EXIT, HermesSetupError, isHermesSetupError, type ExitCode } from '../errors.js';
import { onInterrupt } from '../interrupt.js';
import { colorsFor, out, plain, statusColor, type Colors } from '../output.js';
import type { FleetTarget } from './fleet-targets.js';

export type HostStatus = 'ok' | 'failed' | 'unreachable';

export interface HostResult {
  host: string;
  status: HostStatus;
  ok: number;
  changed: number;
  failed: number;
  /** The per-host JSON document (the single-host command's --json). */
  report: unknown;
  /** Why the host failed (a fleet of one rethrows it: its exit code is the command's). */
  error?: HermesSetupError;
  /** Lines printed after the run for a single host (check, doctor, uninstall). */
  lines?: string[];
  /** How to reach the dashboard now (its URL, or the tunnel command), for the recap; only when ok. */
  url?: string;
}

export interface FleetIo {
  /** One event line for this host (printed when no task tree shows and not --json; prefixed in a fleet). */
  emit(host: string, line: string): void;
  record(r: HostResult): void;
  /** A fleet of one: a connection failure is the command's own one-line error, not an event line. */
  single: boolean;
  /** Colours for stdout (none off a terminal or with NO_COLOR). */
  c: Colors;
}

export interface FleetRunOptions {
  parallel: number;
  json: boolean;
  /** A fleet of one: no host prefix; the command prints the host's own summary. */
  single: boolean;
  /** Show the listr task tree on a terminal (the converge); otherwise lines only. */
  tree: boolean;
}

/** Unreachable: the connection could not be made or was lost (exit 4), or the host key was refused (exit 5). */
export function isUnreachable(err: unknown): boolean {
  return isHermesSetupError(err) && (err.exitCode === EXIT.UNREACHABLE || err.exitCode === EXIT.HOSTKEY);
}

/** The task tree's style: our titles carry their own icon in Ansible's colours (changed is a yellow ✔); skips cyan. */
const TREE_STYLE = {
  icon: { [ListrDefaultRendererLogLevels.COMPLETED]: '', [ListrDefaultRendererLogLevels.SKIPPED_WITH_COLLAPSE]: '' },
  color: { [ListrDefaultRendererLogLevels.SKIPPED_WITH_COLLAPSE]: (t: string) => t },
};

/** Lines go to stdout only when no task tree shows and not --json (prefixed with the host in a fleet); results
 * are kept by host. */
function fleetIo(o: FleetRunOptions, tree: boolean, results: Map<string, HostResult>): FleetIo {
  return {
    emit: (host, line) => {
      if (!tree && !o.json) out.line(o.single ? line : `[${host}] ${line}`);
    },
    record: (r) => {
      results.set(r.host, r);
    },
    single: o.single,
    c: colorsFor(process.stdout),
  };
}

/** Pure: the result of a host whose task recorded nothing (it failed before it could). */
function unrecorded(t: FleetTarget): HostResult {
  return {
    host: t.name,
    status: 'failed',
    ok: 0,
    changed: 0,
    failed: 1,
    report: { target: t.name, ok: false },
  };
}

export async function runFleet(
  targets: FleetTarget[],
  o: FleetRunOptions,
  makeTask: (t: FleetTarget, io: FleetIo) => ListrTask,
): Promise<HostResult[]> {
  const tree = o.tree && process.stdout.isTTY === true && !o.json;
  const results = new Map<string, HostResult>();
  const io = fleetIo(o, tree, results);
  const listr = new Listr(targets.map((t) => makeTask(t, io)) as never, {
    concurrent: o.parallel,
    exitOnError: false,
    renderer: tree ? 'default' : 'silent',
    registerSignalListeners: false,
    rendererOptions: {
      collapseErrors: false,
      collapseSubtasks: !o.single,
      formatOutput: 'wrap',
      logger: new ListrLogger({ toStderr: [] }),
      ...TREE_STYLE,
    } as never,
  });
  // Ctrl-C: the tree's last frame (interrupted step, steps not run), then the cursor back (listr2 hid it).
  const unhook = onInterrupt(() => {
    if (tree) (listr as unknown as { renderer?: { end(e?: Error): void } }).renderer?.end(new Error('interrupted'));
  });
  await listr.run().catch(() => undefined);
  unhook();
  return targets.map((t) => results.get(t.name) ?? unrecorded(t));
}

/** Ansible's PLAY RECAP as a table: an unreachable host counts once (unreachable, not also failed); the URL (or the
 * tunnel command) of each host that is ok. */
export function renderRecap(results: HostResult[], c: Colors = plain): string[] {
  const head = ['host', 'ok', 'changed', 'failed', 'unreachable', 'url'];
  const rows = results.map((r) => [
    r.host,
    String(r.ok),
    String(r.changed),
    String(r.failed),
    r.status === 'unreachable' ? '1' : '0',
    r.url ?? '',
  ]);
  const widths = head.map((_, n) => Math.max(head[n]!.length, ...rows.map((row) => row[n]!.length)));
  const paint = [undefined, 'ok', 'changed', 'failed', 'unreachable'];
  const line = (row: string[], colour: boolean): string =>
    row
      .map((cell, n) => {
        const padded = n === 0 || n === 5 ? cell.padEnd(widths[n]!) : cell.padStart(widths[n]!);
        return colour && paint[n] && cell !== '0' ? statusColor(c, paint[n])(padded) : padded;
      })
      .join('  ')
      .trimEnd();
  return ['Recap:', line(head, false), ...rows.map((row) => line(row, true))];
}

export function recapRows(results: HostResult[]): Array<{
  host: string;
  status: HostStatus;
  ok: number;
  changed: number;
  failed: number;
  unreachable: number;
  url?: string;
}> {
  return results.map((r) => ({
    host: r.host,
    status: r.status,
    ok: r.ok,
    changed: r.changed,
    failed: r.failed,
    unreachable: r.status === 'unreachable' ? 1 : 0,
    ...(r.url ? { url: r.url } : {}),
  }));
}

/** 4 when any host was unreachable (it wins: that host's state is unknown), else `failCode` when any failed, else 0. */
export function fleetExitCode(results: HostResult[], failCode: ExitCode = EXIT.STEP_FAILED): ExitCode {
  if (results.some((r) => r.status === 'unreachable')) return EXIT.UNREACHABLE;
  if (results.some((r) => r.status === 'failed')) return failCode;
  return EXIT.OK;
}

/** Prints the JSON document or the recap, then throws the fleet's exit code (unless all were ok). */
export function finishFleet(results: HostResult[], o: { json: boolean; failCode?: ExitCode; failWord?: string }): void {
  const exitCode = fleetExitCode(results, o.failCode);
  if (o.json)
    out.json({
      schema: 'hermes-setup/fleet@1',
      ok: exitCode === EXIT.OK,
      exitCode,
      hosts: results.map((r) => r.report),
      recap: recapRows(results),
    });
  else for (const l of renderRecap(results, colorsFor(process.stdout))) out.line(l);
  if (exitCode === EXIT.OK) return;
  const names = (s: HostStatus) => results.filter((r) => r.status === s).map((r) => r.host);
  const parts = [
    names('unreachable').length ? `unreachable: ${names('unreachable').join(', ')}` : '',
    names('failed').length ? `${o.failWord ?? 'failed'}: ${names('failed').join(', ')}` : '',
  ].filter(Boolean);
  const code =
    exitCode === EXIT.UNREACHABLE
      ? 'E_FLEET_UNREACHABLE'
      : exitCode === EXIT.UNHEALTHY
        ? 'E_FLEET_UNHEALTHY'
        : 'E_FLEET_FAILED';
  throw new HermesSetupError(
    code,
    `${results.length - names('ok').length} of ${results.length} hosts not ok (${parts.join('; ')})`,
    'see each host\'s lines above (or its "error" in --json); the recap lists them all',
  );
}

/** A fleet of one: print its JSON or its lines, then throw its own error (so its exit code is the command's). */
export function finishOne(r: HostResult, o: { json: boolean }): void {
  if (o.json) out.json(r.report);
  else for (const l of r.lines ?? []) out.line(l);
  if (r.error) throw r.error;
}
