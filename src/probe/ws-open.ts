// A WebSocket client over a Dial with the `ws` package. The dialled stream (a socket, an ssh2 forwardOut channel,
// a TLS socket) goes in through `createConnection`; ws does the RFC 6455 checks (Accept, Upgrade, no subprotocol
// or extension that was not asked for) and the framing, masking, pings and close handshake. What comes back keeps
// the probe's own wording: a non-101 answer with its body, a 101 that is not a valid handshake (named as before),
// an open connection whose messages are read in order, or a ProbeFailure (dial, reset, timeout, not HTTP).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import type { ClientOptions, RawData } from 'ws';
import { formatHostHeader } from './address.js';
import { type Deadline, type Dial, ProbeFailure, dialWithin } from './dial.js';
import { readBody, timedOut, toWireFailure } from './http-request.js';
import { handshakeProblem } from './ws-handshake.js';

export const MAX_MESSAGE = 1024 * 1024;
/** How long a close handshake may take before the stream is destroyed anyway. */
const CLOSE_TIMEOUT_MS = 200;
const HEAD = 'the response status line';
// Loaded with require, not import: on Node 20, importing ws through its ESM wrapper costs ~50 ms of CPU at start-up
// (each CJS file lexed for named exports), require ~10 ms (bench/probe-ssh.ts, import row).
const WebSocketClient = createRequire(import.meta.url)('ws') as typeof WebSocket;

export interface WsOpenOptions {
  dial: Dial;
  host: string;
  port: number;
  /** Path with query. */
  path: string;
  /** Default `host:port` (IPv6 bracketed). */
  hostHeader?: string;
  /** '' or absent: no Origin header. */
  origin?: string;
  /** Covers dial, response head and a rejection's body. */
  deadline: Deadline;
}

export type WsMessage =
  { type: 'text'; text: string } | { type: 'binary'; bytes: number } | { type: 'close'; code?: number; reason: string };

export type WsOpenResult =
  | { kind: 'open'; conn: WsConnection }
  | { kind: 'rejected'; status: number; reason: string; headers: IncomingHttpHeaders; body: string }
  | { kind: 'bad-handshake'; problem: string };

function toBuffer(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

/** An open WebSocket whose messages (and its close) are queued from the first byte, so none is missed. */
export class WsConnection {
  private readonly inbox: WsMessage[] = [];
  private error: (Error & { code?: string }) | undefined;
  private streamError: (Error & { code?: string }) | undefined;
  private closed = false;
  private wake: (() => void) | undefined;

  /** `stream` is the dialled one: ws swallows its errors once open, so the cause of a reset is kept from here. */
  constructor(
    readonly ws: WebSocket,
    stream: Duplex,
  ) {
    stream.on('error', (err: Error) => {
      this.streamError ??= err;
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const buf = toBuffer(data);
      this.push(isBinary ? { type: 'binary', bytes: buf.length } : { type: 'text', text: buf.toString('utf8') });
    });
    ws.on('error', (err: Error) => {
      this.error ??= err;
    });
    ws.on('close', (code: number, reason: Buffer) => {
      // 1006 is never sent: it means no close frame arrived (the stream ended or broke); 1005 = a frame without a code.
      if (this.error === undefined && code !== 1006)
        this.inbox.push({ type: 'close', ...(code === 1005 ? {} : { code }), reason: reason.toString('utf8') });
      this.closed = true;
      this.wake?.();
    });
  }

  send(text: string): void {
    this.ws.send(text);
  }

  /** The next message; rejects (`what` names it) when the connection ends first or the deadline passes. */
  next(deadline: Deadline, what: string): Promise<WsMessage> {
    return new Promise<WsMessage>((resolve, reject) => {
      let done = false;
      let off = (): void => undefined;
      const settle = (fn: () => void): void => {
        done = true;
        off();
        this.wake = undefined;
        fn();
      };
      const attempt = (): void => {
        if (done) return;
        const msg = this.inbox.shift();
        if (msg) settle(() => resolve(msg));
        else if (this.closed) settle(() => reject(this.gone(what)));
      };
      off = deadline.onExpire(() => {
        if (!done) settle(() => reject(timedOut(deadline, what)));
      });
      this.wake = attempt;
      attempt();
    });
  }

  /** Sends a close frame (1000) when open; the stream is destroyed after CLOSE_TIMEOUT_MS at the latest. */
  close(): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
    else this.ws.terminate();
  }

  private push(msg: WsMessage): void {
    this.inbox.push(msg);
    this.wake?.();
  }

  private gone(what: string): ProbeFailure {
    const err = this.error ?? this.streamError;
    if (err?.code === 'WS_ERR_UNEXPECTED_MASK') return new ProbeFailure('protocol', 'server sent a masked frame');
    if (err?.code?.startsWith('WS_ERR_')) return new ProbeFailure('protocol', err.message);
    return err ? toWireFailure(err, what) : new ProbeFailure('reset', `connection closed before ${what}`);
  }
}

/** Dials within the deadline and runs the upgrade. Rejects with a ProbeFailure; never leaves the stream open. */
export async function openWebSocket(o: WsOpenOptions): Promise<WsOpenResult> {
  const stream = await dialWithin(o.dial, o.host, o.port, o.deadline);
  return upgrade(stream, o);
}

function clientOptions(stream: Duplex, o: WsOpenOptions): ClientOptions {
  return {
    createConnection: (() => stream) as unknown as ClientOptions['createConnection'],
    headers: { Host: o.hostHeader ?? formatHostHeader(o.host, o.port) },
    ...(o.origin ? { origin: o.origin } : {}),
    perMessageDeflate: false, // offer no extension, as the probe always has; one sent anyway fails the handshake
    maxPayload: MAX_MESSAGE,
    closeTimeout: CLOSE_TIMEOUT_MS,
  } as ClientOptions;
}

function upgrade(stream: Duplex, o: WsOpenOptions): Promise<WsOpenResult> {
  return new Promise<WsOpenResult>((resolve, reject) => {
    // The stream is already dialled: the URL only carries the path; Host is the header set above.
    const ws = new WebSocketClient(`ws://localhost${o.path}`, clientOptions(stream, o));
    const conn = new WsConnection(ws, stream); // its listeners also keep a late stream error from crashing the process
    const u = newUpgrade(ws, resolve);
    u.off = o.deadline.onExpire(() => {
      if (u.onBodyDeadline) {
        u.onBodyDeadline();
        return;
      }
      u.settle(() => reject(timedOut(o.deadline, HEAD)));
      ws.terminate();
    });
    watchHandshake(ws, conn, u, resolve, reject);
  });
}

/** One upgrade in progress: it settles once; `drop` resolves it and tears the socket down. */
interface Upgrade {
  settled: boolean;
  upgradeHeaders: IncomingHttpHeaders | undefined;
  onBodyDeadline: (() => void) | undefined;
  off: () => void;
  settle(done: () => void): void;
  drop(result: WsOpenResult): void;
}

function newUpgrade(ws: WebSocket, resolve: (r: WsOpenResult) => void): Upgrade {
  const u: Upgrade = {
    settled: false,
    upgradeHeaders: undefined,
    onBodyDeadline: undefined,
    off: () => undefined,
    settle(done) {
      if (u.settled) return;
      u.settled = true;
      u.off();
      done();
    },
    drop(result) {
      u.settle(() => resolve(result));
      ws.terminate();
    },
  };
  return u;
}

function watchHandshake(
  ws: WebSocket,
  conn: WsConnection,
  u: Upgrade,
  resolve: (r: WsOpenResult) => void,
  reject: (err: unknown) => void,
): void {
  ws.once('upgrade', (res) => {
    u.upgradeHeaders = res.headers;
  });
  ws.once('open', () => u.settle(() => resolve({ kind: 'open', conn })));
  ws.once('unexpected-response', (_req, res) => readRejection(res, u));
  ws.on('error', (err: Error) => {
    if (u.settled) return; // after 'open' the connection's own listener has it
    if (u.upgradeHeaders) u.drop({ kind: 'bad-handshake', problem: handshakeProblem(u.upgradeHeaders, err.message) });
    else u.settle(() => reject(toWireFailure(err, HEAD)));
  });
}

/** A non-101 answer with its body; a 101 that ws did not accept is a bad handshake. */
function readRejection(res: IncomingMessage, u: Upgrade): void {
  if (res.statusCode === 101) {
    u.drop({ kind: 'bad-handshake', problem: handshakeProblem(res.headers) });
    return;
  }
  const rejected = (body: string): void =>
    u.drop({
      kind: 'rejected',
      status: res.statusCode ?? 0,
      reason: res.statusMessage ?? '',
      headers: res.headers,
      body,
    });
  u.onBodyDeadline = () => rejected(''); // the status decides the verdict; a body that never ends does not change it
  readBody(res).then(rejected, () => rejected(''));
}
