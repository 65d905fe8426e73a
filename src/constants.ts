// One home for each constant hermes-setup shares with Hermes, the desktop app and its own earlier runs.
// Names Hermes itself expects are in docs/hermes-contract.md (the unit name, the launchd label, the port).

/** `hermes dashboard --port` default, and ours. */
export const DEFAULT_PORT = 9119;
/** Where the printed `ssh -N -L` tunnel listens on the user's machine (tunnel mode). */
export const TUNNEL_LOCAL_PORT = 19119;
/** The unit name newer `hermes update` restarts by name. */
export const UNIT_NAME = 'hermes-dashboard.service';
/** The launchd label upstream's proposed installer and hand-made plists use. */
export const LAUNCHD_LABEL = 'ai.hermes.dashboard';
/** The basic-auth user name when --username is not given. */
export const DEFAULT_USERNAME = 'hermes';

export const ACCESS_MODES = ['token', 'password', 'tunnel'] as const;
/** token: pinned token on a non-loopback bind (G1); password: basic-auth provider; tunnel: loopback + SSH forward. */
export type AccessMode = (typeof ACCESS_MODES)[number];
export const REQUESTED_MODES = ['auto', ...ACCESS_MODES] as const;
export type RequestedMode = (typeof REQUESTED_MODES)[number];

export function isAccessMode(v: unknown): v is AccessMode {
  return typeof v === 'string' && (ACCESS_MODES as readonly string[]).includes(v);
}

export const GENERATIONS = ['G0', 'G1', 'G2', 'G3'] as const;
/** G0 < 2026-06-02, G1 until 06-21, G2 hardened, G3 newer `serve` (docs/hermes-contract.md#c1). */
export type Generation = (typeof GENERATIONS)[number];

/** Paths on the host; `~/` is the connecting user's home. */
export const PATHS = {
  hermesDir: '~/.hermes',
  env: '~/.hermes/.env',
  envBackup: '~/.hermes/.env.hermes-setup.bak',
  state: '~/.hermes/.hermes-setup-state.json',
  lock: '~/.hermes/.hermes-setup.lock',
  updateMarker: '~/.hermes/.hermes-update-in-progress',
  config: '~/.hermes/config.yaml',
  configBackup: '~/.hermes/config.yaml.hermes-setup.bak',
  logs: '~/.hermes/logs',
  unitUser: `~/.config/systemd/user/${UNIT_NAME}`,
  unitSystem: `/etc/systemd/system/${UNIT_NAME}`,
  plistAgent: `~/Library/LaunchAgents/${LAUNCHD_LABEL}.plist`,
  plistDaemon: `/Library/LaunchDaemons/${LAUNCHD_LABEL}.plist`,
} as const;

/** `.env` files larger than this are refused (Hermes's own .env is a few KiB). */
export const MAX_ENV_BYTES = 1024 * 1024;
