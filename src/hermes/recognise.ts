// Is the build on the host one hermes-setup knows how to drive? Decided by what the build shows — the product name
// in its first `--version` line and the flags `dashboard --help` lists — not by its version number or date
// (docs/hermes-contract.md#c17, #c12: 0.21.5 may say v0.0.0; a rebrand says "Rabbit Agent"). Pure.
import { stepError, type HermesSetupError } from '../errors.js';
import type { HermesFacts } from '../facts/parse-facts.js';

/** The flags of `hermes dashboard` the service's command line needs (docs/hermes-contract.md#c2). */
const NEEDED_FLAGS = ['--host', '--port'] as const;

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? '').trim();
}

function listed(help: string, flag: string): boolean {
  return new RegExp(`(^|\\s|\\[)${flag.replace(/-/g, '\\-')}(\\s|=|,|\\]|$)`, 'm').test(help);
}

/** What was seen that hermes-setup does not recognise, in a few words; undefined when the build is usable. */
export function unrecognisedBuild(h: Pick<HermesFacts, 'versionOut' | 'dashboardHelp'>): string | undefined {
  const version = firstLine(h.versionOut);
  const product = /^(.+?) Agent v\S+/.exec(version)?.[1];
  if (product !== undefined && product !== 'Hermes')
    return `\`hermes --version\` names another product: "${version.slice(0, 100)}"`;
  const missing = NEEDED_FLAGS.filter((f) => !listed(h.dashboardHelp, f));
  if (missing.length === 0) return undefined;
  const said =
    firstLine(
      h.dashboardHelp
        .split('\n')
        .filter((l) => /error|invalid|usage/i.test(l))
        .reverse()
        .join('\n'),
    ) ||
    firstLine(h.dashboardHelp) ||
    'nothing';
  return `\`hermes dashboard --help\` lists no ${missing.join(' / ')} (${version.slice(0, 60) || 'no version'}; it said: "${said.slice(0, 100)}")`;
}

/** The one-line refusal for a build hermes-setup does not recognise; `after` names what just ran (hermes update). */
export function unrecognisedError(h: HermesFacts, seen: string, after?: string): HermesSetupError {
  const when = after ? `after ${after}, ` : '';
  return stepError(
    'E_HERMES_UNRECOGNISED',
    `${when}the Hermes build at ${h.path} is not one hermes-setup recognises: ${seen}; stopping ${after ? 'before the later steps' : 'before changing anything'}`,
    `run \`${h.path} --version\` and \`${h.path} dashboard --help\` on the host; a newer hermes-setup may support this build — otherwise reinstall Hermes Agent`,
  );
}
