// The one dashboard probe every command uses: the desktop app's handshake with the mode's credential —
// `?token=` for token and tunnel mode, a ws-ticket from the basic-auth sign-in for password mode.
import { signsIn } from '../hermes/access-mode.js';
import type { AccessMode } from '../constants.js';
import type { Dial } from './dial.js';
import { isWildcard } from './address.js';
import { fetchWsTicket, type LoginSession } from './password-login.js';
import { probeWebSocket, type WsProbeResult } from './ws-probe.js';

export interface DashboardProbe {
  dial: Dial;
  /** Where the dashboard is bound (a wildcard bind is dialled on 127.0.0.1). */
  bind: string;
  port: number;
  mode: AccessMode;
  token?: string;
  /** Password mode: the sign-in; without a password the probe is skipped. `session`: one sign-in shared by a run's probes. */
  login?: { username: string; password?: string; session?: LoginSession };
  /** Override the Host header (doctor: the MagicDNS name). */
  hostHeader?: string;
  /** Default file:// (the packaged app); '' sends none. */
  origin?: string;
  timeoutMs: number;
}

export type DashboardProbeResult = WsProbeResult | { skipped: string };

export function probeAddress(bind: string, port: number): { host: string; hostHeader: string } {
  const host = isWildcard(bind) ? '127.0.0.1' : bind;
  return { host, hostHeader: `${host.includes(':') ? `[${host}]` : host}:${port}` };
}

export async function probeDashboard(p: DashboardProbe): Promise<DashboardProbeResult> {
  const addr = probeAddress(p.bind, p.port);
  const base = {
    dial: p.dial,
    host: addr.host,
    port: p.port,
    hostHeader: p.hostHeader ?? addr.hostHeader,
    timeoutMs: p.timeoutMs,
    ...(p.origin !== undefined ? { origin: p.origin } : {}),
  };
  if (!signsIn(p.mode)) return probeWebSocket({ ...base, ...(p.token ? { token: p.token } : {}) });
  if (!p.login?.password)
    return {
      skipped: 'the basic-auth password is not known on this machine (pass --password-file to prove the sign-in)',
    };
  const t = await fetchWsTicket({
    dial: p.dial,
    host: addr.host,
    port: p.port,
    hostHeader: base.hostHeader,
    username: p.login.username,
    password: p.login.password,
    ...(p.login.session ? { session: p.login.session } : {}),
  });
  if (!t.ok)
    return {
      ok: false,
      kind: 'http',
      ms: 0,
      detail: `sign-in failed: ${t.detail}`,
      ...(t.status ? { status: t.status } : {}),
    };
  return probeWebSocket({ ...base, ticket: t.ticket });
}

/** Retries while the dashboard is still starting (refused, reset, timeout), up to `ms`. */
export async function probeDashboardUntil(p: DashboardProbe, ms: number): Promise<DashboardProbeResult> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await probeDashboard(p);
    if ('skipped' in r || r.ok || Date.now() > deadline || !['refused', 'reset', 'timeout'].includes(r.kind)) return r;
    await new Promise((res) => setTimeout(res, 300));
  }
}
