// Pure parsing of a target string: user@host, user@host:port, host, ssh://user@host:port, [::1], user@[::1]:22.
import { usageError, type HermesSetupError } from '../errors.js';

export interface ParsedTarget {
  /** What the user typed. */
  raw: string;
  user?: string;
  /** Hostname, IPv4, IPv6 (without brackets) or an ~/.ssh/config alias. */
  host: string;
  port?: number;
}

const USER_RE = /^[A-Za-z_][A-Za-z0-9._-]*$/;
const HOST_RE = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;
const IPV6_RE = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9_.-]+)?$/;

function bad(
  raw: string,
  what: string,
  hint = 'use user@host, user@host:port, ssh://user@host:port or an alias from ~/.ssh/config',
): HermesSetupError {
  return usageError('E_TARGET_INVALID', `invalid target "${raw}": ${what}`, hint);
}

export function parsePort(raw: string, text: string): number {
  if (!/^\d+$/.test(text)) {
    throw usageError(
      'E_TARGET_PORT',
      `invalid port "${text}" in target "${raw}": not a number`,
      'give a port between 1 and 65535, e.g. user@host:22',
    );
  }
  const port = Number(text);
  if (port < 1 || port > 65535) {
    throw usageError(
      'E_TARGET_PORT',
      `invalid port ${text} in target "${raw}": must be 1-65535`,
      'give a port between 1 and 65535, e.g. user@host:22',
    );
  }
  return port;
}

function splitHostPort(raw: string, rest: string): { host: string; port?: number } {
  if (rest.startsWith('[')) {
    const end = rest.indexOf(']');
    if (end < 0) throw bad(raw, 'unclosed "[" around an IPv6 address');
    const host = rest.slice(1, end);
    const after = rest.slice(end + 1);
    if (!IPV6_RE.test(host) || !host.includes(':')) throw bad(raw, `"${host}" is not an IPv6 address`);
    if (after === '') return { host };
    if (!after.startsWith(':')) throw bad(raw, `unexpected "${after}" after "]"`);
    return { host, port: parsePort(raw, after.slice(1)) };
  }
  const colons = rest.split(':').length - 1;
  if (colons > 1) throw bad(raw, 'bare IPv6 address', 'wrap IPv6 addresses in brackets, e.g. user@[::1]:22');
  const [host = '', portText] = rest.split(':');
  if (host === '') throw bad(raw, 'missing host');
  if (!HOST_RE.test(host)) throw bad(raw, `"${host}" is not a valid hostname or address`);
  return portText === undefined ? { host } : { host, port: parsePort(raw, portText) };
}

function splitUser(raw: string, s: string): { user?: string; rest: string } {
  const at = s.lastIndexOf('@');
  if (at < 0) return { rest: s };
  const user = s.slice(0, at);
  if (user === '') throw bad(raw, 'empty user before "@"');
  if (!USER_RE.test(user)) throw bad(raw, `"${user}" is not a valid user name`);
  return { user, rest: s.slice(at + 1) };
}

export function parseTarget(raw: string): ParsedTarget {
  const text = raw.trim();
  if (text === '') throw bad(raw, 'empty');
  if (/\s/.test(text)) throw bad(raw, 'contains whitespace');
  let body = text;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    if (!text.toLowerCase().startsWith('ssh://'))
      throw bad(raw, `unsupported scheme "${text.split(':')[0]}"`, 'only ssh:// URLs are supported');
    body = text.slice('ssh://'.length).replace(/\/$/, '');
    if (body.includes('/')) throw bad(raw, 'ssh:// URLs take no path');
  }
  const { user, rest } = splitUser(raw, body);
  const { host, port } = splitHostPort(raw, rest);
  const out: ParsedTarget = { raw, host };
  if (user !== undefined) out.user = user;
  if (port !== undefined) out.port = port;
  return out;
}

/** host[:port] as a person types it in a target (user@host:port): brackets only around an IPv6 address. */
export function formatTargetHost(host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port === 22 ? h : `${h}:${port}`;
}

/** host[:port] as ssh and known_hosts write it. */
export function formatHostPort(host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port === 22 ? h : `${h.startsWith('[') ? h : `[${h}]`}:${port}`;
}
