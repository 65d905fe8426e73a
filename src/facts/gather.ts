// Gathers the facts in one exec round trip.
import { remoteCommandError } from '../errors.js';
import type { ExecResult, Remote } from '../transport/remote.js';
import type { PortSpec } from '../probe/port.js';
import { renderFactsScript } from './facts-script.js';
import { parseFacts, type Facts } from './parse-facts.js';

/** `port`: whose listeners to read; `{ recordedOr }` reads the port the state file records (facts.portChecked).
 * `fresh`: re-read the Hermes version and help texts even when the install looks unchanged (after `hermes update`). */
export async function gatherFacts(remote: Remote, port: PortSpec, o: { fresh?: boolean } = {}): Promise<Facts> {
  const r = await remote.exec(`sh -c ${JSON.stringify('exec sh -s')}`, {
    stdin: renderFactsScript(port, o),
    timeoutMs: 180_000,
  });
  return factsFromOutput(r, typeof port === 'number' ? port : port.recordedOr, remote.label);
}

/** The facts script's output as Facts; E_FACTS when it did not run to its end. */
export function factsFromOutput(r: ExecResult, port: number, label: string): Facts {
  const facts = parseFacts(r.stdout, port);
  if (!facts.complete) {
    throw remoteCommandError(
      'E_FACTS',
      `reading the state of ${label}`,
      r,
      'the login shell must be a POSIX shell (sh, bash, zsh); rerun with --debug',
    );
  }
  return facts;
}
