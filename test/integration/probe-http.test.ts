// requestHttp and probeWebSocket against real loopback servers that are *not* Hermes: a chunked/Set-Cookie HTTP
// server, an SPA that answers 200 to the upgrade, middleboxes that bend the handshake, an SSH banner, closers, and
// WebSocket servers whose first frame is not gateway.ready. Each verdict and detail text is the one the probe gave
// before it ran on the `ws` package.
import http from 'node:http';
import net from 'node:net';
import { type Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialTcp } from '../../src/probe/dial.js';
import { requestHttp } from '../../src/probe/http-request.js';
import { classifyProbe } from '../../src/probe/classify-probe.js';
import { probeWebSocket } from '../../src/probe/ws-probe.js';

const dial = dialTcp(2000);
const servers: net.Server[] = [];

async function listen(server: net.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

function rawServer(onConnection: (s: net.Socket) => void): Promise<number> {
  return listen(
    net.createServer((s) => {
      s.on('error', () => undefined);
      onConnection(s);
    }),
  );
}

let httpPort: number;
beforeAll(async () => {
  httpPort = await listen(
    http.createServer((req, res) => {
      if (req.url === '/chunked') {
        res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; HttpOnly']);
        res.write('hello ');
        setTimeout(() => res.end('world'), 20);
        return;
      }
      if (req.url === '/echo') {
        let body = '';
        req.on('data', (c: Buffer) => {
          body += c.toString();
        });
        req.on('end', () => {
          res.setHeader('Content-Type', 'application/json');
          res.end(
            JSON.stringify({ method: req.method, host: req.headers.host, connection: req.headers.connection, body }),
          );
        });
        return;
      }
      res.statusCode = 200; // an SPA fallback: any path, upgrade or not, gets index.html
      res.setHeader('Content-Type', 'text/html');
      res.end('<!doctype html><title>app</title>');
    }),
  );
});
afterAll(() => {
  for (const s of servers) s.close();
});

describe('requestHttp', () => {
  it('chunked body and two Set-Cookie headers', async () => {
    const r = await requestHttp({ dial, host: '127.0.0.1', port: httpPort, path: '/chunked' });
    expect(r.status).toBe(200);
    expect(r.body).toBe('hello world');
    expect(r.headers['set-cookie']).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
  });
  it('POST body with Content-Length; custom Host header', async () => {
    const r = await requestHttp({
      dial,
      host: '127.0.0.1',
      port: httpPort,
      method: 'POST',
      path: '/echo',
      hostHeader: 'localhost:1',
      body: '{"x":1}',
    });
    expect(JSON.parse(r.body)).toEqual({ method: 'POST', host: 'localhost:1', connection: 'close', body: '{"x":1}' });
  });
  it('the dialled stream is destroyed once the response is read', async () => {
    let stream: Duplex | undefined;
    const r = await requestHttp({
      dial: async (h, p) => (stream = await dial(h, p)),
      host: '127.0.0.1',
      port: httpPort,
      path: '/',
    });
    expect(r.status).toBe(200);
    expect(stream?.destroyed).toBe(true);
  });
  it('a body over 1 MiB is refused (protocol)', async () => {
    const port = await rawServer((s) =>
      s.once('data', () => s.end(`HTTP/1.1 200 OK\r\nContent-Length: ${2 ** 21}\r\n\r\n${'x'.repeat(2 ** 21)}`)),
    );
    await expect(requestHttp({ dial, host: '127.0.0.1', port, path: '/' })).rejects.toMatchObject({
      kind: 'protocol',
      message: 'body exceeds 1048576 bytes',
    });
  });
  it('body until close (HTTP/1.0-style answer without length)', async () => {
    const port = await rawServer((s) => s.once('data', () => s.end('HTTP/1.0 200 OK\r\nX: y\r\n\r\nuntil the end')));
    const r = await requestHttp({ dial, host: '127.0.0.1', port, path: '/' });
    expect(r).toMatchObject({ status: 200, reason: 'OK', body: 'until the end' });
  });
  it('reset before a response → ProbeFailure kind reset', async () => {
    const port = await rawServer((s) => s.once('data', () => s.destroy()));
    await expect(requestHttp({ dial, host: '127.0.0.1', port, path: '/' })).rejects.toMatchObject({
      kind: 'reset',
      message: 'connection closed before the response status line',
    });
  });
  it('hard timeout covers a body that never finishes', async () => {
    const port = await rawServer((s) =>
      s.once('data', () => s.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial')),
    );
    const t0 = Date.now();
    await expect(requestHttp({ dial, host: '127.0.0.1', port, path: '/', timeoutMs: 400 })).rejects.toMatchObject({
      kind: 'timeout',
      message: 'timed out after 400 ms waiting for the response body',
    });
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('probeWebSocket against things that are not Hermes', () => {
  it('an SPA answering 200 → kind http 200, classified as a swallowed upgrade', async () => {
    const r = await probeWebSocket({ dial, host: '127.0.0.1', port: httpPort, token: 'tok-xyz' });
    expect(r).toMatchObject({ ok: false, kind: 'http', status: 200 });
    if (!r.ok) expect(r.body).toContain('<!doctype html>');
    expect(classifyProbe(r, { mode: 'token', bind: '127.0.0.1' }).cause).toMatch(/swallowed the upgrade/);
  });
  it('a middlebox answering 101 with a wrong Accept → bad-handshake', async () => {
    const port = await rawServer((s) =>
      s.once('data', () =>
        s.write(
          'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: bm9wZQ==\r\n\r\n',
        ),
      ),
    );
    const r = await probeWebSocket({ dial, host: '127.0.0.1', port, token: 'tok-xyz' });
    expect(r).toMatchObject({ ok: false, kind: 'bad-handshake', status: 101 });
    if (!r.ok) expect(r.detail).toMatch(/Sec-WebSocket-Accept: bm9wZQ==/);
    expect(classifyProbe(r, { mode: 'token', bind: '127.0.0.1' }).cause).toMatch(/middlebox/);
  });
  it('an SSH server on the port → bad-handshake (not HTTP)', async () => {
    const port = await rawServer((s) => {
      s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n');
    });
    const r = await probeWebSocket({ dial, host: '127.0.0.1', port, token: 'tok-xyz' });
    expect(r).toMatchObject({ ok: false, kind: 'bad-handshake' });
    if (!r.ok) expect(r.detail).toMatch(/not an HTTP response/);
  });
  it('a server that closes right away → reset', async () => {
    const port = await rawServer((s) => s.once('data', () => s.end()));
    expect(await probeWebSocket({ dial, host: '127.0.0.1', port, token: 'tok-xyz' })).toMatchObject({
      ok: false,
      kind: 'reset',
    });
  });
  it('a server echoing the request line into its body: the token is redacted', async () => {
    const port = await rawServer((s) =>
      s.once('data', (d: Buffer) => {
        const line = d.toString().split('\r\n')[0] ?? '';
        s.end(`HTTP/1.1 400 Bad Request\r\nContent-Length: ${Buffer.byteLength(line)}\r\n\r\n${line}`);
      }),
    );
    const r = await probeWebSocket({ dial, host: '127.0.0.1', port, token: 'secret-token-123' });
    expect(r).toMatchObject({ ok: false, kind: 'http', status: 400, body: 'GET /api/ws?token=*** HTTP/1.1' });
    expect(JSON.stringify(r)).not.toContain('secret-token-123');
  });
});
