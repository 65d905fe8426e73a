// The error-code registry: every code the user can see, its exit code and a one-line meaning. The exit code of an
// error comes from here and nowhere else; docs/error-codes.md is generated from it (npm run docs:errors).
export const EXIT = {
  OK: 0,
  STEP_FAILED: 1,
  USAGE: 2,
  UNHEALTHY: 3,
  UNREACHABLE: 4,
  HOSTKEY: 5,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

const U = EXIT.USAGE;
const F = EXIT.STEP_FAILED;
const H = EXIT.UNHEALTHY;
const N = EXIT.UNREACHABLE;
const K = EXIT.HOSTKEY;

export const ERROR_CODES = {
  // usage and configuration (2): nothing was changed
  E_USAGE: [U, 'a flag, argument or value is not valid'],
  E_UNKNOWN_COMMAND: [U, 'no such command'],
  E_UNKNOWN_FLAG: [U, 'no such flag for this command'],
  E_TARGET_INVALID: [U, 'the target is not user@host, user@host:port, ssh://… or an ssh config alias'],
  E_TARGET_PORT: [U, 'the port in the target is not 1-65535'],
  E_SSH_CONFIG: [U, '~/.ssh/config (or --ssh-config) cannot be read'],
  E_SSH_CONFIG_UNSUPPORTED: [U, 'the ssh config uses ProxyJump/ProxyCommand, which hermes-setup does not follow'],
  E_IDENTITY_UNREADABLE: [U, 'an --identity / IdentityFile key cannot be read'],
  E_KNOWN_HOSTS_UNREADABLE: [U, 'known_hosts cannot be read'],
  E_KNOWN_HOSTS_MALFORMED: [U, 'known_hosts has a line hermes-setup cannot parse'],
  E_INVENTORY: [U, 'the --inventory file is not valid TOML or Ansible INI'],
  E_LIMIT_EMPTY: [U, '--limit matches no host'],
  E_MODE_UNSUPPORTED: [U, 'the asked --mode cannot work on this Hermes build'],
  E_LAUNCHD_DOMAIN: [U, '--launchd-domain gui was asked but the user has no GUI login on the Mac'],
  E_PUBLIC_BIND: [U, 'the bind would expose the dashboard on a public address (needs --allow-public)'],
  E_ENV_SYMLINK: [U, '~/.hermes/.env is a symlink; hermes-setup will not replace it'],
  E_ENV_NOT_FILE: [U, '~/.hermes/.env is not a regular file'],
  E_ENV_TOO_LARGE: [U, '~/.hermes/.env is over 1 MiB or unreadable'],
  E_ENV_NUL: [U, '~/.hermes/.env contains NUL bytes'],
  E_ENV_ENCODING: [U, '~/.hermes/.env is latin-1 and a value to pin has a character latin-1 cannot hold'],
  E_CONFIG_YAML: [
    U,
    '~/.hermes/config.yaml disables the basic-auth login and cannot be edited safely (the message has the manual fix)',
  ],
  E_PROFILE_NAME: [U, 'the desktop-app profile name is not valid'],
  E_RELAY_URL: [U, 'the relay URL is not valid'],
  E_PAIR_CODE_FORMAT: [U, 'the pairing code is not 6 characters A-Z, 0-9'],
  // a step failed (1)
  E_STEP: [F, 'a step failed for a reason without its own code (see the message)'],
  E_INTERNAL: [F, 'a bug in hermes-setup (rerun with --debug and report it)'],
  E_FACTS: [F, "reading the host's state failed (the login shell is not POSIX?)"],
  E_REMOTE_IO: [F, 'reading or writing a file on the host failed'],
  E_REMOTE_EXEC: [F, 'a command on the host failed'],
  E_UNSUPPORTED_OS: [F, 'the host has neither systemd (Linux) nor launchd (macOS)'],
  E_HERMES_MISSING: [F, 'hermes is not installed on the host'],
  E_HERMES_VERSION: [F, '`hermes --version` did not print a version'],
  E_HERMES_TOO_OLD: [F, 'the Hermes build is too old for a remote dashboard'],
  E_HERMES_UNRECOGNISED: [
    F,
    'the Hermes build is one hermes-setup does not recognise (renamed, or without the dashboard flags it needs)',
  ],
  E_UPDATE_IN_PROGRESS: [F, 'a `hermes update` is running on the host'],
  E_UPDATE_FAILED: [F, '`hermes update` failed'],
  E_TAILSCALE_DOWN: [F, 'Tailscale is not up on the host, so there is no tailnet address to bind'],
  E_NOT_WRITABLE: [F, '~/.hermes is not writable'],
  E_DISK_FULL: [F, "the host's disk is full"],
  E_LOCK: [F, 'the host lock cannot be taken'],
  E_LOCKED: [F, 'another hermes-setup run is working on the host'],
  E_TIDY: [F, 'leftover temp files cannot be removed'],
  E_ENV_WRITE: [F, '~/.hermes or its .env cannot be written'],
  E_STRAY_KILL: [F, 'a stray dashboard could not be stopped'],
  E_PORT_FOREIGN: [F, 'a process that is not Hermes holds the dashboard port'],
  E_SERVICE_DRIFT: [F, 'the service file hermes-setup wrote was edited by hand since (replace it with --force)'],
  E_SERVICE_FOREIGN: [
    F,
    "a service file at hermes-setup's path runs something other than hermes dashboard/serve (replace it with --force)",
  ],
  E_SYSTEMCTL: [F, 'systemctl failed'],
  E_LINGER: [F, 'linger cannot be enabled'],
  E_USER_BUS: [F, 'the user systemd manager did not start'],
  E_LAUNCHCTL: [F, 'launchctl failed'],
  E_SUDO: [F, 'a LaunchDaemon needs passwordless sudo'],
  E_LOG_DIR: [F, 'the log directory cannot be created'],
  E_SERVICE_INACTIVE: [F, 'the service is not running after starting it'],
  E_PORT_NOT_LISTENING: [F, 'the dashboard does not listen where the mode needs it'],
  E_PORT_OWNER: [F, 'another process, not the service, holds the port'],
  E_PROBE_FAILED: [F, 'the WebSocket handshake the desktop app makes failed'],
  E_UNINSTALL: [F, 'removing the service failed'],
  E_CRONTAB: [F, 'crontab failed'],
  E_TIMER: [F, 'the systemd/launchd timer cannot be installed'],
  E_FLEET_FAILED: [F, 'a host of the fleet failed (check/doctor: 3)'],
  E_DESKTOP_NOT_SET_UP: [F, 'the host was never set up by hermes-setup remote'],
  E_DESKTOP_CONFIG_INVALID: [F, "the desktop app's connection file is not valid JSON"],
  E_SESSIONS_FILE_INVALID: [F, '~/.hermes/remote-sessions.json is not valid'],
  E_NOT_PAIRED: [F, 'no stored relay session for this host'],
  E_RELAY_PLUGIN_MISSING: [F, 'the hermes-relay plugin is not installed on the host'],
  E_RELAY_UNREACHABLE: [F, 'the relay does not answer'],
  E_RELAY_UNAUTHORIZED: [F, 'the relay refused the stored session'],
  E_RELAY_API: [F, 'the relay answered an error'],
  E_PAIR_MINT_FAILED: [F, 'no pairing code could be minted on the host'],
  E_RELAY_NOT_RUNNING: [F, 'the hermes-relay server is not running on the host'],
  E_PAIR_ROUTE_MISSING: [F, 'the invite has no route of the asked --mode (nothing paired over another route)'],
  E_PAIR_TTL_MISMATCH: [F, 'the relay registered another session lifetime than --ttl asked (the code was not used)'],
  E_RELAY_FORBIDDEN: [F, 'the relay refused the request (403)'],
  E_DEVICE_EXTEND_REFUSED: [F, 'the relay only lets a device shorten its own session'],
  E_DEVICE_NOT_OWN: [F, "the prefix is another device's session; a device may only change its own"],
  E_PAIR_CODE_EXPIRED: [F, 'the pairing code expired'],
  E_PAIR_CODE_REUSED: [F, 'the pairing code was already used'],
  E_PAIR_CODE_INVALID: [F, 'the relay rejected the pairing code'],
  E_PAIR_RATE_LIMITED: [F, 'the relay is rate-limiting this address'],
  E_PAIR_CERT_CHANGED: [F, "the relay's TLS certificate changed since pairing"],
  E_DEVICE_NOT_FOUND: [F, 'no paired device matches the prefix'],
  E_DEVICE_PREFIX_AMBIGUOUS: [F, 'several paired devices match the prefix'],
  // unhealthy (3)
  E_UNHEALTHY: [H, 'check found the host unhealthy'],
  E_FINDINGS: [H, 'doctor found problems'],
  E_FLEET_UNHEALTHY: [H, 'a host of the fleet is unhealthy (check) or has problems (doctor)'],
  // unreachable (4)
  E_UNREACHABLE: [N, 'the host cannot be reached over SSH (refused, timed out, no route, dropped)'],
  E_SSH_AUTH: [N, 'SSH authentication failed'],
  E_SSH_NO_IDENTITY: [N, 'no SSH key or agent to offer'],
  E_FLEET_UNREACHABLE: [N, 'a host of the fleet was unreachable'],
  E_PAIR_UNREACHABLE: [N, 'no relay endpoint answered'],
  // host key (5)
  E_HOSTKEY_UNKNOWN: [K, 'the host key is not in known_hosts (pass --accept-new-host-key)'],
  E_HOSTKEY_CHANGED: [K, 'the host key changed (always refused)'],
  E_HOSTKEY_REVOKED: [K, 'the host key is marked @revoked'],
} as const satisfies Record<string, readonly [ExitCode, string]>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function exitCodeOf(code: ErrorCode): ExitCode {
  return ERROR_CODES[code][0];
}

const MEANING: Record<ExitCode, string> = {
  0: 'ok',
  1: 'a step failed',
  2: 'usage or config error',
  3: 'unhealthy (check) or problems (doctor)',
  4: 'host unreachable or SSH authentication failed',
  5: 'host key rejected',
};

/** docs/error-codes.md, rendered from the registry. */
export function renderErrorCodesDoc(): string {
  const rows = (Object.entries(ERROR_CODES) as Array<[ErrorCode, readonly [ExitCode, string]]>).map(
    ([code, [exit, meaning]]) => `| \`${code}\` | ${exit} | ${meaning} |`,
  );
  const exits = Object.entries(MEANING).map(([c, m]) => `| ${c} | ${m} |`);
  return [
    '# Error codes',
    '',
    'Every error is one line, `E_CODE: cause — hint: fix`, and exits with the code below. Generated from',
    '`src/error-codes.ts` by `npm run docs:errors`; a unit test fails when this file is out of date.',
    '',
    '| Exit | Meaning |',
    '|---|---|',
    ...exits,
    '',
    '| Code | Exit | Meaning |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
