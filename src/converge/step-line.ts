// One step's line (`env: changed — update .env`), with its status colour and, in the task tree, its icon.
import { paintStatus, statusColor, type Colors } from '../output.js';
import type { StepOutcome } from '../steps/step.js';

const ICONS: Partial<Record<StepOutcome['status'], string>> = { ok: '✔', changed: '✔', skipped: '↓', 'not run': '·' };

/** `env: changed — update .env` with the status in Ansible's colours (and its icon, for the task tree). */
export function renderStepLine(o: StepOutcome, c: Colors, opts: { icon?: boolean } = {}): string {
  const paint = (t: string): string => (o.status === 'not run' ? c.dim(t) : t);
  const sign = ICONS[o.status];
  const icon = opts.icon && sign ? `${statusColor(c, o.status)(sign)} ` : '';
  return `${icon}${paint(`${o.id}: `)}${paintStatus(c, o.status)}${o.detail ? paint(` — ${o.detail}`) : ''}`;
}
