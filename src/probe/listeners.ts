// Pure parsers for "who listens on this TCP port": lsof -F, ss, /proc/net/tcp{,6}. Formats: test-hosts.md §5.
import { canonicalAddress, normalizeAddress } from './address.js';

export interface Listener {
  /** '127.0.0.1', '0.0.0.0', '::', '::1', '100.64.1.2', or '*' (dual-stack / family unknown). */
  address: string;
  family: 4 | 6 | 'any';
  port: number;
  pid?: number;
  command?: string;
  /** Socket inode (/proc only), used to join listeners with the pids that hold them. */
  inode?: number;
  source: 'lsof' | 'ss' | 'proc';
}

/** Splits `host:port` where host may be `*`, bracketed IPv6 and/or carry `%iface`. */
function splitHostPort(text: string): { host: string; port: number } | undefined {
  const colon = text.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const port = Number(text.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
  let host = text.slice(0, colon);
  const zone = host.indexOf('%');
  if (zone >= 0) host = host.slice(0, zone);
  return { host: normalizeAddress(host), port };
}

function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}

/**
 * `lsof -nP -iTCP:<port> -sTCP:LISTEN -Fpctn` (any superset of p/c/n works). lsof writes `*` for "all
 * interfaces" in both families; the `t` field (IPv4/IPv6) tells them apart. Without it `*` stays `*`/'any'.
 */
export function parseLsofListeners(out: string): Listener[] {
  const result: Listener[] = [];
  let pid: number | undefined;
  let command: string | undefined;
  let type: string | undefined;
  for (const line of out.split('\n')) {
    const tag = line[0];
    const value = line.slice(1).trim();
    if (tag === 'p') {
      pid = Number(value);
      command = undefined;
      type = undefined;
    } else if (tag === 'c') command = value;
    else if (tag === 'f') type = undefined;
    else if (tag === 't') type = value;
    else if (tag === 'n' && !value.includes('->')) {
      const hp = splitHostPort(value.replace(/\s*\(LISTEN\)$/, ''));
      if (hp) result.push({ ...lsofAddress(hp.host, type), port: hp.port, pid, command, source: 'lsof' });
      type = undefined;
    }
  }
  return result.map(dropUndefined);
}

function lsofAddress(host: string, type: string | undefined): Pick<Listener, 'address' | 'family'> {
  if (host !== '*') return { address: canonicalAddress(host), family: familyOf(host) };
  if (type === 'IPv4') return { address: '0.0.0.0', family: 4 };
  if (type === 'IPv6') return { address: '::', family: 6 };
  return { address: '*', family: 'any' };
}

/**
 * `ss -Hltnp 'sport = :<port>'` (a header line from an ss without -H is skipped). ss writes `0.0.0.0` (IPv4
 * any), `*` (dual-stack) and `[::]` (IPv6 only). `users:((…))` is missing for other users' sockets.
 */
export function parseSsListeners(out: string): Listener[] {
  const result: Listener[] = [];
  for (const line of out.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[0] === 'State' || cols[0] === 'Netid') continue;
    const local = cols.find((c, i) => i > 0 && splitHostPort(c) !== undefined && !/^\d+$/.test(c));
    const hp = local ? splitHostPort(local) : undefined;
    if (!hp) continue;
    const address = hp.host === '*' ? '*' : canonicalAddress(hp.host);
    const family = address === '*' ? 'any' : familyOf(address);
    const users = /users:\(\("((?:[^"\\]|\\.)*)",pid=(\d+)/.exec(line);
    result.push(
      dropUndefined({
        address,
        family,
        port: hp.port,
        pid: users ? Number(users[2]) : undefined,
        command: users?.[1],
        source: 'ss',
      }),
    );
  }
  return result;
}

/** `0100007F` → 127.0.0.1; 32 hex digits → IPv6 (each 32-bit word is host-order, i.e. little-endian). */
export function decodeProcAddress(hex: string): string | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hex)) return undefined;
  const words = hex.match(/.{8}/g) ?? [];
  if (hex.length !== 8 && hex.length !== 32) return undefined;
  const bytes = words.flatMap((w) => [6, 4, 2, 0].map((i) => parseInt(w.slice(i, i + 2), 16)));
  if (hex.length === 8) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return canonicalAddress(groups.join(':'));
}

/** LISTEN rows (state `0A`) for `port` from /proc/net/tcp and /proc/net/tcp6 text. */
export function parseProcNetTcp(tcp: string, tcp6: string, port: number): Listener[] {
  const result: Listener[] = [];
  for (const line of `${tcp}\n${tcp6}`.split('\n')) {
    const f = line.trim().split(/\s+/);
    const [hexAddr, hexPort] = (f[1] ?? '').split(':');
    if (f[3] !== '0A' || !hexAddr || !hexPort || parseInt(hexPort, 16) !== port) continue;
    const address = decodeProcAddress(hexAddr);
    if (!address) continue;
    const inode = Number(f[9]);
    result.push(
      dropUndefined({
        address,
        family: hexAddr.length === 8 ? 4 : 6,
        port,
        inode: Number.isFinite(inode) ? inode : undefined,
        source: 'proc',
      }),
    );
  }
  return result;
}

function dropUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
