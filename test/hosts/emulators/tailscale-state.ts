// Schema and helpers for the tailscale emulator's state file (tailscale.cjs reads it from
// $TAILSCALE_EMU_STATE or /var/lib/tailscale-emu/state.json). Import these to write state files.
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type TailscaleBackendState =
  | 'Running' | 'NeedsLogin' | 'NeedsMachineAuth' | 'Stopped' | 'Starting' | 'NoState' | 'InUseOtherUser';

export interface TailscaleServeMapping {
  /** Serve/Funnel port on the tailnet name (default 443). */
  port?: number;
  /** Backend, e.g. `http://127.0.0.1:9119`. */
  target: string;
  path?: string;
  /** Default true (an `--https=` mapping); false = `--http=`. */
  https?: boolean;
  /** Exposed publicly with Funnel. */
  funnel?: boolean;
}

export interface TailscaleEmuState {
  /** Selects the daemon-unreachable message. Default: linux (the mac host writes macos). */
  platform?: 'linux' | 'macos';
  /** `down` = tailscaled / the Tailscale app is not running (every command fails). Default running. */
  daemon?: 'running' | 'down';
  /** Only meaningful on the emulated mac host: where the CLI is installed. Default `path`. */
  install?: 'path' | 'homebrew' | 'app-bundle' | 'none';
  backendState: TailscaleBackendState;
  /** Shown while NeedsLogin. */
  authURL?: string;
  hostName?: string;
  /** FQDN without the trailing dot (default `<hostName>.<magicDNSSuffix>`); status adds the dot. */
  dnsName?: string;
  tailnetName?: string;
  magicDNSSuffix?: string;
  magicDNSEnabled?: boolean;
  ipv4?: string;
  ipv6?: string;
  version?: string;
  health?: string[];
  certDomains?: string[];
  serve?: TailscaleServeMapping[];
}

export const DEFAULT_TAILSCALE_STATE_PATH = '/var/lib/tailscale-emu/state.json';

/** Absolute path of the self-contained emulator script (copy it anywhere as `tailscale`). */
export const TAILSCALE_EMULATOR_PATH = join(dirname(fileURLToPath(import.meta.url)), 'tailscale.cjs');

/**
 * A state document for `backendState` (default a logged-in, running node with MagicDNS). hostName defaults
 * (in the emulator) to the machine's hostname; addresses are left to the caller (the mac host fills in its
 * tailnet IPv4; pass `ipv4` for other hosts).
 */
export function presetTailscaleState(
  backendState: TailscaleBackendState = 'Running',
  over: Partial<TailscaleEmuState> = {},
): TailscaleEmuState {
  const base: TailscaleEmuState = {
    backendState,
    magicDNSSuffix: 'tail-emu.ts.net',
    magicDNSEnabled: true,
    tailnetName: 'user@example.com',
    version: '1.84.3',
  };
  if (backendState === 'NeedsLogin') base.authURL = 'https://login.tailscale.com/a/emu0123456789';
  return withoutUndefined({ ...base, ...over });
}

/** Drops keys whose value is undefined (so spreads of defaults are not clobbered). */
export function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** The state file's contents. */
export function renderTailscaleState(state: TailscaleEmuState): string {
  return `${JSON.stringify(state, null, 2)}\n`;
}

/** Atomically writes a state file (mode 0644 so any user's `tailscale` can read it). */
export async function writeTailscaleState(path: string, state: TailscaleEmuState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, renderTailscaleState(state), { mode: 0o644 });
  await rename(`${path}.tmp`, path);
}

/**
 * Installs the emulator as an executable at `dest`, with its default state path replaced by
 * `statePath` (so it works without TAILSCALE_EMU_STATE, e.g. for launchd jobs or systemd units).
 */
export async function installTailscaleEmulator(dest: string, statePath = DEFAULT_TAILSCALE_STATE_PATH): Promise<void> {
  const src = await readFile(TAILSCALE_EMULATOR_PATH, 'utf8');
  const text = src.replace(`const DEFAULT_STATE = '${DEFAULT_TAILSCALE_STATE_PATH}';`, `const DEFAULT_STATE = ${JSON.stringify(statePath)};`);
  await mkdir(dirname(dest), { recursive: true });
  await writeFile(`${dest}.tmp`, text, { mode: 0o755 });
  await chmod(`${dest}.tmp`, 0o755);
  await rename(`${dest}.tmp`, dest);
}
