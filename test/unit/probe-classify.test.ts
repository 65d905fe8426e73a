// classifyProbe rows (peers.md §6.3 + generation-specific causes from hermes-behaviour.md §1.2, §7.3, §8, §9).
import { describe, expect, it } from 'vitest';
import { classifyProbe } from '../../src/probe/classify-probe.js';
import type { WsProbeResult } from '../../src/probe/ws-probe.js';
import type { ProbeContext } from '../../src/probe/classify-probe.js';

const fail = (kind: Extract<WsProbeResult, { ok: false }>['kind'], status?: number): WsProbeResult => ({
  ok: false,
  kind,
  ms: 5,
  detail: `127.0.0.1:9119/api/ws: ${kind}`,
  ...(status === undefined ? {} : { status }),
});
const http = (status: number): WsProbeResult => fail('http', status);

type Row = [string, WsProbeResult, ProbeContext, RegExp, RegExp];
const loop: ProbeContext = { mode: 'token', bind: '127.0.0.1', port: 9119 };

const ROWS: Row[] = [
  ['ok', { ok: true, status: 101, ms: 3, firstFrame: {} }, loop, /gateway\.ready received/, /^$/],
  ['refused', fail('refused'), loop, /nothing is listening on port 9119/, /systemctl --user status hermes-dashboard/],
  ['refused, ::1-only bind', fail('refused'), { ...loop, bind: '::1' }, /bound to ::1 only/, /journalctl/],
  ['timeout', fail('timeout'), loop, /firewall.*bound to another address.*hangs/, /ss -Hltnp 'sport = :9119'/],
  ['unreachable', fail('unreachable'), { ...loop, bind: '100.64.1.2' }, /unreachable/, /100\.64\.1\.2/],
  ['reset', fail('reset'), loop, /closed before an HTTP answer/, /lsof -nP -iTCP:9119/],
  ['101 with a bad Accept', fail('bad-handshake', 101), loop, /middlebox/, /bypassing any proxy/],
  ['not HTTP at all', fail('bad-handshake'), loop, /not a WebSocket handshake/, /directly/],
  ['no gateway.ready', fail('no-ready-frame', 101), loop, /not gateway\.ready/, /hermes --version/],
  [
    '403 G0: chat disabled without --tui',
    http(403),
    { ...loop, generation: 'G0' },
    /--tui/,
    /add --tui.*HERMES_DASHBOARD_TUI=1/,
  ],
  [
    '403 G0 non-loopback bind: file:// Origin',
    http(403),
    { mode: 'token', bind: '0.0.0.0', generation: 'G0' },
    /file:\/\/ Origin on a non-loopback bind/,
    /bind 127\.0\.0\.1/,
  ],
  [
    '403 G2 token on a public bind: gated rejects ?token=',
    http(403),
    { mode: 'token', bind: '0.0.0.0', generation: 'G2' },
    /always gated since 2026-06-21.*\?token=/,
    /SSH tunnel|tailscale serve/,
  ],
  [
    '403 G3 token on a tailnet bind',
    http(403),
    { mode: 'token', bind: '100.64.1.2', generation: 'G3' },
    /gate rejects \?token=/,
    /password mode/,
  ],
  ['403 G3 loopback: public_url gate', http(403), { ...loop, generation: 'G3' }, /public_url/, /PUBLIC_URL/],
  [
    '403 G2 loopback: stale token/Host/Origin/peer',
    http(403),
    { ...loop, generation: 'G2' },
    /token wrong\/stale.*Host\/Origin\/peer/,
    /re-pin the token/,
  ],
  ['403 unknown generation', http(403), loop, /token wrong\/stale/, /HERMES_DASHBOARD_SESSION_TOKEN/],
  [
    '403 tunnel mode',
    http(403),
    { mode: 'tunnel', bind: '127.0.0.1', generation: 'G1' },
    /token wrong\/stale/,
    /Host 127\.0\.0\.1/,
  ],
  [
    '403 password mode: ticket reused/expired',
    http(403),
    { mode: 'password', bind: '0.0.0.0', generation: 'G2' },
    /reused or expired/,
    /fresh ticket/,
  ],
  [
    '403 password mode G1: file:// refused while gated',
    http(403),
    { mode: 'password', bind: '0.0.0.0', generation: 'G1' },
    /G1 refuses non-web Origins/,
    /hermes update/,
  ],
  ['400 loopback: Host guard', http(400), loop, /Host guard/, /Host 127\.0\.0\.1:9119 or localhost:9119/],
  [
    '400 tailnet bind: use the bound hostname',
    http(400),
    { mode: 'token', bind: '100.64.1.2', port: 9119 },
    /Host guard/,
    /http:\/\/100\.64\.1\.2:9119/,
  ],
  ['401: proxy / busy Tailscale Serve', http(401), loop, /proxy.*Tailscale Serve/, /tailscale serve status/],
  ['404: wrong path/version', http(404), loop, /404/, /hermes update/],
  ['426: handshake version', http(426), loop, /426/, /Sec-WebSocket-Version/],
  ['200: proxy/SPA swallowed the upgrade', http(200), loop, /swallowed the upgrade/, /forwards Upgrade/],
  ['503: provider unreachable', http(503), loop, /auth provider is unreachable/, /journalctl/],
  ['other status', http(502), loop, /HTTP 502/, /logs/],
];

describe('classifyProbe', () => {
  for (const [name, r, ctx, cause, hint] of ROWS) {
    it(name, () => {
      const v = classifyProbe(r, ctx);
      expect(v.cause).toMatch(cause);
      expect(v.hint).toMatch(hint);
    });
  }
  it('without a port the hints use a <port> placeholder', () => {
    expect(classifyProbe(fail('timeout'), { mode: 'token', bind: '127.0.0.1' }).hint).toContain('sport = :<port>');
  });
});
