// Uninstall: stop and remove the service (through its adapter, which also reverts linger only if hermes-setup
// enabled it), unpin the token only when asked, remove the state file and the cron entry. Touches nothing else;
// a second run finds nothing to do.
import { PATHS } from '../constants.js';
import { TOKEN_KEY } from '../secrets.js';
import { readFactsHoldingLock } from '../converge/locked-facts.js';
import { remoteCommandError } from '../errors.js';
import { encodeEnv, readEnvText } from '../facts/env-text.js';
import type { Facts } from '../facts/parse-facts.js';
import { removeDotenvKey } from '../render/env-file.js';
import { serviceManagerFor } from '../service/service-manager.js';
import { parseState, type ConvergeState } from '../state.js';
import type { StepIo, StepOutcome } from '../steps/step.js';
import type { Remote } from '../transport/remote.js';
import { quotePath } from '../transport/shell.js';

export interface UninstallOptions {
  unpinToken: boolean;
  lockWaitMs: number;
  port: number;
  dryRun?: boolean;
}

async function unpin(
  remote: Remote,
  f: Facts,
  s: ConvergeState | undefined,
  opts: UninstallOptions,
): Promise<StepOutcome> {
  if (!opts.unpinToken)
    return { id: 'env', status: 'ok', detail: 'token left pinned (pass --unpin-token to remove it)' };
  const keys = s?.envKeys ?? [TOKEN_KEY];
  const { text, encoding } = readEnvText(f.env);
  const next = keys.reduce((t, k) => {
    const e = removeDotenvKey(t, k);
    return e.changed ? e.text : t;
  }, text);
  if (next === text) return { id: 'env', status: 'ok', detail: 'no pinned token' };
  await remote.writeFileAtomic(PATHS.envBackup, encodeEnv(text, encoding), 0o600);
  await remote.writeFileAtomic(PATHS.env, encodeEnv(next, encoding), 0o600);
  return { id: 'env', status: 'changed', detail: `removed ${keys.join(', ')} from .env (backup kept)` };
}

async function removeState(remote: Remote, f: Facts): Promise<StepOutcome> {
  if (f.state.type === 'missing') return { id: 'record', status: 'ok', detail: 'no state file' };
  const r = await remote.exec(`rm -f ${quotePath(PATHS.state)}`);
  if (r.code !== 0) throw remoteCommandError('E_UNINSTALL', 'removing the state file', r, 'rerun with --debug');
  return { id: 'record', status: 'changed', detail: `removed ${PATHS.state}` };
}

export async function runUninstall(
  remote: Remote,
  opts: UninstallOptions,
  log: (l: string) => void,
): Promise<StepOutcome[]> {
  const { facts: f, lock } = await readFactsHoldingLock(remote, opts.port, opts.lockWaitMs, log);
  try {
    const s = parseState(f.state.content);
    const io: StepIo = { remote, log };
    const service = await (await serviceManagerFor(f)).remove(io, f, s);
    return [...service, await unpin(remote, f, s, opts), await removeState(remote, f)];
  } finally {
    await lock.release();
  }
}
