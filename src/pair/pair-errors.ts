// The pairing failures the user can see: one line each, with the fix, and a distinct code.
import { HermesSetupError, stepError, usageError } from '../errors.js';

export const RELAY_INSTALL_COMMAND = 'hermes plugins install Codename-11/hermes-relay/plugin --enable';
/**
 * How to start the relay: `hermes relay start` (plugin/cli.py `register_relay_cli`, and what `hermes pair` itself
 * prints, plugin/pair.py @01533337; plugin/after-install.md @c0901695) runs it in the foreground; installs with the
 * legacy installer have the systemd user unit `hermes-relay.service` (docs/hermes-contract.md#c16).
 */
export const RELAY_START_HINT =
  'start it on the host: hermes relay start (foreground), or systemctl --user start hermes-relay.service where its user unit is installed';

export function pluginMissing(label: string): HermesSetupError {
  return stepError(
    'E_RELAY_PLUGIN_MISSING',
    `the hermes-relay plugin is not installed on ${label} (no \`hermes pair\`)`,
    `install it on the host: ${RELAY_INSTALL_COMMAND}`,
  );
}

export function relayNotRunning(label: string, port: number): HermesSetupError {
  return stepError(
    'E_RELAY_NOT_RUNNING',
    `the hermes-relay server is not running on ${label} (nothing answers on 127.0.0.1:${port})`,
    RELAY_START_HINT,
  );
}

export function mintFailed(label: string, detail: string): HermesSetupError {
  return stepError(
    'E_PAIR_MINT_FAILED',
    `minting a pairing code on ${label} failed: ${detail}`,
    `check the relay on the host (hermes relay doctor); ${RELAY_START_HINT}`,
  );
}

export function routeMissing(mode: string, available: string[]): HermesSetupError {
  const has = available.length > 0 ? available.join(', ') : 'none';
  const fix =
    mode === 'tailscale'
      ? 'bring Tailscale up on the host (tailscale up) and rerun, or choose another --mode'
      : mode === 'public'
        ? 'check --public-url (the relay must publish it), or choose another --mode'
        : 'choose another --mode';
  return stepError(
    'E_PAIR_ROUTE_MISSING',
    `the relay's invite has no ${mode} route (it offers: ${has}); not pairing over another route`,
    fix,
  );
}

export function ttlMismatch(asked: number, registered: number): HermesSetupError {
  const show = (s: number): string => (s === 0 ? 'never expires' : `${s} s`);
  return stepError(
    'E_PAIR_TTL_MISMATCH',
    `the relay registered a session lifetime of ${show(registered)}, not the ${show(asked)} asked for; the code was not used`,
    "rerun without --ttl to accept the relay's lifetime, or mint on the host with hermes pair --ttl and pair with that code",
  );
}

export function handCodeOptions(): HermesSetupError {
  return usageError(
    'E_USAGE',
    '--mode, --public-url and --ttl apply when hermes-setup mints the code; a code from `hermes pair` already carries them',
    'drop them, or pass --relay-url ws://host:8767 to choose the route for a hand-given code',
  );
}

export function codeFormat(code: string): HermesSetupError {
  return new HermesSetupError(
    'E_PAIR_CODE_FORMAT',
    `"${code}" is not a pairing code (6 characters A-Z, 0-9)`,
    'copy the code again from `hermes pair` on the host, or omit it to mint a new one',
  );
}

export function codeExpired(code: string, ago: number): HermesSetupError {
  return stepError(
    'E_PAIR_CODE_EXPIRED',
    `pairing code ${code} expired ${ago} s ago (codes live 10 minutes)`,
    'mint a new one: rerun hermes-setup pair <target> without a code',
  );
}

export function codeReused(code: string, usedAt: number): HermesSetupError {
  return stepError(
    'E_PAIR_CODE_REUSED',
    `pairing code ${code} was already used (at ${new Date(usedAt * 1000).toISOString()}); codes are single use`,
    'mint a new one: rerun hermes-setup pair <target> without a code',
  );
}

export function codeRejected(code: string, reason: string): HermesSetupError {
  return stepError(
    'E_PAIR_CODE_INVALID',
    `the relay rejected pairing code ${code} (${reason})`,
    'check the code (it may be mistyped, already used or expired), or rerun hermes-setup pair <target> without a code to mint one',
  );
}

/** §18.7 "Rate limits": blocks last 120 s (codes) or 300 s (sessions), no Retry-After, and any new mint clears them. */
export function rateLimited(): HermesSetupError {
  return stepError(
    'E_PAIR_RATE_LIMITED',
    'the relay is refusing this address (HTTP 429) after too many failed attempts',
    'mint a fresh code: hermes-setup pair <target> without a code (a new mint lifts the block), or wait up to 5 minutes',
  );
}

export function allUnreachable(details: string[]): HermesSetupError {
  return new HermesSetupError(
    'E_PAIR_UNREACHABLE',
    `no relay route answered (${details.join('; ')})`,
    'check that the relay listens on 0.0.0.0:8767 on the host and that this machine can reach it (LAN or Tailscale), or use --mode/--public-url',
  );
}

export function certChanged(hostPort: string, pinned: string, seen: string): HermesSetupError {
  return stepError(
    'E_PAIR_CERT_CHANGED',
    `the relay certificate for ${hostPort} changed (pinned ${pinned}, now ${seen})`,
    "if the relay's certificate was replaced on purpose, remove that entry from ~/.hermes/remote-sessions.json and pair again; otherwise do not connect",
  );
}
