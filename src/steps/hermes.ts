// Step: find `hermes` and tell its version, generation and capabilities (no changes; fails if missing).
import { stepError } from '../errors.js';
import type { HermesFacts } from '../facts/parse-facts.js';
import { describeBuild, detectGeneration, parseCapabilities, parseVersionLine, type Generation, type HermesBuild } from '../hermes/version.js';
import type { ConvergeState } from '../state.js';
import type { Converge, Step } from './context.js';

export function readBuild(h: HermesFacts | undefined, state?: ConvergeState): HermesBuild {
  if (h?.cached && state && state.hermesKey === h.key) {
    return { version: state.hermesVersion, ...(state.hermesReleaseDate ? { releaseDate: state.hermesReleaseDate } : {}), generation: state.generation as Generation, caps: state.hermesCaps };
  }
  if (!h) {
    throw stepError('E_HERMES_MISSING', 'hermes was not found on the host (login-shell PATH, ~/.local/bin, /usr/local/bin, ~/.hermes/hermes-agent/venv/bin)',
      'install Hermes Agent on the host first (its install.sh), then rerun');
  }
  const v = parseVersionLine(h.versionOut);
  if (!v) {
    throw stepError('E_HERMES_VERSION', `\`${h.path} --version\` did not print "Hermes Agent v…": ${h.versionOut.trim().split('\n')[0]?.slice(0, 120) ?? ''}`,
      `run \`${h.path} --version\` on the host; reinstall Hermes if it fails`);
  }
  const caps = parseCapabilities(h.dashboardHelp, h.serveHelp);
  return { ...v, caps, generation: detectGeneration(v, caps) };
}

export const hermesStep: Step<HermesBuild, never> = {
  id: 'hermes',
  title: 'Find Hermes',
  read: (c) => readBuild(c.facts.hermes, c.state),
  plan: () => undefined,
  describe: () => '',
  apply: async () => undefined,
  okDetail: (b, c: Converge) => {
    c.build = b;
    return `${describeBuild(b)} at ${c.facts.hermes?.path} (${c.facts.hermes?.via}${c.facts.hermes?.cached ? ', install unchanged' : ''})`;
  },
};
