/** Loopback-only HTTP and raw WebSocket handshake clients for the contract tests. */
import crypto from 'node:crypto';
import http from 'node:http';
import { type Socket } from 'node:net';

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

export function request(port: number, path: string, opts: RequestOptions = {}): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers: opts.headers ?? {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function parseJson(r: HttpResult): Record<string, unknown> {
  return JSON.parse(r.body) as Record<string, unknown>;
}

export interface WsProbe {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: string;
  accept?: string;
  expectedAccept: string;
  firstFrame?: string;
}

function readFirstTextFrame(socket: Socket, head: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.from(head);
    const tryParse = (): void => {
      if (buf.length < 2) return;
      let len = (buf[1] ?? 0) & 0x7f;
      let off = 2;
      if (len === 126) {
        if (buf.length < 4) return;
        len = buf.readUInt16BE(2);
        off = 4;
      }
      if (buf.length < off + len) return;
      socket.destroy();
      resolve(buf.subarray(off, off + len).toString());
    };
    socket.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      tryParse();
    });
    socket.on('error', reject);
    setTimeout(() => {
      socket.destroy();
      reject(new Error('no frame'));
    }, 5000);
    tryParse();
  });
}

/** Raw RFC 6455 handshake (peers.md §6.1); never sends an Origin unless asked. */
export function probeWs(port: number, path: string, headers: Record<string, string> = {}): Promise<WsProbe> {
  const key = crypto.randomBytes(16).toString('base64');
  const expectedAccept = crypto
    .createHash('sha1')
    .update(key + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11')
    .digest('base64');
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': key,
        ...headers,
      },
    });
    req.on('upgrade', (res, socket, head) => {
      readFirstTextFrame(socket, head).then(
        (firstFrame) =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            rawHeaders: res.rawHeaders,
            body: '',
            accept: res.headers['sec-websocket-accept'],
            expectedAccept,
            firstFrame,
          }),
        reject,
      );
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body: Buffer.concat(chunks).toString(),
          expectedAccept,
        }),
      );
    });
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

/** Basic-auth login → cookie header (§9). */
export async function loginBasic(
  port: number,
  username: string,
  password: string,
): Promise<{ status: number; cookie: string; result: HttpResult }> {
  const result = await request(port, '/auth/password-login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'basic', username, password, next: '/' }),
  });
  const setCookie = result.headers['set-cookie'] ?? [];
  const cookie = setCookie.map((c) => c.split(';')[0]).join('; ');
  return { status: result.status, cookie, result };
}

export async function fetchTicket(port: number, cookie: string): Promise<HttpResult> {
  return request(port, '/api/auth/ws-ticket', { method: 'POST', headers: { cookie } });
}
