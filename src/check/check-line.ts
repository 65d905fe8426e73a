// One line of `check`: ok, FAIL (with the command that fixes it), or skipped (does not apply here).
import type { HealthInput } from './health-input.js';

export type CheckStatus = 'ok' | 'FAIL' | 'skip';

export interface CheckLine {
  id: string;
  status: CheckStatus;
  detail: string;
  /** A command that fixes it (FAIL only). */
  fix?: string;
}

export const ok = (id: string, detail: string): CheckLine => ({ id, status: 'ok', detail });
export const skip = (id: string, detail: string): CheckLine => ({ id, status: 'skip', detail });
export const fail = (id: string, detail: string, fix: string): CheckLine => ({ id, status: 'FAIL', detail, fix });

export function repairCommand(i: HealthInput): string {
  return `hermes-setup check --repair ${i.target}`;
}
