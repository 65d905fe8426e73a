// Text and JSON output of `check`. Pure.
import type { CheckLine } from './plan-checks.js';

export interface CheckReport {
  target: string;
  healthy: boolean;
  checks: CheckLine[];
  /** --repair only: the checks before the repair, and what the converge did. */
  repair?: { before: CheckLine[]; ran: boolean; steps: Array<{ id: string; status: string; detail: string }>; error?: string };
}

export function renderCheckLines(lines: CheckLine[]): string[] {
  const width = Math.max(...lines.map((l) => l.id.length));
  return lines.map((l) => `${l.status.padEnd(4)}  ${l.id.padEnd(width)}  ${l.detail}${l.status === 'FAIL' && l.fix ? ` — fix: ${l.fix}` : ''}`);
}

export function renderVerdict(r: CheckReport): string {
  const failed = r.checks.filter((l) => l.status === 'FAIL').map((l) => l.id);
  const repaired = r.repair?.ran ? (r.healthy ? ' (repaired)' : ' (repair did not help)') : '';
  return r.healthy ? `healthy${repaired}` : `unhealthy: ${failed.join(', ')}${repaired}`;
}
