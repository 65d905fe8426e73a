// Step: record what was converged (~/.hermes/.hermes-setup-state.json, 0600) — only when it differs.
import { signsIn } from '../hermes/access-mode.js';
import { PATHS } from '../constants.js';
import type { ConvergeInputs } from '../converge/inputs.js';
import { BASIC_HASH_KEY, BASIC_SECRET_KEY, BASIC_USER_KEY, TOKEN_KEY, fingerprint } from '../secrets.js';
import type { ServiceLocation } from '../service/service-types.js';
import { serviceManagerFor } from '../service/service-manager.js';
import { renderState, sha256, type ConvergeState } from '../state.js';
import type { ChangeStep } from './step.js';

/** Pure: the state this converge leaves on the host. */
export function desiredState(i: ConvergeInputs, loc: ServiceLocation): ConvergeState {
  const b = i.build;
  const d = i.decision;
  if (!b || !d) throw new Error('internal: the state is recorded after the build and the mode are known');
  return {
    schema: 1,
    hermesVersion: b.version,
    ...(b.releaseDate ? { hermesReleaseDate: b.releaseDate } : {}),
    generation: b.generation,
    hermesKey: i.facts.hermes?.key ?? '',
    hermesCaps: b.caps,
    mode: d.mode,
    bind: d.bind,
    port: i.opts.port,
    serviceSha256: sha256(i.serviceText ?? ''),
    servicePath: loc.path,
    serviceKind: loc.kind,
    serviceScope: loc.scope,
    tokenFingerprint: fingerprint(i.secrets?.token ?? ''),
    envKeys: signsIn(d.mode) ? [TOKEN_KEY, BASIC_USER_KEY, BASIC_HASH_KEY, BASIC_SECRET_KEY] : [TOKEN_KEY],
    lingerEnabledByUs: i.lingerEnabledByUs ?? i.state?.lingerEnabledByUs ?? false,
  };
}

export const recordStep: ChangeStep<{ current: string; loc: ServiceLocation }, string> = {
  kind: 'change',
  id: 'record',
  title: 'Record the converged state',
  async read(_io, i) {
    const m = await serviceManagerFor(i.facts);
    const loc = m.target(i.facts, i.opts, i.state);
    return {
      current: i.facts.state.content?.toString('utf8') ?? '',
      loc: i.service.scope ? { ...loc, scope: i.service.scope } : loc,
    };
  },
  plan({ current, loc }, i) {
    const next = renderState(desiredState(i, loc));
    return { ...(next !== current ? { actions: next } : {}), describe: `write ${PATHS.state}`, okDetail: 'unchanged' };
  },
  async apply({ remote }, next) {
    await remote.writeFileAtomic(PATHS.state, next, 0o600);
  },
};
