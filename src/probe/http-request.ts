// One HTTP/1.1 request over a Dial with node:http: the dialled stream (a socket, or an ssh2 forwardOut channel) is
// handed to the client through `createConnection`. No Agent at all — `agent: false` would build a fresh Agent that
// ignores `createConnection` and dials by itself — so nothing is pooled; `Connection: close`, one hard deadline for
// dial + head + body, and the stream is destroyed afterwards either way, so no socket or timer outlives the call.
import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { formatHostHeader } from './address.js';
import { Deadline, type Dial, ProbeFailure, dialWithin, toProbeFailure } from './dial.js';

export interface HttpRequestOptions {
  dial: Dial;
  host: string;
  port: number;
  method?: string;
  /** Path with query, e.g. `/api/status`. */
  path: string;
  /** Default `host:port` (IPv6 bracketed). */
  hostHeader?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Hard limit for the whole exchange, dial included. Default 5000. */
  timeoutMs?: number;
}

export interface HttpResponse {
  status: number;
  reason: string;
  /** Lower-case names; `set-cookie` is always an array. */
  headers: IncomingHttpHeaders;
  body: string;
}

export const MAX_BODY = 1024 * 1024;

/** A stream the caller already dialled, in the shape http.request's `createConnection` wants. */
export function handOver(stream: Duplex): () => Socket {
  return () => stream as Socket;
}

/**
 * The failure of an exchange as a ProbeFailure, worded by what was awaited: a parse error is `protocol` (an SSH
 * banner or TLS on the port), a connection that ends first is `reset`, any errno keeps its kind and code.
 */
export function toWireFailure(err: unknown, what: string): ProbeFailure {
  if (err instanceof ProbeFailure) return err;
  const e = err as { code?: unknown; message?: unknown; rawPacket?: unknown; bytesParsed?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  if (code?.startsWith('HPE_')) {
    const raw = Buffer.isBuffer(e?.rawPacket) ? e.rawPacket : undefined;
    if (raw && (code === 'HPE_INVALID_CONSTANT' || e?.bytesParsed === 0)) {
      return new ProbeFailure(
        'protocol',
        `not an HTTP response (starts with ${JSON.stringify(raw.subarray(0, 40).toString('latin1'))})`,
      );
    }
    return new ProbeFailure('protocol', `malformed HTTP response (${message})`);
  }
  if (message === 'socket hang up' || message === 'aborted')
    return new ProbeFailure('reset', `connection closed before ${what}`, code);
  const f = toProbeFailure(err);
  return new ProbeFailure(f.kind, `connection closed before ${what}: ${message}`, f.code);
}

export function timedOut(deadline: Deadline, what: string): ProbeFailure {
  return new ProbeFailure('timeout', `timed out after ${deadline.ms} ms waiting for ${what}`, 'ETIMEDOUT');
}

/** The whole body as text; rejects when the connection ends first or it exceeds MAX_BODY. */
export function readBody(res: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) res.destroy(new ProbeFailure('protocol', `body exceeds ${MAX_BODY} bytes`));
      else parts.push(chunk);
    });
    res.once('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    res.once('error', reject);
    res.once('close', () => {
      if (!res.complete) reject(new Error('aborted'));
    });
  });
}

/** One request, one response; the connection is closed afterwards. Rejects with a ProbeFailure. */
export async function requestHttp(o: HttpRequestOptions): Promise<HttpResponse> {
  const deadline = new Deadline(o.timeoutMs ?? 5000);
  let stream: Duplex | undefined;
  try {
    stream = await dialWithin(o.dial, o.host, o.port, deadline);
    stream.on('error', () => undefined); // node:http reports errors through the request; none may crash the process later
    return await exchange(stream, o, deadline);
  } finally {
    deadline.clear();
    stream?.destroy();
  }
}

function exchange(stream: Duplex, o: HttpRequestOptions, deadline: Deadline): Promise<HttpResponse> {
  return new Promise<HttpResponse>((resolve, reject) => {
    let what = 'the response status line';
    const headers: Record<string, string> = { Host: o.hostHeader ?? formatHostHeader(o.host, o.port), ...o.headers };
    if (!Object.keys(headers).some((n) => n.toLowerCase() === 'connection')) headers['Connection'] = 'close';
    if (o.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(o.body));
    const req = http.request({ method: o.method ?? 'GET', path: o.path, headers, createConnection: handOver(stream) });
    const fail = (err: unknown): void => {
      off();
      reject(toWireFailure(err, what));
      req.destroy();
    };
    const off = deadline.onExpire(() => fail(timedOut(deadline, what)));
    req.once('response', (res) => {
      what = 'the response body';
      readBody(res).then((body) => {
        off();
        resolve({ status: res.statusCode ?? 0, reason: res.statusMessage ?? '', headers: res.headers, body });
      }, fail);
    });
    req.on('error', fail);
    req.end(o.body);
  });
}
