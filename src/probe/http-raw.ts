// A minimal HTTP/1.1 client over a Dial: request line + headers + optional body out; status line, headers
// (repeated ones such as Set-Cookie kept apart) and a body by Content-Length, chunked, or until close back.
// Needs nothing on the remote host: the bytes travel over whatever stream the Dial returns.
import type { Duplex } from 'node:stream';
import { ByteReader, type ChunkParser } from './byte-reader.js';
import { Deadline, type Dial, ProbeFailure, dialWithin, toProbeFailure } from './dial.js';

export type RawHeaders = Array<[string, string]>;

export interface ResponseHead {
  httpVersion: string;
  status: number;
  reason: string;
  /** In wire order, names as sent. */
  headers: RawHeaders;
}

export interface RawResponse extends ResponseHead {
  body: string;
}

export interface RawRequestOptions {
  dial: Dial;
  host: string;
  port: number;
  method?: string;
  /** Path with query, e.g. `/api/status`. */
  path: string;
  /** Default `host:port` (IPv6 bracketed). */
  hostHeader?: string;
  headers?: RawHeaders;
  body?: string | Buffer;
  /** Hard limit for the whole exchange, dial included. Default 5000. */
  timeoutMs?: number;
}

const MAX_HEAD = 64 * 1024;
const MAX_BODY = 1024 * 1024;

/** `host:port` for a Host header; IPv6 literals get brackets. */
export function formatHostHeader(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function renderRequest(method: string, path: string, hostHeader: string, headers: RawHeaders, body?: string | Buffer): Buffer {
  const bytes = body === undefined ? undefined : Buffer.from(body);
  const lines = [`${method} ${path} HTTP/1.1`, `Host: ${hostHeader}`];
  for (const [name, value] of headers) {
    if (/[\r\n]/.test(name + value)) throw new Error(`header ${name} contains a line break`);
    lines.push(`${name}: ${value}`);
  }
  const hasLength = headers.some(([n]) => n.toLowerCase() === 'content-length');
  if (bytes && !hasLength) lines.push(`Content-Length: ${bytes.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return bytes ? Buffer.concat([head, bytes]) : head;
}

/** Parses the status line and headers once the blank line has arrived. Throws `protocol` on garbage. */
export const parseResponseHead: ChunkParser<ResponseHead> = (buf) => {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) {
    if (buf.length > MAX_HEAD) throw new ProbeFailure('protocol', `response head exceeds ${MAX_HEAD} bytes`);
    if (buf.length >= 5 && !buf.subarray(0, 5).equals(Buffer.from('HTTP/'))) throw notHttp(buf);
    return undefined;
  }
  const [statusLine = '', ...lines] = buf.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/(\d\.\d) (\d{3})(?: (.*))?$/.exec(statusLine);
  if (!m) throw notHttp(buf);
  const headers: RawHeaders = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ProbeFailure('protocol', `malformed header line: ${line.slice(0, 80)}`);
    headers.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return { value: { httpVersion: m[1] ?? '1.1', status: Number(m[2]), reason: m[3] ?? '', headers }, consumed: end + 4 };
};

function notHttp(buf: Buffer): ProbeFailure {
  const text = JSON.stringify(buf.subarray(0, 40).toString('latin1'));
  return new ProbeFailure('protocol', `not an HTTP response (starts with ${text})`);
}

export function getHeaders(headers: RawHeaders, name: string): string[] {
  const want = name.toLowerCase();
  return headers.filter(([n]) => n.toLowerCase() === want).map(([, v]) => v);
}

/** First value of a header, or undefined. */
export function getHeader(headers: RawHeaders, name: string): string | undefined {
  return getHeaders(headers, name)[0];
}

/** Body parser for a response: no body for HEAD/1xx/204/304, chunked, Content-Length, else until close. */
export function bodyParser(head: ResponseHead, method: string): ChunkParser<Buffer> {
  const status = head.status;
  if (method === 'HEAD' || (status >= 100 && status < 200) || status === 204 || status === 304) {
    return () => ({ value: Buffer.alloc(0), consumed: 0 });
  }
  if (/\bchunked\b/i.test(getHeader(head.headers, 'transfer-encoding') ?? '')) return parseChunkedBody;
  const lengthText = getHeader(head.headers, 'content-length');
  if (lengthText !== undefined) {
    const length = Number(lengthText);
    if (!Number.isSafeInteger(length) || length < 0) throw new ProbeFailure('protocol', `bad Content-Length: ${lengthText}`);
    return (buf) => (buf.length >= length ? { value: buf.subarray(0, length), consumed: length } : undefined);
  }
  return (buf, ended) => {
    if (buf.length > MAX_BODY) throw new ProbeFailure('protocol', `body exceeds ${MAX_BODY} bytes`);
    return ended ? { value: buf, consumed: buf.length } : undefined;
  };
}

/** Decodes a complete chunked body (trailers skipped); undefined until the last chunk has arrived. */
export const parseChunkedBody: ChunkParser<Buffer> = (buf) => {
  const parts: Buffer[] = [];
  let off = 0;
  for (;;) {
    const eol = buf.indexOf('\r\n', off);
    if (eol < 0) return undefined;
    const size = parseInt(buf.subarray(off, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (Number.isNaN(size)) throw new ProbeFailure('protocol', 'bad chunk size');
    if (size === 0) {
      const end = buf.indexOf('\r\n\r\n', eol); // "0\r\n" [trailers] "\r\n"
      return end >= 0 ? { value: Buffer.concat(parts), consumed: end + 4 } : undefined;
    }
    if (buf.length < eol + 2 + size + 2) return undefined;
    parts.push(buf.subarray(eol + 2, eol + 2 + size));
    off = eol + 2 + size + 2;
  }
};

export interface Exchange {
  stream: Duplex;
  reader: ByteReader;
  head: ResponseHead;
}

/** Dials, writes the request and reads the response head, all within `deadline`. The caller owns `stream`. */
export async function openExchange(o: RawRequestOptions, deadline: Deadline): Promise<Exchange> {
  const stream = await dialWithin(o.dial, o.host, o.port, deadline);
  try {
    const reader = new ByteReader(stream);
    const hostHeader = o.hostHeader ?? formatHostHeader(o.host, o.port);
    stream.write(renderRequest(o.method ?? 'GET', o.path, hostHeader, o.headers ?? [], o.body));
    const head = await reader.read(parseResponseHead, deadline, 'the response status line');
    return { stream, reader, head };
  } catch (err) {
    stream.destroy();
    throw toProbeFailure(err);
  }
}

/** One request, one response; the connection is closed afterwards. Rejects with a ProbeFailure. */
export async function requestRaw(o: RawRequestOptions): Promise<RawResponse> {
  const deadline = new Deadline(o.timeoutMs ?? 5000);
  const headers: RawHeaders = [...(o.headers ?? [])];
  if (!headers.some(([n]) => n.toLowerCase() === 'connection')) headers.push(['Connection', 'close']);
  let stream: Duplex | undefined;
  try {
    const ex = await openExchange({ ...o, headers }, deadline);
    stream = ex.stream;
    const body = await ex.reader.read(bodyParser(ex.head, o.method ?? 'GET'), deadline, 'the response body');
    return { ...ex.head, body: body.toString('utf8') };
  } finally {
    deadline.clear();
    stream?.destroy();
  }
}
