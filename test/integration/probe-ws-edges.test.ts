// probeWebSocket against scripted loopback servers that bend the handshake or the first frame, one row per way,
// with the exact verdict and detail text (the probe's wording predates its move onto the `ws` package and must not
// change). Also: what the server sees of the request (Host, Origin, credentials, no extension offered).
import crypto from 'node:crypto';
import net from 'node:net';
import { type Duplex } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { dialTcp } from '../../src/probe/dial.js';
import { probeWebSocket } from '../../src/probe/ws-probe.js';

const HOST = '127.0.0.1';
const dial = dialTcp(2000);
const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const c of cleanups) c();
});

async function rawServer(onConnection: (s: net.Socket) => void): Promise<number> {
  const sockets: net.Socket[] = [];
  const server = net.createServer((s) => {
    sockets.push(s);
    s.on('error', () => undefined);
    onConnection(s);
  });
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  cleanups.push(() => {
    for (const s of sockets) s.destroy();
    server.close();
  });
  return (server.address() as net.AddressInfo).port;
}

const acceptFor = (request: string): string => {
  const key = /Sec-WebSocket-Key: (\S+)/i.exec(request)?.[1] ?? '';
  return crypto.createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
};
const frame = (opcode: number, payload: Buffer | string, fin = true, masked = false): Buffer => {
  const p = Buffer.from(payload);
  const head = Buffer.from([(fin ? 0x80 : 0) | opcode, (masked ? 0x80 : 0) | p.length]);
  return Buffer.concat([head, masked ? Buffer.alloc(4) : Buffer.alloc(0), p]);
};
const READY = JSON.stringify({ jsonrpc: '2.0', method: 'event', params: { type: 'gateway.ready' } });
const head101 = (request: string, extra: string[] = []): string =>
  [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    `Sec-WebSocket-Accept: ${acceptFor(request)}`,
    ...extra,
    '',
    '',
  ].join('\r\n');
/** Answers the upgrade with a valid 101 (plus `extra` headers), then hands the socket to `then`. */
const upgrader = (extra: string[] = [], then: (s: net.Socket) => void = () => undefined): Promise<number> =>
  rawServer((s) =>
    s.once('data', (d: Buffer) => {
      s.write(head101(d.toString(), extra));
      then(s);
    }),
  );
const answer = (text: string): Promise<number> => rawServer((s) => s.once('data', () => s.write(text)));

type Row = [
  name: string,
  server: () => Promise<number>,
  want: { kind: string; status?: number; detail: string },
  timeoutMs?: number,
];
const rows: Row[] = [
  [
    'Upgrade: h2c',
    () => answer('HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\n'),
    {
      kind: 'bad-handshake',
      status: 101,
      detail: '101 but invalid Upgrade header: h2c (a proxy or middlebox rewrote the handshake?)',
    },
  ],
  [
    'no Sec-WebSocket-Accept',
    () => answer('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n'),
    {
      kind: 'bad-handshake',
      status: 101,
      detail: '101 but invalid Sec-WebSocket-Accept: (missing) (a proxy or middlebox rewrote the handshake?)',
    },
  ],
  [
    'Connection without upgrade',
    () =>
      rawServer((s) =>
        s.once('data', (d: Buffer) =>
          s.write(
            `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: keep-alive\r\nSec-WebSocket-Accept: ${acceptFor(d.toString())}\r\n\r\n`,
          ),
        ),
      ),
    {
      kind: 'bad-handshake',
      status: 101,
      detail: '101 but Connection header lacks "upgrade": keep-alive (a proxy or middlebox rewrote the handshake?)',
    },
  ],
  [
    'unrequested subprotocol',
    () => upgrader(['Sec-WebSocket-Protocol: chat']),
    {
      kind: 'bad-handshake',
      status: 101,
      detail:
        '101 but server sent a subprotocol (chat) but none was requested (a proxy or middlebox rewrote the handshake?)',
    },
  ],
  [
    'unrequested extension',
    () => upgrader(['Sec-WebSocket-Extensions: permessage-deflate']),
    {
      kind: 'bad-handshake',
      status: 101,
      detail:
        '101 but server sent extensions (permessage-deflate) but none were requested (a proxy or middlebox rewrote the handshake?)',
    },
  ],
  [
    'garbage instead of HTTP',
    () => rawServer((s) => s.once('data', () => s.end('HELLO WORLD\r\n\r\n'))),
    { kind: 'bad-handshake', detail: 'not an HTTP response (starts with "HELLO WORLD\\r\\n\\r\\n")' },
  ],
  [
    'RST before an answer',
    () => rawServer((s) => s.once('data', () => s.resetAndDestroy())),
    { kind: 'reset', detail: 'connection closed before the response status line: read ECONNRESET' },
  ],
  [
    '403 with a body that never ends',
    () => answer('HTTP/1.1 403 Forbidden\r\nContent-Length: 100\r\n\r\npartial'),
    { kind: 'http', status: 403, detail: 'HTTP 403 Forbidden, empty body' },
    600,
  ],
  [
    '401 without a reason phrase, chunked body',
    () => answer('HTTP/1.1 401\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nnope!\r\n0\r\n\r\n'),
    { kind: 'http', status: 401, detail: 'HTTP 401, body "nope!"' },
  ],
  [
    'first frame binary',
    () => upgrader([], (s) => s.write(frame(2, Buffer.alloc(7)))),
    { kind: 'no-ready-frame', status: 101, detail: '101 OK, but the first frame is binary (7 bytes)' },
  ],
  [
    'first frame not JSON',
    () => upgrader([], (s) => s.write(frame(1, 'hello there'))),
    { kind: 'no-ready-frame', status: 101, detail: '101 OK, but the first frame is not JSON: "hello there"' },
  ],
  [
    'close frame 4003 first',
    () => upgrader([], (s) => s.write(frame(8, Buffer.concat([Buffer.from([0x0f, 0xa3]), Buffer.from('nope')])))),
    { kind: 'no-ready-frame', status: 101, detail: '101 OK, but the server closed (code 4003 nope)' },
  ],
  [
    'close frame without a code',
    () =>
      upgrader([], (s) => {
        s.write(frame(8, ''));
        setTimeout(() => s.end(), 20);
      }),
    { kind: 'no-ready-frame', status: 101, detail: '101 OK, but the server closed (code none)' },
  ],
  [
    'EOF right after the 101',
    () => upgrader([], (s) => s.end()),
    { kind: 'no-ready-frame', status: 101, detail: '101 OK, but connection closed before the first WebSocket frame' },
  ],
  [
    'RST after the 101',
    () => upgrader([], (s) => setTimeout(() => s.resetAndDestroy(), 10)),
    {
      kind: 'no-ready-frame',
      status: 101,
      detail: '101 OK, but connection closed before the first WebSocket frame: read ECONNRESET',
    },
  ],
  [
    'masked server frame',
    () => upgrader([], (s) => s.write(frame(1, READY, true, true))),
    { kind: 'no-ready-frame', status: 101, detail: '101 OK, but server sent a masked frame' },
  ],
  [
    'no frame in time',
    () => upgrader(),
    {
      kind: 'no-ready-frame',
      status: 101,
      detail: '101 OK, but timed out after 600 ms waiting for the first WebSocket frame',
    },
    600,
  ],
];

describe('probeWebSocket: every bent handshake keeps its verdict and words', () => {
  for (const [name, server, want, timeoutMs] of rows) {
    it(name, async () => {
      const port = await server();
      const r = await probeWebSocket({
        dial,
        host: HOST,
        port,
        token: 'tok-edges',
        ...(timeoutMs ? { timeoutMs } : {}),
      });
      expect(r).toMatchObject({ ok: false, kind: want.kind, ...(want.status ? { status: want.status } : {}) });
      if (!r.ok) expect(r.detail).toBe(`${HOST}:${port}/api/ws: ${want.detail}`);
    });
  }
});

describe('probeWebSocket: gateway.ready however it arrives', () => {
  it('in the same TCP write as the 101', async () => {
    const port = await rawServer((s) =>
      s.once('data', (d: Buffer) => s.write(Buffer.concat([Buffer.from(head101(d.toString())), frame(1, READY)]))),
    );
    expect(await probeWebSocket({ dial, host: HOST, port, token: 't' })).toMatchObject({
      ok: true,
      status: 101,
      firstFrame: { params: { type: 'gateway.ready' } },
    });
  });
  it('after a ping, in two fragments', async () => {
    const port = await upgrader([], (s) =>
      s.write(Buffer.concat([frame(9, 'p'), frame(1, READY.slice(0, 10), false), frame(0, READY.slice(10))])),
    );
    expect(await probeWebSocket({ dial, host: HOST, port, token: 't' })).toMatchObject({ ok: true, status: 101 });
  });
});

describe('what the server sees', () => {
  async function echoServer(): Promise<number> {
    const wss = new WebSocketServer({ host: HOST, port: 0 });
    wss.on('connection', (ws, req) =>
      ws.send(
        JSON.stringify({
          method: 'gateway.ready',
          url: req.url,
          host: req.headers.host,
          origin: req.headers.origin ?? null,
          extensions: req.headers['sec-websocket-extensions'] ?? null,
          protocol: req.headers['sec-websocket-protocol'] ?? null,
        }),
      ),
    );
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    cleanups.push(() => wss.close());
    return (wss.address() as net.AddressInfo).port;
  }
  it("the desktop app's file:// Origin, Host host:port, ?token= encoded, no extension or subprotocol offered", async () => {
    const port = await echoServer();
    const r = await probeWebSocket({ dial, host: HOST, port, token: 'a b&c' });
    expect(r).toMatchObject({
      ok: true,
      firstFrame: {
        url: '/api/ws?token=a%20b%26c',
        host: `${HOST}:${port}`,
        origin: 'file://',
        extensions: null,
        protocol: null,
      },
    });
  });
  it("origin '' sends none; the Host header and ?ticket= are the ones given", async () => {
    const port = await echoServer();
    const r = await probeWebSocket({
      dial,
      host: HOST,
      port,
      ticket: 'tk-1',
      origin: '',
      hostHeader: 'box.tail1234.ts.net:9119',
    });
    expect(r).toMatchObject({
      ok: true,
      firstFrame: { url: '/api/ws?ticket=tk-1', host: 'box.tail1234.ts.net:9119', origin: null },
    });
  });
  it('after a pass the connection is closed with 1000 and the dialled stream ends', async () => {
    let closed: (code: number) => void = () => undefined;
    const serverClose = new Promise<number>((resolve) => {
      closed = resolve;
    });
    const wss = new WebSocketServer({ host: HOST, port: 0 });
    wss.on('connection', (ws) => {
      ws.on('close', (code) => closed(code));
      ws.send(READY);
    });
    await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
    cleanups.push(() => wss.close());
    let stream: Duplex | undefined;
    const r = await probeWebSocket({
      dial: async (h, p) => (stream = await dial(h, p)),
      host: HOST,
      port: (wss.address() as net.AddressInfo).port,
    });
    expect(r.ok).toBe(true);
    expect(await serverClose).toBe(1000);
    if (!stream?.destroyed) await new Promise<void>((resolve) => stream?.once('close', () => resolve()));
    expect(stream?.destroyed).toBe(true);
  });
});
