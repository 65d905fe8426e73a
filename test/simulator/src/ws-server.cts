/** `/api/ws`, `/api/pub`, `/api/events`, `/api/pty` upgrade handling (§8). */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { consumeTicket } from './auth.cjs';
import { safeEqual } from './basic-provider.cjs';
import { resolveVersion } from './builds.cjs';
import { isHostHeaderAllowed, isOriginAllowed, isPeerAllowed } from './guards.cjs';
import type { ServerConfig } from './server-config.cjs';
import { type WsConnection, computeAccept, runConnection } from './ws-frames.cjs';

const WS_PATHS = new Set(['/api/ws', '/api/pub', '/api/events', '/api/pty']);
const CHANNEL_RE = /^[A-Za-z0-9._-]{1,128}$/;

/** uvicorn turns a pre-accept close into a bare 403 with an empty body (§8.3). */
function reject403(socket: Duplex): void {
  socket.end('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
}

function rejectHandshake(socket: Duplex, status: string, extra = ''): void {
  socket.end(`HTTP/1.1 ${status}\r\ncontent-length: 0\r\nconnection: close\r\n${extra}\r\n`);
}

function checkCredential(cfg: ServerConfig, url: URL): boolean {
  const token = url.searchParams.get('token');
  if (cfg.gated) return token === null && consumeTicket(cfg.auth, url.searchParams.get('ticket'));
  return token !== null && safeEqual(token, cfg.token);
}

/** Returns true when every guard passes; any failure maps to the same 403. */
export function isUpgradeAllowed(cfg: ServerConfig, req: http.IncomingMessage, url: URL): boolean {
  if (!WS_PATHS.has(url.pathname)) return false;
  if (!cfg.chatEnabled) return false;
  if (!isHostHeaderAllowed(cfg, req.headers.host)) return false;
  if (!isPeerAllowed(cfg, req.socket.remoteAddress)) return false;
  if (!checkCredential(cfg, url)) return false;
  if (!isOriginAllowed(cfg, req.headers.origin)) return false;
  if (url.pathname === '/api/pub' || url.pathname === '/api/events') {
    return CHANNEL_RE.test(url.searchParams.get('channel') ?? '');
  }
  return true;
}

function answerRpc(cfg: ServerConfig, text: string, conn: WsConnection): void {
  let msg: { id?: unknown; method?: unknown };
  try {
    msg = JSON.parse(text) as { id?: unknown; method?: unknown };
  } catch {
    conn.sendText(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } }));
    return;
  }
  if (msg.id === undefined) return;
  if (msg.method === 'ping') {
    conn.sendText(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { pong: true } }));
    return;
  }
  if (msg.method === 'gateway.info') {
    conn.sendText(
      JSON.stringify({ jsonrpc: '2.0', id: msg.id, result: { version: resolveVersion(cfg.build, cfg.installDir) } }),
    );
    return;
  }
  conn.sendText(JSON.stringify({ jsonrpc: '2.0', id: msg.id, error: { code: -32601, message: 'Method not found' } }));
}

function buildReadyEvent(cfg: ServerConfig): string {
  return JSON.stringify({
    jsonrpc: '2.0',
    method: 'event',
    params: {
      type: 'gateway.ready',
      payload: { version: resolveVersion(cfg.build, cfg.installDir), release_date: cfg.build.releaseDate },
    },
  });
}

export function handleUpgrade(cfg: ServerConfig, req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  socket.on('error', () => socket.destroy());
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const key = req.headers['sec-websocket-key'];
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket' || typeof key !== 'string' || req.method !== 'GET') {
    rejectHandshake(socket, '400 Bad Request');
    return;
  }
  if (req.headers['sec-websocket-version'] !== '13') {
    rejectHandshake(socket, '426 Upgrade Required', 'sec-websocket-version: 13\r\n');
    return;
  }
  if (!isUpgradeAllowed(cfg, req, url)) {
    reject403(socket);
    return;
  }
  socket.write(
    [
      'HTTP/1.1 101 Switching Protocols',
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${computeAccept(key)}`,
      '',
      '',
    ].join('\r\n'),
  );
  const conn = runConnection(socket, head, (text, c) => {
    if (url.pathname === '/api/ws') answerRpc(cfg, text, c);
  });
  if (url.pathname === '/api/ws') conn.sendText(buildReadyEvent(cfg));
}
