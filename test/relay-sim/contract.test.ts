// The relay simulator checked row by row against hermes-behaviour.md §18.7 (which corrects §16), on this machine:
// relay-main.cjs and pair-main.cjs run as plain node processes with their own HERMES_HOME on a free port. These are
// the simulator's own contract tests; the product is tested against it on real guests in test/e2e/pair*.test.ts.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ensureRelaySimBuilt } from './install.js';
import { writeRelayCert } from '../support/relay-cert.js';

const DIST = join(import.meta.dirname, 'dist');
const run = promisify(execFile);
let home: string;
let port: number;
let relay: ChildProcess;
const UUID4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

function setConfig(extra: Record<string, unknown> = {}): void {
  writeFileSync(
    join(home, 'hermes-relay-sim.json'),
    JSON.stringify({ port, lanIp: '10.9.8.7', tailnetIp: '100.100.8.7', ...extra }),
  );
}

async function startRelay(): Promise<void> {
  relay = spawn(process.execPath, [join(DIST, 'relay-main.cjs')], {
    env: { ...process.env, HERMES_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  relay.stderr!.on('data', (d: Buffer) => {
    relayLog += d.toString();
  });
  await new Promise<void>((resolve) => relay.stdout!.once('data', () => resolve()));
}
let relayLog = '';

async function pair(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [join(DIST, 'pair-main.cjs'), ...args], {
      env: { ...process.env, HERMES_HOME: home },
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

function payloadOf(stdout: string): Record<string, unknown> {
  const m = /^ {2}URL {2}: hermes-relay:\/\/pair\?payload=([A-Za-z0-9_-]+)$/m.exec(stdout);
  return JSON.parse(Buffer.from(m![1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const codeOf = (stdout: string): string =>
  /^ {2}Code : ([A-Z0-9]{6}) {2}\(expires in 10 min, one-shot\)$/m.exec(stdout)![1]!;

function httpReq(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<{ status: number; type: string; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: { ...headers, ...(data ? { 'content-type': 'application/json' } : {}) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => {
          text += c.toString();
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            type: String(res.headers['content-type']),
            body: text,
            headers: res.headers,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/** Opens a WS and sends the auth frame; resolves with the first answer, or the HTTP status of a refused upgrade. */
function auth(
  path: string,
  payload: Record<string, unknown>,
): Promise<{ type?: string; payload?: Record<string, unknown>; status?: number; body?: string; retryAfter?: string }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`);
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => {
        body += c.toString();
      });
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          body,
          ...(res.headers['retry-after'] ? { retryAfter: String(res.headers['retry-after']) } : {}),
        }),
      );
    });
    ws.on('open', () => ws.send(JSON.stringify({ channel: 'system', type: 'auth', id: '1', payload })));
    ws.on('message', (m) => {
      // binaryType is the default 'nodebuffer': a message arrives as one Buffer.
      resolve(JSON.parse((m as Buffer).toString()) as { type: string; payload: Record<string, unknown> });
      ws.close();
    });
    ws.on('error', () => undefined);
  });
}

async function mintCode(extra: string[] = []): Promise<string> {
  return codeOf((await pair(['--no-qr', ...extra])).stdout);
}

beforeAll(async () => {
  ensureRelaySimBuilt();
  home = mkdtempSync(join(tmpdir(), 'hs-relay-sim-'));
  port = await freePort();
  setConfig();
  await startRelay();
});
afterAll(() => {
  relay?.kill();
});

describe('hermes pair (§18.7)', () => {
  it('has no --json: argparse exits 2 with "unrecognized arguments"', async () => {
    const r = await pair(['--json']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n').pop()).toBe('hermes: error: unrecognized arguments: --json');
    expect(r.stdout).toBe('');
  });

  it('prints a text block: indented Code and invite URL lines; routes Tailscale first, LAN last', async () => {
    const r = await pair(['--no-qr']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}URL {2}: ws:\/\/10\.9\.8\.7:\d+$/m);
    expect(codeOf(r.stdout)).toMatch(/^[A-Z0-9]{6}$/);
    expect(r.stdout).toMatch(/^ {2}Pair : for 30 days$/m);
    const p = payloadOf(r.stdout) as {
      hermes: number;
      relay: { code: string };
      endpoints: Array<{ role: string; priority: number; api: object; relay: { url: string } }>;
    };
    expect(p.hermes).toBe(3);
    expect(p.relay.code).toBe(codeOf(r.stdout));
    expect(p.endpoints.map((e) => [e.role, e.priority])).toEqual([
      ['tailscale', 0],
      ['lan', 1],
    ]);
    expect(p.endpoints.every((e) => typeof e.api === 'object')).toBe(true);
  });

  it('--public-url https://host → wss://host:8767 (public before LAN); with a path → wss://host/path', async () => {
    const a = payloadOf((await pair(['--no-qr', '--public-url', 'https://relay.example.com'])).stdout) as {
      endpoints: Array<{ role: string; relay: { url: string } }>;
    };
    expect(a.endpoints.map((e) => e.role)).toEqual(['tailscale', 'public', 'lan']);
    expect(a.endpoints[1]!.relay.url).toBe(`wss://relay.example.com:${port}`);
    const b = payloadOf(
      (await pair(['--no-qr', '--mode', 'public', '--public-url', 'https://relay.example.com/relay/'])).stdout,
    ) as { endpoints: Array<{ relay: { url: string } }> };
    expect(b.endpoints.map((e) => e.relay.url)).toEqual(['wss://relay.example.com/relay']);
  });

  it('--mode tailscale without Tailscale: exit 0, only the LAN route', async () => {
    setConfig({ tailnetIp: undefined });
    try {
      const r = await pair(['--no-qr', '--mode', 'tailscale']);
      expect(r.code).toBe(0);
      const p = payloadOf(r.stdout) as { endpoints?: unknown; relay: { url: string } };
      expect(p.endpoints).toBeUndefined();
      expect(p.relay.url).toBe(`ws://10.9.8.7:${port}`);
    } finally {
      setConfig();
    }
  });

  it('a relay that is not running: "Relay not running … QR will configure chat only", exit 0, no code', async () => {
    setConfig({ port: await freePort() });
    try {
      const r = await pair(['--no-qr']);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Relay not running at localhost:\d+ — QR will configure chat only/);
      expect(r.stdout).not.toMatch(/Code :/);
    } finally {
      setConfig();
    }
  });
});

describe('auth and sessions (§18.7 Tokens, Re-pair, WS path)', () => {
  it('UUID v4 session tokens, float timestamps, the 8 grant keys; upgrades on / and /ws, 404 elsewhere', async () => {
    const ok = await auth('/', { pairing_code: await mintCode(), device_id: 'dev-a' });
    expect(ok.type).toBe('auth.ok');
    expect(ok.payload!['session_token']).toMatch(UUID4);
    expect(Number.isInteger(ok.payload!['expires_at'])).toBe(false);
    expect(Object.keys(ok.payload!['grants'] as object).sort()).toEqual([
      'bridge',
      'chat',
      'terminal',
      'tui',
      'voice:config',
      'voice:realtime',
      'voice:stt',
      'voice:tts',
    ]);
    expect((await auth('/ws', { session_token: ok.payload!['session_token'] })).type).toBe('auth.ok');
    expect((await auth('/other', {})).status).toBe(404);
  });

  it('re-pairing revokes every session with the same device_id, and only those', async () => {
    const a1 = (await auth('/', { pairing_code: await mintCode(), device_id: 'same' })).payload!['session_token'];
    const b = (await auth('/', { pairing_code: await mintCode(), device_id: 'other' })).payload!['session_token'];
    const a2 = (await auth('/', { pairing_code: await mintCode(), device_id: 'same' })).payload!['session_token'];
    expect((await auth('/', { session_token: a1 })).type).toBe('auth.fail');
    expect((await auth('/', { session_token: b })).type).toBe('auth.ok');
    expect((await auth('/', { session_token: a2 })).type).toBe('auth.ok');
    expect(relayLog).toMatch(/Re-pair replaced 1 session\(s\)/);
  });
});

describe('/sessions (§18.7 extend, error bodies)', () => {
  let mine: string;
  let other: string;
  beforeAll(async () => {
    mine = String(
      (await auth('/', { pairing_code: await mintCode(['--ttl', '3600']), device_id: 'm' })).payload!['session_token'],
    );
    other = String((await auth('/', { pairing_code: await mintCode(), device_id: 'o' })).payload!['session_token']);
  });
  const bearer = (t: string): Record<string, string> => ({ authorization: `Bearer ${t}` });

  it("extend: only shortening the caller's own session; 403 text/plain with the reason otherwise", async () => {
    const shorter = await httpReq('PATCH', `/sessions/${mine.slice(0, 8)}`, bearer(mine), { ttl_seconds: 600 });
    expect(shorter.status).toBe(200);
    const longer = await httpReq('PATCH', `/sessions/${mine.slice(0, 8)}`, bearer(mine), { ttl_seconds: 7200 });
    expect([longer.status, longer.type, longer.body]).toEqual([
      403,
      'text/plain; charset=utf-8',
      'operator approval required to extend session',
    ]);
    expect((await httpReq('PATCH', `/sessions/${mine.slice(0, 8)}`, bearer(mine), { ttl_seconds: 0 })).body).toBe(
      'operator approval required to extend session',
    );
    const others = await httpReq('PATCH', `/sessions/${other.slice(0, 8)}`, bearer(mine), { ttl_seconds: 60 });
    expect([others.status, others.body]).toEqual([403, 'cannot modify another session']);
  });

  it('401 and 404 are text/plain; 409 is JSON {"ok": false, "error"} without a match list', async () => {
    const u = await httpReq('GET', '/sessions', bearer('00000000-0000-4000-8000-000000000000'));
    expect([u.status, u.type]).toEqual([401, 'text/plain; charset=utf-8']);
    const nf = await httpReq('DELETE', '/sessions/ffffffffff', bearer(mine));
    expect([nf.status, nf.type]).toEqual([404, 'text/plain; charset=utf-8']);
    setConfig({ tokenHexPrefix: 'abcdef' });
    try {
      for (let i = 0; i < 2; i += 1) await auth('/', { pairing_code: await mintCode(), device_id: `x${i}` });
      const amb = await httpReq('DELETE', '/sessions/abcdef', bearer(mine));
      expect(amb.status).toBe(409);
      const body = JSON.parse(amb.body) as Record<string, unknown>;
      expect(body['ok']).toBe(false);
      expect(typeof body['error']).toBe('string');
      expect(Object.keys(body).sort()).toEqual(['error', 'ok']);
    } finally {
      setConfig();
    }
  });

  it('/pairing/mint answers loopback with qr_payload as a JSON string', async () => {
    const r = await httpReq('POST', '/pairing/mint', {}, {});
    const body = JSON.parse(r.body) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual([
      'code',
      'expires_at',
      'host',
      'ok',
      'pairing_url',
      'port',
      'qr_payload',
      'relay_url',
      'tls',
    ]);
    expect(typeof body['qr_payload']).toBe('string');
  });
});

describe('rate limits (§18.7)', () => {
  it('pairing: 10 failures → 429 text/plain at the next upgrade, no Retry-After; one table blocks sessions too; a mint clears it', async () => {
    const good = String(
      (await auth('/', { pairing_code: await mintCode(), device_id: 'rl' })).payload!['session_token'],
    );
    for (let i = 0; i < 10; i += 1) expect((await auth('/', { pairing_code: 'ZZZZZZ' })).type).toBe('auth.fail');
    const blocked = await auth('/', { pairing_code: 'ZZZZZZ' });
    expect(blocked.status).toBe(429);
    expect(blocked.retryAfter).toBeUndefined();
    expect((await auth('/', { session_token: good })).status).toBe(429);
    await mintCode();
    expect((await auth('/', { session_token: good })).type).toBe('auth.ok');
  });

  it('session: 5 failures → blocked', async () => {
    for (let i = 0; i < 5; i += 1) expect((await auth('/', { session_token: 'nope' })).type).toBe('auth.fail');
    expect((await auth('/', { session_token: 'nope' })).status).toBe(429);
    await mintCode();
  });

  it('the real defaults are in force (pairing 10/60 s → 120 s, session 5/60 s → 300 s)', () => {
    const src = readFileSync(join(import.meta.dirname, 'src', 'config.cts'), 'utf8');
    expect(src).toContain('PAIRING_LIMITS: BucketLimits = { max: 10, windowSeconds: 60, blockSeconds: 120 }');
    expect(src).toContain('SESSION_LIMITS: BucketLimits = { max: 5, windowSeconds: 60, blockSeconds: 300 }');
  });
});

describe('TLS relay (§18.7 "TLS relay")', () => {
  let tlsHome: string;
  let tlsRelay: ChildProcess;
  let tlsPort: number;
  beforeAll(async () => {
    tlsHome = mkdtempSync(join(tmpdir(), 'hs-relay-sim-tls-'));
    tlsPort = await freePort();
    writeRelayCert(tlsHome);
    writeFileSync(
      join(tlsHome, '.env'),
      `RELAY_SSL_CERT=${join(tlsHome, 'c.pem')}\nRELAY_SSL_KEY=${join(tlsHome, 'k.pem')}\n`,
    );
    writeFileSync(join(tlsHome, 'hermes-relay-sim.json'), JSON.stringify({ port: tlsPort, lanIp: '10.9.8.7' }));
    tlsRelay = spawn(process.execPath, [join(DIST, 'relay-main.cjs')], {
      env: { ...process.env, HERMES_HOME: tlsHome },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve) => tlsRelay.stdout!.once('data', () => resolve()));
  });
  afterAll(() => {
    tlsRelay?.kill();
  });

  it('hermes pair probes plain http, says "Relay not running", exits 0 and mints nothing; a loopback https mint works', async () => {
    const r = await run(process.execPath, [join(DIST, 'pair-main.cjs'), '--no-qr'], {
      env: { ...process.env, HERMES_HOME: tlsHome },
    });
    expect(r.stdout).toMatch(/Relay not running at localhost:\d+ — QR will configure chat only/);
    expect(r.stdout).not.toMatch(/Code :/);
    const https = await import('node:https');
    const body = await new Promise<string>((resolve, reject) => {
      const req = https.request(
        {
          host: '127.0.0.1',
          port: tlsPort,
          path: '/pairing/mint',
          method: 'POST',
          rejectUnauthorized: false,
          headers: { 'content-type': 'application/json' },
        },
        (res) => {
          let t = '';
          res.on('data', (c: Buffer) => {
            t += c.toString();
          });
          res.on('end', () => resolve(t));
        },
      );
      req.on('error', reject);
      req.end('{}');
    });
    const minted = JSON.parse(body) as { ok: boolean; code: string; relay_url: string; qr_payload: string };
    expect(minted.ok).toBe(true);
    expect(minted.relay_url).toBe(`wss://10.9.8.7:${tlsPort}`);
    expect((JSON.parse(minted.qr_payload) as { relay: { transport_hint: string } }).relay.transport_hint).toBe('wss');
  });
});
