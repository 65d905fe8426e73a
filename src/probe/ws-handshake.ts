// The probe's wording for a 101 answer that is not a valid WebSocket handshake (peers.md §6.2): from its headers and
// the message ws refused it with.
import type { IncomingHttpHeaders } from 'node:http';

/** Why a 101 answer is not a valid handshake, from its headers and what ws refused (peers.md §6.2). */
export function handshakeProblem(h: IncomingHttpHeaders, wsMessage = ''): string {
  const upgrade = h.upgrade;
  if ((upgrade ?? '').toLowerCase() !== 'websocket') return `invalid Upgrade header: ${upgrade ?? '(missing)'}`;
  const connection = (h.connection ?? '')
    .toLowerCase()
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (!connection.includes('upgrade'))
    return `Connection header lacks "upgrade": ${connection.join(', ') || '(missing)'}`;
  if (/Sec-WebSocket-Accept/i.test(wsMessage))
    return `invalid Sec-WebSocket-Accept: ${String(h['sec-websocket-accept'] ?? '(missing)')}`;
  if (/subprotocol/i.test(wsMessage))
    return `server sent a subprotocol (${String(h['sec-websocket-protocol'])}) but none was requested`;
  if (/extension/i.test(wsMessage))
    return `server sent extensions (${String(h['sec-websocket-extensions'])}) but none were requested`;
  return wsMessage || 'not a WebSocket handshake';
}
