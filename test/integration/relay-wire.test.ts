// The relay client's wire (hermes-behaviour.md §16.3, §16.4, §16.6) against a scripted relay on loopback: the
// WebSocket (ws over our own TLS dial on wss://, so the key pin is read before the upgrade), the auth frame and its
// answers, a rate-limited upgrade, and the /sessions API over node:http with the bearer and the pin check.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { type StoredRelay, relayRequest } from '../../src/pair/relay-http.js';
import { authenticate, closeRelaySocket, openRelaySocket } from '../../src/pair/relay-socket.js';
import { parseRelayUrl, spkiPin } from '../../src/pair/relay-url.js';
import type { StoredSession } from '../../src/pair/session-store.js';
import { writeRelayCert } from '../support/relay-cert.js';

const dir = mkdtempSync(join(tmpdir(), 'hs-relay-wire-'));
let pin: string;
let wssPort: number;
let wsPort: number;
const closes: number[] = [];
const servers: Array<http.Server | https.Server> = [];

/** A relay: /ws takes `auth` frames (code "GOOD" passes), /sessions echoes the bearer; /limited answers 429. */
function relay(server: http.Server | https.Server): void {
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url === '/limited') {
      socket.end(
        'HTTP/1.1 429 Too Many Requests\r\nContent-Type: text/plain\r\nContent-Length: 17\r\n\r\nToo many attempts',
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.on('close', (code) => closes.push(code));
      ws.on('message', (data) => {
        // binaryType is the default 'nodebuffer': a message arrives as one Buffer.
        const f = JSON.parse((data as Buffer).toString()) as {
          type: string;
          id: string;
          payload: { pairing_code?: string };
        };
        const ok = f.payload.pairing_code === 'GOOD';
        ws.send(JSON.stringify({ channel: 'system', type: 'ping', payload: {} }));
        ws.send(
          JSON.stringify({
            channel: 'system',
            type: ok ? 'auth.ok' : 'auth.fail',
            id: f.id,
            payload: ok ? { session_token: 's-1' } : { reason: 'invalid pairing code' },
          }),
        );
      });
    });
  });
  server.on('request', (req, res) => {
    res.setHeader('Content-Type', 'application/json');
    res.end(
      JSON.stringify({
        path: req.url,
        method: req.method,
        auth: req.headers.authorization,
        connection: req.headers.connection,
      }),
    );
  });
}

async function listen(server: http.Server | https.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

beforeAll(async () => {
  const { key, cert } = writeRelayCert(dir);
  pin = spkiPin(Buffer.from(readFileSync(cert, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64'));
  const tlsServer = https.createServer({ key: readFileSync(key), cert: readFileSync(cert) });
  relay(tlsServer);
  wssPort = await listen(tlsServer);
  const plain = http.createServer();
  relay(plain);
  wsPort = await listen(plain);
});
afterAll(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('relay WebSocket', () => {
  it('wss://: upgrade over our TLS dial reports the key pin; auth.ok after a ping frame; closed with 1000', async () => {
    const opened = await openRelaySocket(parseRelayUrl(`wss://127.0.0.1:${wssPort}`), 4000);
    if (!opened.ok) throw new Error(opened.detail);
    expect(opened.socket.certPin).toBe(pin);
    expect(await authenticate(opened.socket, { pairing_code: 'GOOD' })).toEqual({
      ok: true,
      payload: { session_token: 's-1' },
    });
    const before = closes.length;
    closeRelaySocket(opened.socket);
    await expect.poll(() => closes.slice(before)).toEqual([1000]);
  });

  it("ws://: auth.fail carries the relay's reason", async () => {
    const opened = await openRelaySocket(parseRelayUrl(`ws://127.0.0.1:${wsPort}`), 4000);
    if (!opened.ok) throw new Error(opened.detail);
    expect(opened.socket.certPin).toBeUndefined();
    expect(await authenticate(opened.socket, { pairing_code: 'BAD' })).toEqual({
      ok: false,
      reason: 'invalid pairing code',
    });
    closeRelaySocket(opened.socket);
  });

  it("HTTP 429 on the upgrade (text/plain, no Retry-After: §18.7) → rate-limited with the relay's text", async () => {
    const r = await openRelaySocket(parseRelayUrl(`ws://127.0.0.1:${wsPort}/limited`), 4000);
    expect(r).toEqual({
      ok: false,
      kind: 'rate-limited',
      detail: `ws://127.0.0.1:${wsPort}/limited: HTTP 429 (Too many attempts)`,
    });
  });

  it('nothing listening → unreachable', async () => {
    const r = await openRelaySocket(parseRelayUrl('ws://127.0.0.1:1'), 4000);
    expect(r).toMatchObject({ ok: false, kind: 'unreachable', detail: expect.stringContaining('ECONNREFUSED') });
  });
});

describe('relay /sessions over node:http', () => {
  const session = (certPin: string | null): StoredSession => ({
    token: 'bearer-xyz',
    server_version: null,
    paired_at: 1,
    cert_pin_sha256: certPin,
    grants: null,
    ttl_expires_at: null,
    endpoint_role: 'lan',
    prefer_secure_routes: false,
    tools_consented: false,
    computer_use_consented: false,
  });
  it('wss:// with the stored pin: GET with the bearer, one connection (Connection: close)', async () => {
    const r: StoredRelay = { url: `wss://127.0.0.1:${wssPort}`, session: session(pin) };
    const reply = await relayRequest(r, 'GET', '/sessions');
    expect(reply).toMatchObject({
      status: 200,
      via: r.url,
      json: { path: '/sessions', method: 'GET', auth: 'Bearer bearer-xyz', connection: 'close' },
    });
  });
  it('a different certificate than the pinned one → E_PAIR_CERT_CHANGED', async () => {
    const r: StoredRelay = {
      url: `wss://127.0.0.1:${wssPort}`,
      session: session('sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA='),
    };
    await expect(relayRequest(r, 'GET', '/sessions')).rejects.toMatchObject({ code: 'E_PAIR_CERT_CHANGED' });
  });
});
