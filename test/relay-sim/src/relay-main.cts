/**
 * The relay server (simulated `python -m plugin.relay`): HTTP routes + WS auth on port 8767 (§16). TLS when
 * RELAY_SSL_CERT/RELAY_SSL_KEY are set in the environment or `$HERMES_HOME/.env` (§16, §16.6: .env loaded at import).
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import { AUTH_TIMEOUT_MS, handleAuthFrame } from './auth.cjs';
import { loadConfig, relayEnv } from './config.cjs';
import { routeHttp, sendText } from './http-routes.cjs';
import { PairingManager } from './pairing.cjs';
import { RateLimiter } from './rate-limit.cjs';
import { acceptWebSocket } from './ws.cjs';

const pairing = new PairingManager();
const limiter = new RateLimiter();

/** A text/plain rejection of an upgrade. No Retry-After, ever (§18.7 "Rate limits"). */
function reject(socket: Duplex, status: number, reason: string, body: string): void {
  socket.end(
    [
      `HTTP/1.1 ${status} ${reason}`,
      'Content-Type: text/plain; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

function onUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void {
  const path = new URL(req.url ?? '/', 'http://relay').pathname;
  const key = req.headers['sec-websocket-key'];
  // §18.7 "WS path": the relay accepts `/` and `/ws`.
  if (path !== '/ws' && path !== '/') return reject(socket, 404, 'Not Found', '404: Not Found');
  if (typeof key !== 'string' || (req.headers['upgrade'] ?? '').toLowerCase() !== 'websocket')
    return reject(socket, 400, 'Bad Request', 'bad websocket handshake');
  const ip = req.socket.remoteAddress ?? '';
  // §18.7 "Rate limits": checked only here, at the upgrade: 429 text/plain.
  if (limiter.isBlocked(ip)) return reject(socket, 429, 'Too Many Requests', 'Too many failed authentication attempts');
  let first = true;
  let authed = false;
  const conn = acceptWebSocket(socket, key, head, (text, c) => {
    if (!first) {
      if (authed) c.sendJson({ channel: 'system', type: 'echo', payload: { received: text.length } });
      return;
    }
    first = false;
    clearTimeout(timer);
    authed = handleAuthFrame(text, c, ip, { pairing, limiter });
  });
  // §16.3 step 2: 30 s deadline for the auth frame.
  const timer = setTimeout(() => {
    if (!first) return;
    first = false;
    conn.sendJson({ channel: 'system', type: 'auth.fail', payload: { reason: 'Authentication timeout' } });
    conn.close(4001, 'auth timeout');
  }, AUTH_TIMEOUT_MS);
  socket.on('close', () => clearTimeout(timer));
}

function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  routeHttp(req, res, { pairing, limiter }).catch((err: unknown) => sendText(res, 500, String(err)));
}

function main(): void {
  const cfg = loadConfig();
  const cert = relayEnv('RELAY_SSL_CERT');
  const key = relayEnv('RELAY_SSL_KEY');
  const server =
    cert && key
      ? https.createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, handler)
      : http.createServer(handler);
  server.on('upgrade', onUpgrade);
  const scheme = cert && key ? 'wss' : 'ws';
  server.listen(cfg.port, cfg.host, () =>
    process.stdout.write(`hermes-relay (sim) listening on ${scheme}://${cfg.host}:${cfg.port}\n`),
  );
}

main();
