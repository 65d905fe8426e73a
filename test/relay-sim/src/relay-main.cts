/** The relay server (simulated `python -m plugin.relay --no-ssl`): HTTP routes + WS auth on port 8767. */
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { AUTH_TIMEOUT_MS, handleAuthFrame } from './auth.cjs';
import { loadConfig } from './config.cjs';
import { routeHttp, sendJson } from './http-routes.cjs';
import { PairingManager } from './pairing.cjs';
import { RateLimiter } from './rate-limit.cjs';
import { acceptWebSocket } from './ws.cjs';

const pairing = new PairingManager();
const limiter = new RateLimiter();

function reject(socket: Duplex, status: number, reason: string, body: string, extra: string[] = []): void {
  socket.end([`HTTP/1.1 ${status} ${reason}`, 'Content-Type: application/json', `Content-Length: ${Buffer.byteLength(body)}`,
    ...extra, 'Connection: close', '', body].join('\r\n'));
}

function onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  const path = new URL(req.url ?? '/', 'http://relay').pathname;
  const key = req.headers['sec-websocket-key'];
  if (path !== '/ws' && path !== '/') return reject(socket, 404, 'Not Found', '{"error":"Not found"}');
  if (typeof key !== 'string' || (req.headers['upgrade'] ?? '').toLowerCase() !== 'websocket') return reject(socket, 400, 'Bad Request', '{"error":"Bad handshake"}');
  const ip = req.socket.remoteAddress ?? '';
  const blocked = Math.min(limiter.blockedFor('pairing', ip), limiter.blockedFor('session', ip));
  if (blocked > 0) return reject(socket, 429, 'Too Many Requests', JSON.stringify({ error: 'Too many failed attempts', retry_after: blocked }), [`Retry-After: ${blocked}`]);
  let authed = false;
  let first = true;
  const conn = acceptWebSocket(socket, key, head, (text, c) => {
    if (!first) {
      if (authed) c.sendJson({ channel: 'system', type: 'echo', payload: { received: text.length } });
      return;
    }
    first = false;
    clearTimeout(timer);
    authed = handleAuthFrame(text, c, ip, { pairing, limiter });
  });
  const timer = setTimeout(() => {
    if (!first) return;
    first = false;
    conn.sendJson({ channel: 'system', type: 'auth.fail', payload: { reason: 'Authentication timeout' } });
    conn.close(4001, 'auth timeout');
  }, AUTH_TIMEOUT_MS);
  socket.on('close', () => clearTimeout(timer));
}

function main(): void {
  const cfg = loadConfig();
  const server = http.createServer((req, res) => {
    routeHttp(req, res, pairing).catch((err: unknown) => sendJson(res, 500, { error: String(err) }));
  });
  server.on('upgrade', onUpgrade);
  server.listen(cfg.port, cfg.host, () => process.stdout.write(`hermes-relay (sim) listening on ${cfg.host}:${cfg.port}\n`));
}

main();
