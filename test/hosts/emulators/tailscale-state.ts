// Schema and helpers for the tailscale emulator's state file (tailscale.sh reads it from
// $TAILSCALE_EMU_STATE or /var/lib/tailscale-emu/state.json). Import these to write state files.
// The file holds every answer, precomputed here (tailscale-answers.ts) as sh variables, so the emulator
// never starts node: a call costs one `sh` (issue 16 item 2).
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { computeTailscaleAnswers, IP_KEYS } from './tailscale-answers.js';

export type TailscaleBackendState =
  'Running' | 'NeedsLogin' | 'NeedsMachineAuth' | 'Stopped' | 'Starting' | 'NoState' | 'InUseOtherUser';

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

/** Absolute path of the self-contained emulator script (POSIX sh; copy it anywhere as `tailscale`). */
export const TAILSCALE_EMULATOR_PATH = join(dirname(fileURLToPath(import.meta.url)), 'tailscale.sh');

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

/** Single-quoted for sh (any bytes, newlines included). */
export function shQuote(v: string): string {
  return `'${v.replace(/'/g, `'\\''`)}'`;
}

/**
 * The state file's contents: a marker line, the state as a JSON comment (for people), then the answers as
 * sh assignments that tailscale.sh sources.
 */
export function renderTailscaleState(state: TailscaleEmuState): string {
  const a = computeTailscaleAnswers(state);
  const vars: [string, string][] = [
    ['T_VERSION', a.version],
    ['T_DOWN', a.down],
    ['T_H', a.usesHostname ? '1' : ''],
    ['T_SJ', a.statusJson],
    ['T_SJN', a.statusJsonNoPeers],
    ['T_ST', a.statusText.out],
    ['T_STC', String(a.statusText.code)],
    ...IP_KEYS.flatMap((k): [string, string][] => [
      [`T_IP_${k}`, a.ip[k].out],
      [`T_IPC_${k}`, String(a.ip[k].code)],
    ]),
    ['T_SVJ', a.serveJson],
    ['T_SVT', a.serveText],
    ['T_FNJ', a.funnelJson],
    ['T_FNT', a.funnelText],
  ];
  return [
    '# tailscale-emu answers v1',
    `# state: ${JSON.stringify(state)}`,
    ...vars.map(([k, v]) => `${k}=${shQuote(v)}`),
    '',
  ].join('\n');
}

/** Atomically writes a state file (mode 0644 so any user's `tailscale` can read it). */
export async function writeTailscaleState(path: string, state: TailscaleEmuState): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(`${path}.tmp`, renderTailscaleState(state), { mode: 0o644 });
  await rename(`${path}.tmp`, path);
}

/**
 * Installs the emulator as an executable at `dest`, with its default state path replaced by `statePath` (so it
 * works without TAILSCALE_EMU_STATE, e.g. for launchd jobs or systemd units) and the platform whose
 * daemon-down message a missing state file gives.
 */
export async function installTailscaleEmulator(
  dest: string,
  statePath = DEFAULT_TAILSCALE_STATE_PATH,
  platform: 'linux' | 'macos' = 'linux',
): Promise<void> {
  const src = await readFile(TAILSCALE_EMULATOR_PATH, 'utf8');
  const text = src
    .split(`S=\${TAILSCALE_EMU_STATE:-${DEFAULT_TAILSCALE_STATE_PATH}}`)
    .join(`S=\${TAILSCALE_EMU_STATE:-${shQuote(statePath)}}`)
    .split('\nP=linux\n')
    .join(`\nP=${platform}\n`);
  await mkdir(dirname(dest), { recursive: true });
  await writeFile(`${dest}.tmp`, text, { mode: 0o755 });
  await chmod(`${dest}.tmp`, 0o755);
  await rename(`${dest}.tmp`, dest);
}
