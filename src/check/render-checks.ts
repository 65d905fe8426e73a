// Text and JSON output of `check`. Pure.
import { plain, statusColor, wrapLine, type Colors } from '../output.js';
import type { CheckLine } from './check-line.js';

/** Colours (FAIL red, ok green, skip cyan) and the terminal's width (wrap at spaces), or neither. */
export interface View {
  c: Colors;
  width?: number;
}

export interface CheckReport {
  target: string;
  healthy: boolean;
  checks: CheckLine[];
  /** --repair only: the checks before the repair, and what the converge did. */
  repair?: {
    before: CheckLine[];
    ran: boolean;
    dryRun?: boolean;
    steps: Array<{ id: string; status: string; detail: string }>;
    error?: string;
    diffs?: string;
  };
}

export function renderCheckLines(lines: CheckLine[], v: View = { c: plain }): string[] {
  const width = Math.max(...lines.map((l) => l.id.length));
  return lines.flatMap((l) =>
    wrapLine(
      `${statusColor(v.c, l.status)(l.status.padEnd(4))}  ${l.id.padEnd(width)}  ${l.detail}${l.status === 'FAIL' && l.fix ? ` — fix: ${l.fix}` : ''}`,
      v.width,
      width + 8,
    ),
  );
}

export function renderVerdict(r: CheckReport, c: Colors = plain): string {
  const failed = r.checks.filter((l) => l.status === 'FAIL').map((l) => l.id);
  const repaired = r.repair?.dryRun
    ? ' (dry run: the repair above would run; nothing was changed)'
    : r.repair?.ran
      ? r.healthy
        ? ' (repaired)'
        : ' (repair did not help)'
      : '';
  return r.healthy ? `${c.green('healthy')}${repaired}` : `${c.red('unhealthy')}: ${failed.join(', ')}${repaired}`;
}
