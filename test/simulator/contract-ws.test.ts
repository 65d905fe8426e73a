/** Contract rows from §1.1/§1.2 (Origin history), §8 and §9 (tickets) against the running simulator. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type Running, type Sim, createSim, removeSim, startHermes } from './helpers/harness.js';
import { BASIC_PASSWORD, BASIC_USER, basicAuthEnv } from './helpers/gated.js';
import { fetchTicket, loginBasic, parseJson, probeWs } from './helpers/http-client.js';

const GENS = ['G0', 'G1', 'G2', 'G3'] as const;
const PIN = 'ws-pinned-token';
const sims: Record<string, Sim> = {};
const runs: Running[] = [];

beforeAll(async () => {
  for (const g of GENS) sims[g] = await createSim({ generation: g });
});
afterAll(async () => {
  for (const r of runs) await r.stop();
  for (const s of Object.values(sims)) removeSim(s);
});

async function start(g: string, args: string[], env: Record<string, string> = {}): Promise<Running> {
  const s = sims[g];
  if (!s) throw new Error(g);
  const r = await startHermes(s, ['dashboard', '--port', '0', '--isolated', ...args], {
    HERMES_DASHBOARD_SESSION_TOKEN: PIN,
    ...env,
  });
  runs.push(r);
  return r;
}

function expectBare403(p: { status: number; body: string; rawHeaders: string[] }): void {
  expect(p.status).toBe(403);
  expect(p.body).toBe('');
  const names = p.rawHeaders
    .filter((_, i) => i % 2 === 0)
    .map((h) => h.toLowerCase())
    .sort();
  expect(names).toEqual(['connection', 'content-length']);
}

async function ticketFor(port: number): Promise<string> {
  const { cookie } = await loginBasic(port, BASIC_USER, BASIC_PASSWORD);
  const r = await fetchTicket(port, cookie);
  expect(r.status).toBe(200);
  return String(parseJson(r)['ticket']);
}

describe('§8.1 / §8.3 handshake on loopback binds', () => {
  for (const g of GENS) {
    it(`§8.1 ?token= → 101 with a valid Accept, first frame is the gateway.ready JSON-RPC event [${g}]`, async () => {
      const r = await start(g, g === 'G0' ? ['--tui'] : []);
      const p = await probeWs(r.port, `/api/ws?token=${PIN}`);
      expect(p.status).toBe(101);
      expect(p.accept).toBe(p.expectedAccept);
      const frame = JSON.parse(p.firstFrame ?? '{}') as { jsonrpc?: string; params?: { type?: string } };
      expect(frame.jsonrpc).toBe('2.0');
      expect(frame.params?.type).toBe('gateway.ready');
    });
    it(`§8.3 wrong/missing token, token in a header, bad Host → bare HTTP 403, empty body [${g}]`, async () => {
      const r = await start(g, ['--tui']);
      expectBare403(await probeWs(r.port, '/api/ws?token=wrong'));
      expectBare403(await probeWs(r.port, '/api/ws'));
      expectBare403(await probeWs(r.port, '/api/ws', { 'X-Hermes-Session-Token': PIN }));
      expectBare403(await probeWs(r.port, `/api/ws?token=${PIN}`, { Host: 'alias.example:9119' }));
      expectBare403(await probeWs(r.port, `/api/ws?token=${PIN}`, { Origin: 'http://evil.example' }));
    });
    it(`§8.4 same-origin http Origin is allowed; file:// on a loopback bind is allowed [${g}]`, async () => {
      const r = await start(g, ['--tui']);
      expect((await probeWs(r.port, `/api/ws?token=${PIN}`, { Origin: `http://127.0.0.1:${r.port}` })).status).toBe(
        101,
      );
      expect((await probeWs(r.port, `/api/ws?token=${PIN}`, { Origin: 'file://' })).status).toBe(101);
    });
  }
  it('§8.1 /api/pub and /api/events need a valid ?channel= (else 403) [G2]', async () => {
    const r = await start('G2', []);
    expectBare403(await probeWs(r.port, `/api/pub?token=${PIN}`));
    expectBare403(await probeWs(r.port, `/api/events?token=${PIN}&channel=bad%20channel`));
    const ok = await new Promise<number>((resolve) => {
      const ws = new WebSocket(`ws://127.0.0.1:${r.port}/api/events?token=${PIN}&channel=ui.main`);
      ws.on('open', () => {
        ws.close();
        resolve(101);
      });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    });
    expect(ok).toBe(101);
  });
  it('§8.1 accepted sockets answer pings and complete the close handshake [G3]', async () => {
    const r = await start('G3', []);
    const ws = new WebSocket(`ws://127.0.0.1:${r.port}/api/ws?token=${PIN}`);
    const first = await new Promise<string>((resolve) => ws.once('message', (d: Buffer) => resolve(d.toString())));
    expect(first).toContain('gateway.ready');
    const pong = await new Promise<string>((resolve) => {
      ws.once('pong', (d: Buffer) => resolve(d.toString()));
      ws.ping('hello');
    });
    expect(pong).toBe('hello');
    const reply = await new Promise<string>((resolve) => {
      ws.once('message', (d: Buffer) => resolve(d.toString()));
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }));
    });
    expect(JSON.parse(reply)).toMatchObject({ jsonrpc: '2.0', id: 1 });
    const code = await new Promise<number>((resolve) => {
      ws.once('close', (c: number) => resolve(c));
      ws.close(1000);
    });
    expect(code).toBe(1000);
  });
});

describe('§1.2 / §8 embedded chat switch (G0)', () => {
  it('§1.2 G0 without --tui: /api/ws → 403; with --tui or HERMES_DASHBOARD_TUI=1 → 101', async () => {
    expectBare403(await probeWs((await start('G0', [])).port, `/api/ws?token=${PIN}`));
    expect((await probeWs((await start('G0', ['--tui'])).port, `/api/ws?token=${PIN}`)).status).toBe(101);
    expect(
      (await probeWs((await start('G0', [], { HERMES_DASHBOARD_TUI: '1' })).port, `/api/ws?token=${PIN}`)).status,
    ).toBe(101);
  });
  it('§1.2 G1 chat is always on (no --tui needed; HERMES_DASHBOARD_TUI ignored)', async () => {
    expect(
      (await probeWs((await start('G1', [], { HERMES_DASHBOARD_TUI: '0' })).port, `/api/ws?token=${PIN}`)).status,
    ).toBe(101);
  });
});

describe('§1.1 / §1.2 pinned token on an --insecure 0.0.0.0 bind (connect via 127.0.0.1)', () => {
  it('§1.2 G0: browser-style (no Origin) works with --tui; Desktop file:// Origin gets 403', async () => {
    const r = await start('G0', ['--host', '0.0.0.0', '--insecure', '--tui']);
    expect((await probeWs(r.port, `/api/ws?token=${PIN}`)).status).toBe(101);
    expectBare403(await probeWs(r.port, `/api/ws?token=${PIN}`, { Origin: 'file://' }));
    expectBare403(await probeWs(r.port, `/api/ws?token=${PIN}`, { Origin: 'app://hermes' }));
  });
  it('§1.2 G1: works including file:// and app:// Origins', async () => {
    const r = await start('G1', ['--host', '0.0.0.0', '--insecure']);
    expect((await probeWs(r.port, `/api/ws?token=${PIN}`, { Origin: 'file://' })).status).toBe(101);
    expect((await probeWs(r.port, `/api/ws?token=${PIN}`, { Origin: 'null' })).status).toBe(101);
  });
});

describe('§8.1 / §9 gated mode: tickets only', () => {
  // §18.1: the first build with a basic provider is v2026.6.5, so G0 (2026.5.28) cannot log in with a password.
  for (const g of ['G1', 'G2', 'G3'] as const) {
    it(`§8.1 gated: ?ticket= from POST /api/auth/ws-ticket → 101; reuse → 403; ?token= always 403 [${g}]`, async () => {
      const r = await start(g, ['--host', '0.0.0.0', '--tui'], basicAuthEnv());
      const ticket = await ticketFor(r.port);
      expect((await probeWs(r.port, `/api/ws?ticket=${encodeURIComponent(ticket)}`)).status).toBe(101);
      expectBare403(await probeWs(r.port, `/api/ws?ticket=${encodeURIComponent(ticket)}`));
      expectBare403(await probeWs(r.port, `/api/ws?token=${PIN}`));
    });
  }
  it('§9 POST /api/auth/ws-ticket without a cookie → 401 [G2]', async () => {
    const r = await start('G2', ['--host', '0.0.0.0'], basicAuthEnv());
    expect((await fetchTicket(r.port, '')).status).toBe(401);
  });
  it('§1.1 (2026-06-03, dd28f2ac9) non-web Origin on a gated bind: 101 once the ticket passes [G1 (2026.6.10), G2, G3]', async () => {
    for (const g of ['G1', 'G2', 'G3']) {
      const r = await start(g, ['--host', '0.0.0.0'], basicAuthEnv());
      const p = await probeWs(r.port, `/api/ws?ticket=${encodeURIComponent(await ticketFor(r.port))}`, {
        Origin: 'file://',
      });
      expect(p.status).toBe(101);
    }
  });
  it('§3 G3 public_url gate rejects ?token= on a loopback bind (#93981)', async () => {
    const r = await start('G3', [], { HERMES_DASHBOARD_PUBLIC_URL: 'https://box.tailnet.ts.net', ...basicAuthEnv() });
    expectBare403(await probeWs(r.port, `/api/ws?token=${PIN}`));
    expect((await probeWs(r.port, `/api/ws?ticket=${encodeURIComponent(await ticketFor(r.port))}`)).status).toBe(101);
  });
});
