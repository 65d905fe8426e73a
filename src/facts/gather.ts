// Gathers the facts in one exec round trip.
import { remoteCommandError } from '../errors.js';
import type { Remote } from '../transport/remote.js';
import { renderFactsScript } from './facts-script.js';
import { parseFacts, type Facts } from './parse-facts.js';

/** `fresh`: re-read the Hermes version and help texts even when the install looks unchanged (after `hermes update`). */
export async function gatherFacts(remote: Remote, port: number, o: { fresh?: boolean } = {}): Promise<Facts> {
  const r = await remote.exec(`sh -c ${JSON.stringify('exec sh -s')}`, { stdin: renderFactsScript(port, o), timeoutMs: 180_000 });
  const facts = parseFacts(r.stdout, port);
  if (!facts.complete) {
    throw remoteCommandError('E_FACTS', `reading the state of ${remote.label}`, r,
      'the login shell must be a POSIX shell (sh, bash, zsh); rerun with --debug');
  }
  return facts;
}
