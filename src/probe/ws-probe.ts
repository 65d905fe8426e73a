// The Desktop-app handshake (docs/hermes-contract.md#c8, #c15; peers.md §6): a WebSocket upgrade over a Dial (the
// `ws` package does the RFC 6455 checks), then the first frame must be Hermes's gateway.ready event. Nothing runs
// on the remote host.
import { formatHostHeader } from './address.js';
import { Deadline, type Dial, toProbeFailure } from './dial.js';
import { redactSecrets } from './redact.js';
import { type WsConnection, type WsMessage, openWebSocket } from './ws-open.js';

export interface WsProbeOptions {
  dial: Dial;
  host: string;
  port: number;
  /** Default `${host}:${port}`, IPv6 bracketed. */
  hostHeader?: string;
  /** Default 'file://' like the packaged Desktop app; '' sends no Origin header. */
  origin?: string;
  token?: string;
  ticket?: string;
  /** Default '/api/ws'. */
  path?: string;
  /** Hard limit for dial + handshake + first frame. Default 8000. */
  timeoutMs?: number;
}

export type WsProbeFailureKind =
  'refused' | 'timeout' | 'http' | 'bad-handshake' | 'no-ready-frame' | 'reset' | 'unreachable';

export type WsProbeResult =
  | { ok: true; status: 101; ms: number; firstFrame: unknown }
  | { ok: false; kind: WsProbeFailureKind; status?: number; body?: string; ms: number; detail: string };

type Failure = Extract<WsProbeResult, { ok: false }>;

/** `/api/ws?token=…` (or `ticket=`), appended to any query the path already has. */
export function buildProbePath(path: string, token?: string, ticket?: string): string {
  const params: string[] = [];
  if (token !== undefined) params.push(`token=${encodeURIComponent(token)}`);
  if (ticket !== undefined) params.push(`ticket=${encodeURIComponent(ticket)}`);
  if (params.length === 0) return path;
  return `${path}${path.includes('?') ? '&' : '?'}${params.join('&')}`;
}

/** True for the gateway.ready JSON-RPC event (`method` or `params.type`). */
export function isGatewayReady(frame: unknown): boolean {
  if (typeof frame !== 'object' || frame === null) return false;
  const f = frame as { method?: unknown; params?: { type?: unknown } | null };
  return (
    f.method === 'gateway.ready' ||
    (typeof f.params === 'object' && f.params !== null && f.params.type === 'gateway.ready')
  );
}

type Fail = (kind: WsProbeFailureKind, detail: string, extra?: Partial<Failure>) => Failure;

export async function probeWebSocket(o: WsProbeOptions): Promise<WsProbeResult> {
  const started = Date.now();
  const secrets = [o.token, o.ticket];
  const fail: Fail = (kind, detail, extra = {}) => ({
    ok: false,
    kind,
    ms: Date.now() - started,
    detail: redactSecrets(detail, secrets),
    ...extra,
  });
  const deadline = new Deadline(o.timeoutMs ?? 8000);
  const target = `${formatHostHeader(o.host, o.port)}${o.path ?? '/api/ws'}`;
  let conn: WsConnection | undefined;
  try {
    const r = await openWebSocket({
      dial: o.dial,
      host: o.host,
      port: o.port,
      hostHeader: o.hostHeader,
      path: buildProbePath(o.path ?? '/api/ws', o.token, o.ticket),
      origin: o.origin ?? 'file://',
      deadline,
    });
    if (r.kind === 'rejected') return rejection(r, target, secrets, fail);
    if (r.kind === 'bad-handshake')
      return fail('bad-handshake', `${target}: 101 but ${r.problem} (a proxy or middlebox rewrote the handshake?)`, {
        status: 101,
      });
    conn = r.conn;
    const frame = await readReadyFrame(conn, deadline, target, fail);
    return 'kind' in frame ? frame : { ok: true, status: 101, ms: Date.now() - started, firstFrame: frame.value };
  } catch (err) {
    const f = toProbeFailure(err);
    return fail(f.kind === 'protocol' ? 'bad-handshake' : f.kind, `${target}: ${f.message}`);
  } finally {
    deadline.clear();
    conn?.close();
  }
}

function rejection(
  r: { status: number; reason: string; body: string },
  target: string,
  secrets: Array<string | undefined>,
  fail: Fail,
): Failure {
  const shown = redactSecrets(r.body.slice(0, 500), secrets);
  const bodyNote = r.body === '' ? 'empty body' : `body ${JSON.stringify(shown.slice(0, 120))}`;
  return fail('http', `${target}: HTTP ${r.status}${r.reason ? ` ${r.reason}` : ''}, ${bodyNote}`, {
    status: r.status,
    body: shown,
  });
}

async function readReadyFrame(
  conn: WsConnection,
  deadline: Deadline,
  target: string,
  fail: Fail,
): Promise<Failure | { value: unknown }> {
  const noReady = (what: string): Failure => fail('no-ready-frame', `${target}: 101 OK, but ${what}`, { status: 101 });
  let msg: WsMessage;
  try {
    msg = await conn.next(deadline, 'the first WebSocket frame');
  } catch (err) {
    return noReady(toProbeFailure(err).message);
  }
  if (msg.type === 'close')
    return noReady(`the server closed (code ${msg.code ?? 'none'}${msg.reason ? ` ${msg.reason}` : ''})`);
  if (msg.type === 'binary') return noReady(`the first frame is binary (${msg.bytes} bytes)`);
  let frame: unknown;
  try {
    frame = JSON.parse(msg.text);
  } catch {
    return noReady(`the first frame is not JSON: ${JSON.stringify(msg.text.slice(0, 120))}`);
  }
  if (!isGatewayReady(frame)) return noReady(`the first frame is not gateway.ready: ${msg.text.slice(0, 160)}`);
  return { value: frame };
}
