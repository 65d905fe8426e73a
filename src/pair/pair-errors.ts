// The pairing failures the user can see: one line each, with the fix, and a distinct code.
import { HermesSetupError, stepError } from '../errors.js';

export const RELAY_INSTALL_COMMAND = 'hermes plugins install Codename-11/hermes-relay/plugin --enable';

export function pluginMissing(label: string): HermesSetupError {
  return stepError('E_RELAY_PLUGIN_MISSING', `the hermes-relay plugin is not installed on ${label} (no \`hermes pair\`)`,
    `install it on the host: ${RELAY_INSTALL_COMMAND}`);
}

export function mintFailed(label: string, detail: string): HermesSetupError {
  return stepError('E_PAIR_MINT_FAILED', `\`hermes pair\` on ${label} failed: ${detail}`,
    'check that the relay runs on the host (hermes relay start, or its systemd user unit) and rerun');
}

export function codeFormat(code: string): HermesSetupError {
  return new HermesSetupError('E_PAIR_CODE_FORMAT', `"${code}" is not a pairing code (6 characters A-Z, 0-9)`,
    'copy the code again from `hermes pair` on the host, or omit it to mint a new one');
}

export function codeExpired(code: string, ago: number): HermesSetupError {
  return stepError('E_PAIR_CODE_EXPIRED', `pairing code ${code} expired ${ago} s ago (codes live 10 minutes)`,
    'mint a new one: rerun hermes-setup pair <target> without a code');
}

export function codeReused(code: string, usedAt: number): HermesSetupError {
  return stepError('E_PAIR_CODE_REUSED', `pairing code ${code} was already used (at ${new Date(usedAt * 1000).toISOString()}); codes are single use`,
    'mint a new one: rerun hermes-setup pair <target> without a code');
}

export function codeRejected(code: string, reason: string): HermesSetupError {
  return stepError('E_PAIR_CODE_INVALID', `the relay rejected pairing code ${code} (${reason})`,
    'check the code (it may be mistyped, already used or expired), or rerun hermes-setup pair <target> without a code to mint one');
}

export function rateLimited(retryAfter: number | undefined): HermesSetupError {
  const wait = retryAfter ? `${retryAfter} s` : 'a few minutes';
  return stepError('E_PAIR_RATE_LIMITED', `the relay is refusing this address after too many failed attempts`,
    `wait ${wait}, then pair once with a freshly minted code (hermes-setup pair <target>)`);
}

export function allUnreachable(details: string[]): HermesSetupError {
  return new HermesSetupError('E_PAIR_UNREACHABLE', `no relay endpoint answered (${details.join('; ')})`,
    'check that the relay listens on 0.0.0.0:8767 on the host and that this machine can reach it (LAN or Tailscale), or use --mode/--public-url');
}

export function certChanged(hostPort: string, pinned: string, seen: string): HermesSetupError {
  return stepError('E_PAIR_CERT_CHANGED', `the relay certificate for ${hostPort} changed (pinned ${pinned}, now ${seen})`,
    'if the relay\'s certificate was replaced on purpose, remove that entry from ~/.hermes/remote-sessions.json and pair again; otherwise do not connect');
}
