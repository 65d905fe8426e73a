// Relay URLs (ws://host:8767, wss://…) and the byte streams to them: plain TCP, or TLS with the server's key
// pinned on first use (TOFU) in OkHttp's `sha256/<base64 SPKI hash>` form (docs/hermes-contract.md#c16).
import { X509Certificate, createHash } from 'node:crypto';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { usageError } from '../errors.js';
import { type Dial, dialTcp } from '../probe/dial.js';

export const RELAY_PORT = 8767;

export interface RelayAddress {
  url: string;
  secure: boolean;
  host: string;
  port: number;
  /** Path for the WebSocket upgrade (`/ws` when the URL has none). */
  wsPath: string;
  /** Lower-case `host:port`, the key of a certificate pin. */
  hostPort: string;
}

export function parseRelayUrl(url: string): RelayAddress {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw usageError('E_RELAY_URL', `invalid relay URL "${url}"`, 'use ws://host:8767 or wss://host');
  }
  if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
    throw usageError(
      'E_RELAY_URL',
      `invalid relay URL "${url}" (not ws:// or wss://)`,
      'use ws://host:8767 or wss://host',
    );
  const secure = u.protocol === 'wss:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port ? Number(u.port) : secure ? 443 : RELAY_PORT;
  const path = u.pathname.replace(/\/+$/, '');
  return { url, secure, host, port, wsPath: path === '' ? '/ws' : path, hostPort: `${host}:${port}`.toLowerCase() };
}

/** `http(s)://host:port` + the URL's path prefix, for the relay's HTTP routes (/sessions). */
export function httpBaseOf(a: RelayAddress): string {
  const prefix = a.wsPath === '/ws' ? '' : a.wsPath.replace(/\/ws$/, '');
  const host = a.host.includes(':') ? `[${a.host}]` : a.host;
  return `${a.secure ? 'https' : 'http'}://${host}:${a.port}${prefix}`;
}

/** `sha256/<base64(sha256(SubjectPublicKeyInfo DER))>`. */
export function spkiPin(certDer: Buffer): string {
  const spki = new X509Certificate(certDer).publicKey.export({ type: 'spki', format: 'der' });
  return `sha256/${createHash('sha256').update(spki).digest('base64')}`;
}

/** TLS over an open byte stream (no certificate verification: callers pin or trust the stream's own channel). */
export function wrapTls(socket: Duplex, host: string, onPin: (pin: string) => void = () => undefined): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const t = tls.connect({ socket, rejectUnauthorized: false, ...(isIP(host) ? {} : { servername: host }) });
    t.once('secureConnect', () => {
      t.removeListener('error', reject);
      const raw = t.getPeerCertificate(false)?.raw;
      if (raw) onPin(spkiPin(raw));
      resolve(t);
    });
    t.once('error', reject);
  });
}

/** A Dial for this relay; on wss:// the server key's pin is reported to `onPin` once TLS is up. */
export function relayDial(a: RelayAddress, timeoutMs: number, onPin: (pin: string) => void = () => undefined): Dial {
  const tcp = dialTcp(timeoutMs);
  if (!a.secure) return tcp;
  return async (host, port) => wrapTls(await tcp(host, port), host, onPin);
}
