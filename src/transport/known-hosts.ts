// Pure known_hosts parsing and lookup with OpenSSH semantics: hashed entries (|1|salt|hash),
// [host]:port, comma-separated patterns with * ? and ! negation, @revoked and @cert-authority markers.
import { createHash, createHmac } from 'node:crypto';
import { usageError } from '../errors.js';
import { formatHostPort } from './target.js';

export interface KnownHostEntry {
  line: number;
  marker?: '@revoked' | '@cert-authority';
  patterns: string;
  keyType: string;
  keyBase64: string;
}

export type HostKeyStatus =
  | { status: 'known'; line: number }
  | { status: 'unknown'; knownTypes: string[] }
  | { status: 'changed'; line: number; knownTypes: string[] }
  | { status: 'revoked'; line: number };

const B64_RE = /^[A-Za-z0-9+/]+={0,2}$/;

export function parseKnownHosts(text: string, path = '~/.ssh/known_hosts'): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m !== '@revoked' && m !== '@cert-authority') throw malformed(path, i + 1, `unknown marker ${m}`);
      marker = m;
    }
    const [patterns, keyType, keyBase64] = fields;
    if (!patterns || !keyType || !keyBase64) throw malformed(path, i + 1, 'expected "hosts keytype key"');
    if (!B64_RE.test(keyBase64)) throw malformed(path, i + 1, 'the key is not base64');
    entries.push({ line: i + 1, ...(marker ? { marker } : {}), patterns, keyType, keyBase64 });
  });
  return entries;
}

function malformed(path: string, line: number, why: string) {
  return usageError(
    'E_KNOWN_HOSTS_MALFORMED',
    `${path} line ${line} is malformed: ${why}`,
    `fix or delete that line (ssh-keygen -R <host> removes a host's entries)`,
  );
}

function globToRegExp(glob: string): RegExp {
  const esc = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${esc}$`, 'i');
}

function hashedMatches(pattern: string, name: string): boolean {
  const [, magic, salt, hash] = pattern.split('|');
  if (magic !== '1' || !salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

/** OpenSSH match_hostname: any positive match and no negated match. */
export function patternsMatch(patterns: string, name: string): boolean {
  if (patterns.startsWith('|')) return hashedMatches(patterns, name);
  let matched = false;
  for (const p of patterns.split(',')) {
    const negated = p.startsWith('!');
    const glob = negated ? p.slice(1) : p;
    if (globToRegExp(glob).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export function lookupHostKey(
  entries: KnownHostEntry[],
  host: string,
  port: number,
  keyType: string,
  keyBase64: string,
): HostKeyStatus {
  const name = formatHostPort(host, port);
  const mine = entries.filter((e) => e.marker !== '@cert-authority' && patternsMatch(e.patterns, name));
  const revoked = mine.find((e) => e.marker === '@revoked' && e.keyBase64 === keyBase64);
  if (revoked) return { status: 'revoked', line: revoked.line };
  const plain = mine.filter((e) => e.marker === undefined);
  const hit = plain.find((e) => e.keyType === keyType && e.keyBase64 === keyBase64);
  if (hit) return { status: 'known', line: hit.line };
  const knownTypes = [...new Set(plain.map((e) => e.keyType))];
  const first = plain[0];
  if (first) return { status: 'changed', line: first.line, knownTypes };
  return { status: 'unknown', knownTypes };
}

/** Key types already recorded for this host, so the handshake can prefer them (as OpenSSH does). */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  const name = formatHostPort(host, port);
  return [
    ...new Set(entries.filter((e) => e.marker === undefined && patternsMatch(e.patterns, name)).map((e) => e.keyType)),
  ];
}

export function renderKnownHostsLine(host: string, port: number, keyType: string, keyBase64: string): string {
  return `${formatHostPort(host, port)} ${keyType} ${keyBase64}`;
}

/** Appends a line, adding the missing newline of the last line first. */
export function appendKnownHostsLine(text: string, line: string): string {
  const base = text === '' || text.endsWith('\n') ? text : `${text}\n`;
  return `${base}${line}\n`;
}

/** The SSH wire-format key blob starts with the key type as a length-prefixed string. */
export function keyTypeOfBlob(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('latin1');
}

/** OpenSSH-style SHA256 fingerprint of a key blob. */
export function fingerprintBlob(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}
