// uninstall --dry-run: what an uninstall would remove, read only (no lock, no write, here or on the host), with the
// files it would change as diffs (.env values redacted).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { PATHS } from '../constants.js';
import type { PlannedFile } from '../converge/inputs.js';
import { decodeEnv } from '../facts/env-text.js';
import { gatherFacts } from '../facts/gather.js';
import type { Facts } from '../facts/parse-facts.js';
import type { FleetTarget } from '../fleet/fleet-targets.js';
import { removeDotenvKey } from '../render/env-file.js';
import { TOKEN_KEY } from '../secrets.js';
import { serviceManagerFor } from '../service/service-manager.js';
import { parseState, type ConvergeState } from '../state.js';
import type { StepOutcome } from '../steps/step.js';
import type { Remote } from '../transport/remote.js';
import type { UninstallOptions } from './run-uninstall.js';

export interface UninstallPlan {
  steps: StepOutcome[];
  files: PlannedFile[];
}

async function planService(f: Facts, s: ConvergeState | undefined, files: PlannedFile[]): Promise<StepOutcome[]> {
  const m = await serviceManagerFor(f);
  const loc = m.installed(f, s);
  const v = m.view(f, loc);
  const what = loc.path.split('/').pop() ?? loc.path;
  const out: StepOutcome[] = [];
  if (!v.installed && !v.loaded) out.push({ id: 'service', status: 'ok', detail: `no ${what}` });
  else {
    out.push({ id: 'service', status: 'changed', detail: `would stop, disable and remove ${loc.path}` });
    if (v.file !== undefined) files.push({ path: loc.path, before: v.file, after: '', mode: 0o644 });
  }
  if (loc.kind === 'systemd-user') {
    out.push(
      s?.lingerEnabledByUs && f.linger
        ? { id: 'linger', status: 'changed', detail: 'would disable linger (hermes-setup had enabled it)' }
        : {
            id: 'linger',
            status: 'ok',
            detail: s?.lingerEnabledByUs ? 'already off' : 'left as it was (hermes-setup did not enable it)',
          },
    );
  }
  return out;
}

function planUnpin(f: Facts, s: ConvergeState | undefined, opts: UninstallOptions, files: PlannedFile[]): StepOutcome {
  if (!opts.unpinToken)
    return { id: 'env', status: 'ok', detail: 'token left pinned (pass --unpin-token to remove it)' };
  const keys = s?.envKeys ?? [TOKEN_KEY];
  const text = decodeEnv(f.env);
  const next = keys.reduce((t, k) => {
    const e = removeDotenvKey(t, k);
    return e.changed ? e.text : t;
  }, text);
  if (next === text) return { id: 'env', status: 'ok', detail: 'no pinned token' };
  files.push({ path: PATHS.env, before: text, after: next, mode: 0o600 });
  return { id: 'env', status: 'changed', detail: `would remove ${keys.join(', ')} from .env (a backup would be kept)` };
}

/** This machine's health-check entry for the target: the crontab line or a --timer script. */
async function planCron(t: FleetTarget): Promise<StepOutcome> {
  try {
    const [{ readCrontab }, { editCrontab }, { toScheduleSpec }, { timerName }] = await Promise.all([
      import('../cron/crontab.js'),
      import('../render/crontab-edit.js'),
      import('../cron/schedule-spec.js'),
      import('../render/cron-line.js'),
    ]);
    const spec = toScheduleSpec(t.target, { local: t.target === undefined, every: '5' });
    const current = await readCrontab().catch(() => null);
    const line = current !== null && editCrontab(current, spec.label) !== current;
    const timer = existsSync(join(homedir(), '.config', 'hermes-setup', `${timerName(spec.label)}.sh`));
    if (!line && !timer) return { id: 'cron', status: 'ok', detail: 'no health-check entry' };
    return {
      id: 'cron',
      status: 'changed',
      detail: `would remove the health-check ${[line ? 'crontab line' : '', timer ? '--timer' : ''].filter(Boolean).join(' and ')} on this machine`,
    };
  } catch (err) {
    return { id: 'cron', status: 'skipped', detail: (err as Error).message };
  }
}

export async function planUninstall(remote: Remote, t: FleetTarget, opts: UninstallOptions): Promise<UninstallPlan> {
  const f = await gatherFacts(remote, opts.port);
  const s = parseState(f.state.content);
  const files: PlannedFile[] = [];
  const steps = [...(await planService(f, s, files)), planUnpin(f, s, opts, files)];
  if (f.state.type === 'missing') steps.push({ id: 'record', status: 'ok', detail: 'no state file' });
  else {
    steps.push({ id: 'record', status: 'changed', detail: `would remove ${PATHS.state}` });
    files.push({ path: PATHS.state, before: f.state.content?.toString('utf8') ?? '', after: '', mode: 0o600 });
  }
  steps.push(await planCron(t));
  return { steps, files };
}
