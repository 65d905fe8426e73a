// Address classifiers for bind addresses and listeners. Inputs may be bracketed IPv6 (`[::1]`), carry a zone
// (`fe80::1%eth0`), or be the wildcards `*`, `0.0.0.0`, `::`. Hostnames are only understood as `localhost`.
import net from 'node:net';

/** Strips brackets and a zone id; lower-cases. */
export function normalizeAddress(addr: string): string {
  let a = addr.trim().toLowerCase();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const zone = a.indexOf('%');
  return zone >= 0 ? a.slice(0, zone) : a;
}

function parseIpv4(a: string): number[] | undefined {
  if (net.isIPv4(a)) return a.split('.').map(Number);
  return undefined;
}

/** net.isIPv6, asked only when there is a colon: its first call compiles a regex that costs ~20–30 ms of CPU. */
function isIpv6Literal(a: string): boolean {
  return a.includes(':') && net.isIPv6(a);
}

/** Eight 16-bit groups, or undefined when `a` is not an IPv6 literal. Handles `::` and a dotted IPv4 tail. */
export function parseIpv6(addr: string): number[] | undefined {
  const a = normalizeAddress(addr);
  if (!isIpv6Literal(a)) return undefined;
  let text = a;
  const v4tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (v4tail?.[1]) {
    const o = v4tail[1].split('.').map(Number);
    text = `${a.slice(0, -v4tail[1].length)}${(((o[0] ?? 0) << 8) | (o[1] ?? 0)).toString(16)}:${(((o[2] ?? 0) << 8) | (o[3] ?? 0)).toString(16)}`;
  }
  const [left = '', right] = text.split('::');
  const head = left === '' ? [] : left.split(':');
  const tail = right === undefined || right === '' ? [] : right.split(':');
  const fill = right === undefined ? [] : new Array<string>(8 - head.length - tail.length).fill('0');
  return [...head, ...fill, ...tail].map((g) => parseInt(g, 16));
}

/** The IPv4 address inside `::ffff:a.b.c.d`, else undefined. */
function mappedIpv4(groups: number[]): number[] | undefined {
  const isMapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (!isMapped) return undefined;
  const hi = groups[6] ?? 0;
  const lo = groups[7] ?? 0;
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
}

function asIpv4(addr: string): number[] | undefined {
  const a = normalizeAddress(addr);
  const v4 = parseIpv4(a);
  if (v4) return v4;
  const v6 = parseIpv6(a);
  return v6 ? mappedIpv4(v6) : undefined;
}

export function isWildcard(addr: string): boolean {
  const a = normalizeAddress(addr);
  if (a === '*' || a === '0.0.0.0') return true;
  const v6 = parseIpv6(a);
  return v6 !== undefined && v6.every((g) => g === 0);
}

/** 127.0.0.0/8, ::1, ::ffff:127.x.y.z and the name `localhost`. */
export function isLoopback(addr: string): boolean {
  const a = normalizeAddress(addr);
  if (a === 'localhost') return true;
  const v4 = asIpv4(a);
  if (v4) return v4[0] === 127;
  const v6 = parseIpv6(a);
  return v6 !== undefined && v6.slice(0, 7).every((g) => g === 0) && v6[7] === 1;
}

/** Tailscale ranges: 100.64.0.0/10 (CGNAT, IPv4) and fd7a:115c:a1e0::/48 (IPv6 ULA). */
export function isTailnet(addr: string): boolean {
  const v4 = asIpv4(addr);
  if (v4) return v4[0] === 100 && ((v4[1] ?? 0) & 0xc0) === 64;
  const v6 = parseIpv6(addr);
  return v6 !== undefined && v6[0] === 0xfd7a && v6[1] === 0x115c && v6[2] === 0xa1e0;
}

/**
 * Private LAN ranges: RFC 1918 (10/8, 172.16/12, 192.168/16) and RFC 4193 ULA fc00::/7 (so Tailscale's
 * fd7a:115c:a1e0::/48 is private too). Deliberately **not** included: link-local (169.254/16, fe80::/10 —
 * not a usable bind for a service) and 100.64/10 CGNAT (use isTailnet).
 */
export function isPrivate(addr: string): boolean {
  const v4 = asIpv4(addr);
  if (v4) {
    const [a = 0, b = 0] = v4;
    return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
  }
  const v6 = parseIpv6(addr);
  return v6 !== undefined && ((v6[0] ?? 0) & 0xfe00) === 0xfc00;
}

/** Canonical text: IPv4 dotted, IPv4-mapped IPv6 as `::ffff:a.b.c.d`, other IPv6 compressed lower-case (URL rules). */
export function canonicalAddress(addr: string): string {
  const a = normalizeAddress(addr);
  if (!isIpv6Literal(a)) return a;
  const mapped = mappedIpv4(parseIpv6(a) ?? []);
  return mapped ? `::ffff:${mapped.join('.')}` : new URL(`http://[${a}]/`).hostname.slice(1, -1);
}

/** `host:port` for a Host header; IPv6 literals get brackets. */
export function formatHostHeader(host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`;
}
