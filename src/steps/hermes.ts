// Check: find `hermes` and tell its version, generation and capabilities (from the facts; nothing is written).
import { stepError } from '../errors.js';
import type { HermesFacts } from '../facts/parse-facts.js';
import { unrecognisedBuild, unrecognisedError } from '../hermes/recognise.js';
import {
  describeBuild,
  detectGeneration,
  parseCapabilities,
  parseVersionLine,
  type HermesBuild,
} from '../hermes/version.js';
import type { ConvergeState } from '../state.js';
import type { Check } from './step.js';

/** The build from the facts; while the install fingerprint matches the state file, its recorded build is reused.
 * A build hermes-setup does not recognise is refused (`after`: what just ran, e.g. `hermes update`). */
export function readBuild(h: HermesFacts | undefined, state?: ConvergeState, after?: string): HermesBuild {
  if (h?.cached && state && state.hermesKey === h.key) {
    return {
      version: state.hermesVersion,
      ...(state.hermesReleaseDate ? { releaseDate: state.hermesReleaseDate } : {}),
      generation: state.generation,
      caps: state.hermesCaps,
    };
  }
  if (!h) {
    throw stepError(
      'E_HERMES_MISSING',
      'hermes was not found on the host (login-shell PATH, ~/.local/bin, /usr/local/bin, ~/.hermes/hermes-agent/venv/bin, /opt/homebrew/bin)',
      'install Hermes Agent on the host first (its install.sh), then rerun',
    );
  }
  // A renamed product or a dashboard without the flags we need: stop (docs/hermes-contract.md#c17). A version line
  // that names no product at all is a broken install (E_HERMES_VERSION below).
  const seen = unrecognisedBuild(h);
  const v = parseVersionLine(h.versionOut);
  if (seen && (v || /^\S.* Agent v\S/m.test(h.versionOut))) throw unrecognisedError(h, seen, after);
  if (!v) {
    throw stepError(
      'E_HERMES_VERSION',
      `\`${h.path} --version\` did not print "Hermes Agent v…": ${h.versionOut.trim().split('\n')[0]?.slice(0, 120) ?? ''}`,
      `run \`${h.path} --version\` on the host; reinstall Hermes if it fails`,
    );
  }
  const caps = parseCapabilities(h.dashboardHelp, h.serveHelp);
  return { ...v, caps, generation: detectGeneration(v, caps) };
}

export const hermesCheck: Check<HermesBuild> = {
  kind: 'check',
  id: 'hermes',
  title: 'Find Hermes',
  run: (_io, i) => readBuild(i.facts.hermes, i.state),
  implies: (build) => ({ build }),
  detail: (b, i) =>
    `${describeBuild(b)} at ${i.facts.hermes?.path} (${i.facts.hermes?.via}${i.facts.hermes?.cached ? ', install unchanged' : ''})`,
};
