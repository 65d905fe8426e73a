// peers.md §6.3 failure classification, sharpened with what each Hermes generation does
// (docs/hermes-contract.md#c1, #c8, #c6). Pure: result + context in, cause + fix out.
import type { WsProbeResult } from './ws-probe.js';
import { isLoopback, isWildcard } from './address.js';

export type Generation = 'G0' | 'G1' | 'G2' | 'G3';

export interface ProbeContext {
  generation?: Generation;
  mode: 'token' | 'password' | 'tunnel';
  /** The --host the dashboard was started with. */
  bind: string;
  /** Dashboard port on the host, for the commands in hints. */
  port?: number;
}

export interface ProbeVerdict {
  cause: string;
  hint: string;
}

type Failure = Extract<WsProbeResult, { ok: false }>;

const RESTART = 'systemctl --user restart hermes-dashboard (macOS: launchctl kickstart -k gui/$(id -u)/<label>)';
const LOGS = 'journalctl --user -u hermes-dashboard -n 50 (macOS: the plist StandardErrorPath)';

function portOf(ctx: ProbeContext): string {
  return ctx.port === undefined ? '<port>' : String(ctx.port);
}

function listenCheck(ctx: ProbeContext): string {
  const p = portOf(ctx);
  return `ss -Hltnp 'sport = :${p}' || lsof -nP -iTCP:${p} -sTCP:LISTEN`;
}

export function classifyProbe(r: WsProbeResult, ctx: ProbeContext): ProbeVerdict {
  if (r.ok) return { cause: 'WebSocket upgrade accepted and gateway.ready received', hint: '' };
  switch (r.kind) {
    case 'refused':
      return classifyRefused(ctx);
    case 'timeout':
      return {
        cause:
          'no answer in time: a firewall drops the connection, the dashboard is bound to another address, or the server hangs',
        hint: `on the host: ${listenCheck(ctx)}; check the bind address (--host ${ctx.bind}) and firewall rules; if it listens but hangs: ${RESTART}`,
      };
    case 'unreachable':
      return {
        cause: 'the address is unreachable from the SSH host (no route, unknown name, or address not local)',
        hint: `check the address you dial; a dashboard bound to ${ctx.bind} is reached at ${isWildcard(ctx.bind) ? '127.0.0.1' : ctx.bind}`,
      };
    case 'reset':
      return {
        cause:
          'the connection was closed before an HTTP answer: not an HTTP server on this port (TLS-only, another service) or the server crashed',
        hint: `see which process owns the port: ${listenCheck(ctx)}; dashboard logs: ${LOGS}`,
      };
    case 'bad-handshake':
      return {
        cause:
          r.status === 101
            ? `101 with an invalid handshake (${r.detail}): a proxy or middlebox rewrote the upgrade`
            : `the answer is not a WebSocket handshake (${r.detail})`,
        hint: 'probe the dashboard port directly over the SSH channel (127.0.0.1:<port>), bypassing any proxy or Tailscale Serve front',
      };
    case 'no-ready-frame':
      return {
        cause:
          'the upgrade succeeded but the first frame is not gateway.ready: another WebSocket server on this port, or an unexpected Hermes version',
        hint: `check the process on the port (${listenCheck(ctx)}) and \`hermes --version\`; then ${RESTART}`,
      };
    case 'http':
      return classifyHttp(r, ctx);
  }
}

function classifyRefused(ctx: ProbeContext): ProbeVerdict {
  const v6only =
    ctx.bind === '::1'
      ? '; the dashboard is bound to ::1 only, so 127.0.0.1 is refused — dial [::1] or bind 127.0.0.1'
      : '';
  return {
    cause: `nothing is listening on port ${portOf(ctx)} at the dialled address${v6only}`,
    hint: `check the service and its log: systemctl --user status hermes-dashboard; ${LOGS}`,
  };
}

function classify400(ctx: ProbeContext): ProbeVerdict {
  return {
    cause:
      'HTTP 400: the Host guard rejected the Host header (it must be the hostname the dashboard was bound to), or malformed handshake headers',
    hint:
      isLoopback(ctx.bind) || isWildcard(ctx.bind)
        ? `send Host 127.0.0.1:${portOf(ctx)} or localhost:${portOf(ctx)} (a loopback bind accepts nothing else)`
        : `use the bound hostname: http://${ctx.bind}:${portOf(ctx)} (not a MagicDNS name or alias)`,
  };
}

/** The statuses whose verdict does not depend on the context. */
const FIXED_HTTP: Partial<Record<number, ProbeVerdict>> = {
  401: {
    cause:
      'HTTP 401: a proxy in front answered (e.g. a busy Tailscale Serve on 443), or REST-style auth rejected the request',
    hint: 'tailscale serve status; probe 127.0.0.1:<port> directly over SSH; if Serve owns 443 use another --https port or `tailscale serve reset`',
  },
  404: {
    cause: 'HTTP 404: wrong path, or a Hermes build without /api/ws (headless/old)',
    hint: '`hermes --version`; update with `hermes update`, then restart the service',
  },
  429: {
    cause:
      'HTTP 429: the basic-auth sign-in is rate-limited (Hermes allows 10 sign-ins a minute per client IP; hermes-setup signs in once per run)',
    hint: 'wait a minute, then rerun; stop other scripts or browsers retrying the login from this address',
  },
  426: {
    cause: 'HTTP 426: the server wants another WebSocket version (bad handshake headers)',
    hint: 'a proxy altered Sec-WebSocket-Version; probe the port directly',
  },
};

function classifyHttp(r: Failure, ctx: ProbeContext): ProbeVerdict {
  const status = r.status ?? 0;
  if (status === 403) return classify403(ctx);
  if (status === 400) return classify400(ctx);
  const fixed = FIXED_HTTP[status];
  if (fixed) return { ...fixed };
  if (status >= 200 && status < 300)
    return {
      cause: `HTTP ${status}: a proxy or SPA fallback swallowed the upgrade (not the Hermes WebSocket handler)`,
      hint: 'probe the dashboard port itself; check the `tailscale serve` / reverse-proxy mapping forwards Upgrade',
    };
  if (status === 503)
    return {
      cause: 'HTTP 503: the auth provider is unreachable (gated mode) or the server is not ready',
      hint: `dashboard logs: ${LOGS}`,
    };
  return { cause: `HTTP ${status}: unexpected answer to the WebSocket upgrade`, hint: `dashboard logs: ${LOGS}` };
}

function classify403(ctx: ProbeContext): ProbeVerdict {
  const g = ctx.generation;
  const publicBind = !isLoopback(ctx.bind);
  const generic =
    'HTTP 403 (Hermes rejects every WebSocket check the same way): token wrong/stale (the pinned value differs from what the server loaded, or ~/.hermes/.env was not read), or Host/Origin/peer refused';
  if (g === 'G0')
    return {
      cause: `HTTP 403 on Hermes G0: embedded chat is disabled unless the dashboard runs with --tui (or HERMES_DASHBOARD_TUI=1)${publicBind ? "; also G0 refuses the Desktop's file:// Origin on a non-loopback bind" : ''}; otherwise: ${generic}`,
      hint: `add --tui to the dashboard command (or HERMES_DASHBOARD_TUI=1 in ~/.hermes/.env)${publicBind ? ' and bind 127.0.0.1 behind an SSH tunnel' : ''}, or \`hermes update\`; then ${RESTART}`,
    };
  if (ctx.mode !== 'password' && publicBind && (g === 'G2' || g === 'G3'))
    return {
      cause: `HTTP 403: a non-loopback bind (${ctx.bind}) is always gated since 2026-06-21 and the gate rejects ?token=`,
      hint: 'bind 127.0.0.1 and connect through an SSH tunnel or `tailscale serve`, or configure basic auth and probe with a ws-ticket (password mode)',
    };
  if (ctx.mode === 'password')
    return {
      cause: `HTTP 403 with a ticket: the ticket was reused or expired (single use, 30 s)${g === 'G1' ? ', or G1 refuses non-web Origins (file://) while the gate is on' : ''}, or Host/Origin refused`,
      hint:
        g === 'G1'
          ? '`hermes update` (G2+ accepts file:// once the ticket passes), or probe without an Origin'
          : 'fetch a fresh ticket right before the probe; check the Host header matches the bound hostname',
    };
  if (g === 'G3')
    return {
      cause: `${generic}; on G3 also a non-loopback dashboard.public_url / HERMES_DASHBOARD_PUBLIC_URL switches the gate on, which rejects ?token= (#93981)`,
      hint: `grep -n PUBLIC_URL ~/.hermes/.env; grep -n public_url ~/.hermes/config.yaml; compare the pinned token: grep -c HERMES_DASHBOARD_SESSION_TOKEN ~/.hermes/.env; then ${RESTART}`,
    };
  return {
    cause: generic,
    hint: `re-pin the token in ~/.hermes/.env (HERMES_DASHBOARD_SESSION_TOKEN) and ${RESTART}; send Host 127.0.0.1:<port> and no http(s) Origin`,
  };
}
