// Step: record what was converged (~/.hermes/.hermes-setup-state.json, 0600) — only when it differs.
import { STATE_PATH, UNIT_PATH_SYSTEM, UNIT_PATH_USER, PLIST_PATH_AGENT, PLIST_PATH_DAEMON } from '../facts/facts-script.js';
import { BASIC_HASH_KEY, BASIC_SECRET_KEY, BASIC_USER_KEY, TOKEN_KEY, fingerprint } from '../secrets.js';
import { renderState, sha256, type ConvergeState } from '../state.js';
import type { Converge, Step } from './context.js';

export function servicePathFor(c: Converge): string {
  if (c.facts.os === 'Darwin') return c.opts.daemon ? PLIST_PATH_DAEMON : PLIST_PATH_AGENT;
  return c.facts.uid === 0 ? UNIT_PATH_SYSTEM : UNIT_PATH_USER;
}

export function desiredState(c: Converge, serviceText: string): ConvergeState {
  return {
    schema: 1, hermesVersion: c.build!.version, ...(c.build!.releaseDate ? { hermesReleaseDate: c.build!.releaseDate } : {}),
    generation: c.build!.generation, hermesKey: c.facts.hermes?.key ?? '', hermesCaps: c.build!.caps, mode: c.decision!.mode, bind: c.decision!.bind,
    port: c.opts.port, serviceSha256: sha256(serviceText), servicePath: servicePathFor(c), tokenFingerprint: fingerprint(c.token ?? ''),
    envKeys: c.decision!.mode === 'password' ? [TOKEN_KEY, BASIC_USER_KEY, BASIC_HASH_KEY, BASIC_SECRET_KEY] : [TOKEN_KEY],
    lingerEnabledByUs: c.lingerEnabledByUs ?? c.state?.lingerEnabledByUs ?? false,
  };
}

export const recordStep: Step<string, string> = {
  id: 'record',
  title: 'Record the converged state',
  read: (c) => c.facts.state.content?.toString('utf8') ?? '',
  plan(current, c) {
    const path = servicePathFor(c);
    const service = c.files.find((f) => f.path === path)?.after
      ?? (c.facts.os === 'Darwin' ? (c.opts.daemon ? c.facts.plistDaemon : c.facts.plistAgent) : (c.facts.uid === 0 ? c.facts.unitSystem : c.facts.unitUser)).content?.toString('utf8') ?? '';
    const next = renderState(desiredState(c, service));
    return next === current ? undefined : next;
  },
  describe: () => `write ${STATE_PATH}`,
  async apply(c, next) {
    await c.remote.writeFileAtomic(STATE_PATH, next, 0o600);
  },
  okDetail: () => 'unchanged',
};
