// probeWebSocket / fetchWsTicket / requestHttp against the real Hermes simulator on 127.0.0.1 only.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Running,
  type Sim,
  createSim,
  getFreePort,
  removeSim,
  startHermes,
} from '../simulator/helpers/harness.js';
import { BASIC_PASSWORD, BASIC_USER, basicAuthEnv } from '../simulator/helpers/gated.js';
import { dialTcp } from '../../src/probe/dial.js';
import { requestHttp } from '../../src/probe/http-request.js';
import { fetchWsTicket } from '../../src/probe/password-login.js';
import { classifyProbe } from '../../src/probe/classify-probe.js';
import { probeDashboard } from '../../src/probe/probe-dashboard.js';
import { type WsProbeResult, probeWebSocket } from '../../src/probe/ws-probe.js';

const GENS = ['G0', 'G1', 'G2', 'G3'] as const;
const PIN = 'probe-pinned-token-7f3a';
const HOST = '127.0.0.1';
const dial = dialTcp(3000);
const sims: Record<string, Sim> = {};
const runs: Running[] = [];

beforeAll(async () => {
  await Promise.all(
    GENS.map(async (g) => {
      sims[g] = await createSim({ generation: g });
    }),
  );
});
afterAll(async () => {
  for (const r of runs) await r.stop();
  for (const s of Object.values(sims)) removeSim(s);
});

async function start(g: (typeof GENS)[number], args: string[], env: Record<string, string> = {}): Promise<Running> {
  const sim = sims[g];
  if (!sim) throw new Error(`no sim for ${g}`);
  const r = await startHermes(sim, ['dashboard', '--port', '0', '--isolated', ...args], {
    HERMES_DASHBOARD_SESSION_TOKEN: PIN,
    ...env,
  });
  runs.push(r);
  return r;
}

function expectNoSecret(r: WsProbeResult, ...secrets: string[]): void {
  const text = JSON.stringify(r);
  for (const s of secrets) expect(text).not.toContain(s);
}

describe('probeWebSocket: loopback bind, pinned token', () => {
  for (const g of ['G1', 'G2', 'G3'] as const) {
    it(`101 + gateway.ready with the pinned token and the Desktop's file:// Origin [${g}]`, async () => {
      const run = await start(g, []);
      const r = await probeWebSocket({ dial, host: HOST, port: run.port, token: PIN });
      expect(r).toMatchObject({ ok: true, status: 101 });
      if (!r.ok) throw new Error(r.detail);
      expect(r.firstFrame).toMatchObject({ jsonrpc: '2.0', method: 'event', params: { type: 'gateway.ready' } });
      expect(r.ms).toBeGreaterThanOrEqual(0);
    });
  }

  it('wrong token → http 403 with an empty body; the token never appears in the result [G2]', async () => {
    const run = await start('G2', []);
    const wrong = 'wrong-token-abc123';
    const r = await probeWebSocket({ dial, host: HOST, port: run.port, token: wrong });
    expect(r).toMatchObject({ ok: false, kind: 'http', status: 403, body: '' });
    expectNoSecret(r, wrong);
    expect(classifyProbe(r, { generation: 'G2', mode: 'token', bind: '127.0.0.1', port: run.port }).cause).toMatch(
      /token wrong\/stale/,
    );
  });

  it('bad Host header: the WebSocket gets 403, REST gets 400 from the Host guard [G2]', async () => {
    const run = await start('G2', []);
    const ws = await probeWebSocket({
      dial,
      host: HOST,
      port: run.port,
      token: PIN,
      hostHeader: `alias.example:${run.port}`,
    });
    expect(ws).toMatchObject({ ok: false, kind: 'http', status: 403 });
    const rest = await requestHttp({
      dial,
      host: HOST,
      port: run.port,
      path: '/api/status',
      hostHeader: `alias.example:${run.port}`,
    });
    expect(rest.status).toBe(400);
    expect(JSON.parse(rest.body)).toMatchObject({ detail: expect.stringMatching(/Invalid Host header/) });
    const v = classifyProbe(
      { ok: false, kind: 'http', status: rest.status, ms: 0, detail: '' },
      { generation: 'G2', mode: 'token', bind: '127.0.0.1', port: run.port },
    );
    expect(v.cause).toMatch(/Host guard/);
    expect(v.hint).toContain(`127.0.0.1:${run.port}`);
  });

  it('requestHttp reads /api/status (Content-Length body, headers) [G3]', async () => {
    const run = await start('G3', []);
    const r = await requestHttp({ dial, host: HOST, port: run.port, path: '/api/status' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/json/);
    expect(JSON.parse(r.body)).toMatchObject({ version: '0.21.3', auth_required: false });
  });
});

describe('probeWebSocket: transport failures', () => {
  it('refused on a closed port', async () => {
    const port = await getFreePort();
    const r = await probeWebSocket({ dial, host: HOST, port, token: PIN });
    expect(r).toMatchObject({ ok: false, kind: 'refused' });
    expect(classifyProbe(r, { mode: 'token', bind: '127.0.0.1', port }).cause).toMatch(/nothing is listening/);
  });

  it('timeout on a listener that accepts and never answers', async () => {
    const sockets: net.Socket[] = [];
    const server = net.createServer((s) => {
      sockets.push(s);
    });
    await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
    const port = (server.address() as net.AddressInfo).port;
    try {
      const t0 = Date.now();
      const r = await probeWebSocket({ dial, host: HOST, port, token: PIN, timeoutMs: 600 });
      expect(r).toMatchObject({ ok: false, kind: 'timeout' });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(550);
      expect(Date.now() - t0).toBeLessThan(3000);
      expect(sockets.length).toBe(1);
      expectNoSecret(r, PIN);
    } finally {
      for (const s of sockets) s.destroy();
      server.close();
    }
  });

  it('no-ready-frame when a WebSocket server on the port sends something else first', async () => {
    const { WebSocketServer } = await import('ws');
    const wss = new WebSocketServer({ host: HOST, port: 0 });
    wss.on('connection', (ws) => ws.send(JSON.stringify({ hello: 'not hermes' })));
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    const port = (wss.address() as net.AddressInfo).port;
    try {
      const r = await probeWebSocket({ dial, host: HOST, port, token: PIN });
      expect(r).toMatchObject({ ok: false, kind: 'no-ready-frame', status: 101 });
      if (!r.ok) expect(r.detail).toContain('not hermes');
    } finally {
      await new Promise((resolve) => wss.close(resolve));
    }
  });
});

describe('gated bind (0.0.0.0, dialled on 127.0.0.1) with basic auth', () => {
  it('fetchWsTicket → ?ticket= → 101; ?token= → 403; a reused ticket → 403 [G2]', async () => {
    const run = await start('G2', ['--host', '0.0.0.0'], basicAuthEnv());
    const t = await fetchWsTicket({ dial, host: HOST, port: run.port, username: BASIC_USER, password: BASIC_PASSWORD });
    if (!t.ok) throw new Error(t.detail);
    expect(t.ticket.length).toBeGreaterThan(8);
    expect(t.ttlSeconds).toBe(30);
    const first = await probeWebSocket({ dial, host: HOST, port: run.port, ticket: t.ticket });
    expect(first).toMatchObject({ ok: true, status: 101 });
    const reused = await probeWebSocket({ dial, host: HOST, port: run.port, ticket: t.ticket });
    expect(reused).toMatchObject({ ok: false, kind: 'http', status: 403 });
    expectNoSecret(reused, t.ticket);
    expect(classifyProbe(reused, { generation: 'G2', mode: 'password', bind: '0.0.0.0' }).cause).toMatch(
      /reused or expired/,
    );
    const token = await probeWebSocket({ dial, host: HOST, port: run.port, token: PIN });
    expect(token).toMatchObject({ ok: false, kind: 'http', status: 403 });
    expect(classifyProbe(token, { generation: 'G2', mode: 'token', bind: '0.0.0.0' }).cause).toMatch(
      /gate rejects \?token=/,
    );
  });

  it('wrong password → bad-credentials 401, and the password is not echoed [G2]', async () => {
    const run = await start('G2', ['--host', '0.0.0.0'], basicAuthEnv());
    const password = 'definitely-wrong-password';
    const t = await fetchWsTicket({ dial, host: HOST, port: run.port, username: BASIC_USER, password });
    expect(t).toMatchObject({ ok: false, status: 401, reason: 'bad-credentials' });
    expect(JSON.stringify(t)).not.toContain(password);
  });

  it('one sign-in per run: probes sharing a session reuse its cookie (docs/hermes-contract.md#c6: 10 a minute per IP) [G2]', async () => {
    const run = await start('G2', ['--host', '0.0.0.0'], basicAuthEnv());
    const session = { logins: 0 };
    for (let n = 0; n < 12; n++) {
      const r = await probeDashboard({
        dial,
        bind: '0.0.0.0',
        port: run.port,
        mode: 'password',
        timeoutMs: 5000,
        login: { username: BASIC_USER, password: BASIC_PASSWORD, session },
      });
      expect(r, `probe ${n}`).toMatchObject({ ok: true, status: 101 });
    }
    expect(session.logins).toBe(1);
  });

  it('a rate-limited sign-in (429 after 10 tries a minute) is reported as such, without the password [G2]', async () => {
    const run = await start('G2', ['--host', '0.0.0.0'], basicAuthEnv());
    let t: Awaited<ReturnType<typeof fetchWsTicket>> | undefined;
    for (let n = 0; n < 11; n++)
      t = await fetchWsTicket({
        dial,
        host: HOST,
        port: run.port,
        username: BASIC_USER,
        password: `wrong-${n}-password`,
      });
    expect(t).toMatchObject({
      ok: false,
      status: 429,
      reason: 'rate-limited',
      detail: expect.stringMatching(/HTTP 429: too many sign-ins from this address .*wait a minute/),
    });
    const r = await probeDashboard({
      dial,
      bind: '0.0.0.0',
      port: run.port,
      mode: 'password',
      timeoutMs: 5000,
      login: { username: BASIC_USER, password: BASIC_PASSWORD },
    });
    expect(r).toMatchObject({ ok: false, status: 429 });
    if ('skipped' in r || r.ok) throw new Error('expected a failure');
    expect(classifyProbe(r, { generation: 'G2', mode: 'password', bind: '0.0.0.0' }).cause).toMatch(
      /^HTTP 429: the basic-auth sign-in is rate-limited/,
    );
    expect(JSON.stringify(r)).not.toContain(BASIC_PASSWORD);
  });

  it('a non-gated dashboard has no working password login [G3]', async () => {
    const run = await start('G3', []);
    const t = await fetchWsTicket({ dial, host: HOST, port: run.port, username: BASIC_USER, password: BASIC_PASSWORD });
    expect(t.ok).toBe(false);
    expect(JSON.stringify(t)).not.toContain(BASIC_PASSWORD);
  });
});

describe('G0 embedded chat switch', () => {
  it('without --tui → 403 and classifyProbe names --tui; with --tui → 101', async () => {
    const off = await start('G0', []);
    const r = await probeWebSocket({ dial, host: HOST, port: off.port, token: PIN });
    expect(r).toMatchObject({ ok: false, kind: 'http', status: 403 });
    const v = classifyProbe(r, { generation: 'G0', mode: 'token', bind: '127.0.0.1', port: off.port });
    expect(v.cause).toContain('--tui');
    expect(v.hint).toContain('--tui');
    const on = await start('G0', ['--tui']);
    expect(await probeWebSocket({ dial, host: HOST, port: on.port, token: PIN })).toMatchObject({
      ok: true,
      status: 101,
    });
  });

  it('G0 --insecure 0.0.0.0 bind: no Origin → 101, the Desktop file:// Origin → 403', async () => {
    const run = await start('G0', ['--host', '0.0.0.0', '--insecure', '--tui']);
    expect(await probeWebSocket({ dial, host: HOST, port: run.port, token: PIN, origin: '' })).toMatchObject({
      ok: true,
    });
    const r = await probeWebSocket({ dial, host: HOST, port: run.port, token: PIN });
    expect(r).toMatchObject({ ok: false, status: 403 });
    expect(classifyProbe(r, { generation: 'G0', mode: 'token', bind: '0.0.0.0' }).cause).toMatch(
      /file:\/\/ Origin on a non-loopback bind/,
    );
  });
});
