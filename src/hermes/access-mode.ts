// Which access mode and bind address to use (docs/hermes-contract.md#c1, #c7, #c8). Pure.
import { stepError, usageError } from '../errors.js';
import type { AccessMode, Generation, RequestedMode } from '../constants.js';

export interface ModeInputs {
  requested: RequestedMode;
  generation: Generation;
  version: string;
  /** The host's tailnet IPv4 when tailscale is Running. */
  tailnetIp?: string;
  tailscaleState: string;
  /** --bind all → 0.0.0.0; --bind tailnet (default); or an explicit address. */
  bind: string;
  /** The mode comes from the host's record (check --repair), not from a --mode flag. */
  recorded?: boolean;
}

export interface ModeDecision {
  mode: AccessMode;
  bind: string;
  reason: string;
}

function tooOld(version: string): Error {
  return stepError(
    'E_HERMES_TOO_OLD',
    `Hermes v${version} (G0, before 2026-06-02) is too old: the desktop app's file:// origin is refused on a remote bind and chat needs --tui`,
    'update Hermes on the host (`hermes update`; hermes-setup runs it first unless --no-update), then rerun',
  );
}

function tokenUnsupported(build: string): Error {
  return usageError(
    'E_MODE_UNSUPPORTED',
    `--mode token needs a build that honours ?token= on a non-loopback bind; this one (${build}) gates every non-loopback bind`,
    'use --mode password (basic auth over Tailscale) or --mode tunnel (SSH port forward)',
  );
}

function pickBind(bind: ModeInputs['bind'], tailnetIp: string | undefined, state: string): string {
  if (bind === 'all') return '0.0.0.0';
  if (bind !== 'tailnet') return bind;
  if (!tailnetIp) {
    throw stepError(
      'E_TAILSCALE_DOWN',
      `Tailscale on the host is ${state}, so there is no tailnet address to bind`,
      'run `sudo tailscale up` on the host, or use --mode tunnel (SSH port forward), or --bind all',
    );
  }
  return tailnetIp;
}

/** Why an explicit mode: the flag, or (check --repair) the mode the last converge recorded. */
function asked(i: ModeInputs): string {
  return i.recorded ? `as recorded at the last converge (${i.requested} mode)` : `as asked (--mode ${i.requested})`;
}

export function decideAccessMode(i: ModeInputs): ModeDecision {
  if (i.generation === 'G0') throw tooOld(i.version);
  const build = `${i.generation}, v${i.version}`;
  if (i.requested === 'tunnel') {
    return {
      mode: 'tunnel',
      bind: '127.0.0.1',
      reason: `${asked(i)}: loopback bind + pinned token, reached through an SSH port forward`,
    };
  }
  if (i.requested === 'token' && i.generation !== 'G1') throw tokenUnsupported(build);
  const auto = i.requested === 'auto';
  if (auto && !i.tailnetIp && i.bind === 'tailnet') {
    return {
      mode: 'tunnel',
      bind: '127.0.0.1',
      reason: `Tailscale is ${i.tailscaleState} on the host, so bind loopback and reach it through an SSH port forward`,
    };
  }
  const bind = pickBind(i.bind, i.tailnetIp, i.tailscaleState);
  if (i.requested === 'token' || (auto && i.generation === 'G1')) {
    return {
      mode: 'token',
      bind,
      reason: `this build (${build}) honours a pinned token on a non-loopback bind with --insecure`,
    };
  }
  return {
    mode: 'password',
    bind,
    reason: auto
      ? `this build (${build}) refuses a non-loopback bind without an auth provider, so pin a basic-auth login`
      : `${asked(i)}: basic-auth login on the ${i.bind === 'tailnet' ? 'tailnet' : bind} bind`,
  };
}

/** What each access mode means for the rest of the tool, so no one compares mode strings. */
const MODE_TRAITS = {
  token: { credential: 'token', tunnel: false },
  password: { credential: 'ticket', tunnel: false },
  tunnel: { credential: 'token', tunnel: true },
} as const satisfies Record<AccessMode, { credential: 'token' | 'ticket'; tunnel: boolean }>;

/** The mode signs in with the basic-auth provider (a ws-ticket), not the session token. */
export function signsIn(mode: AccessMode | undefined): boolean {
  return mode !== undefined && MODE_TRAITS[mode].credential === 'ticket';
}

/** The mode binds loopback and is reached through an SSH port forward (no tailnet URL). */
export function isTunnel(mode: AccessMode | undefined): boolean {
  return mode !== undefined && MODE_TRAITS[mode].tunnel;
}
