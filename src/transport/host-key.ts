// Host-key policy: verify against ~/.ssh/known_hosts; accept an unknown key only when the user said so;
// never accept a changed or revoked key. The decision is pure; reading and recording the file is I/O.
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { hostKeyError, usageError } from '../errors.js';
import {
  appendKnownHostsLine,
  fingerprintBlob,
  keyTypeOfBlob,
  knownKeyTypes,
  lookupHostKey,
  parseKnownHosts,
  renderKnownHostsLine,
  type HostKeyStatus,
  type KnownHostEntry,
} from './known-hosts.js';
import { formatHostPort } from './target.js';

export interface HostKeyPolicy {
  knownHostsPath: string;
  acceptNew: boolean;
}

export interface HostKeyCheck {
  /** For ssh2's hostVerifier: returns true to continue the handshake. */
  verify(blob: Buffer): boolean;
  /** After a refused handshake: the error to throw (undefined if the verifier accepted). */
  rejection(): Error | undefined;
  /** After a successful connection: record a newly accepted key. */
  commit(): Promise<boolean>;
  /** Host-key algorithms ordered like OpenSSH: types already known for this host first. */
  preferredAlgorithms(): string[];
}

const DEFAULT_ALGOS = [
  'ssh-ed25519',
  'ecdsa-sha2-nistp256',
  'ecdsa-sha2-nistp384',
  'ecdsa-sha2-nistp521',
  'rsa-sha2-512',
  'rsa-sha2-256',
  'ssh-rsa',
];

function algosFor(type: string): string[] {
  return type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
}

export async function readKnownHosts(path: string): Promise<{ text: string; entries: KnownHostEntry[] }> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT')
      throw usageError(
        'E_KNOWN_HOSTS_UNREADABLE',
        `cannot read ${path} (${code})`,
        `make ${path} a readable file (or pass --known-hosts FILE)`,
      );
  }
  return { text, entries: parseKnownHosts(text, path) };
}

export async function createHostKeyCheck(host: string, port: number, policy: HostKeyPolicy): Promise<HostKeyCheck> {
  const { entries } = await readKnownHosts(policy.knownHostsPath);
  const name = formatHostPort(host, port);
  let refused: Error | undefined;
  let pending: string | undefined;
  return {
    verify(blob) {
      const type = keyTypeOfBlob(blob);
      const b64 = blob.toString('base64');
      const fp = fingerprintBlob(blob);
      const res = lookupHostKey(entries, host, port, type, b64);
      if (res.status === 'known') return true;
      if (res.status === 'unknown' && policy.acceptNew) {
        pending = renderKnownHostsLine(host, port, type, b64);
        return true;
      }
      refused = refusalError(res, name, type, fp, policy.knownHostsPath);
      return false;
    },
    rejection: () => refused,
    async commit() {
      if (!pending) return false;
      await recordHostKey(policy.knownHostsPath, pending);
      pending = undefined;
      return true;
    },
    preferredAlgorithms() {
      const known = knownKeyTypes(entries, host, port).flatMap(algosFor);
      return [...new Set([...known, ...DEFAULT_ALGOS])];
    },
  };
}

/** The error for a key the policy refuses: unknown (and not accepted), revoked, or changed. */
function refusalError(
  res: Exclude<HostKeyStatus, { status: 'known' }>,
  name: string,
  type: string,
  fp: string,
  knownHostsPath: string,
): Error {
  if (res.status === 'unknown')
    return hostKeyError(
      'E_HOSTKEY_UNKNOWN',
      `the host key for ${name} is not in ${knownHostsPath} (${type} ${fp})`,
      `check the fingerprint on the host (ssh-keygen -lf /etc/ssh/ssh_host_${type.replace(/^ssh-|-sha2.*$/g, '')}_key.pub), then rerun with --accept-new-host-key`,
    );
  if (res.status === 'revoked')
    return hostKeyError(
      'E_HOSTKEY_REVOKED',
      `the host key for ${name} is marked @revoked in ${knownHostsPath} line ${res.line}`,
      'do not connect; investigate the host',
    );
  return hostKeyError(
    'E_HOSTKEY_CHANGED',
    `the host key for ${name} changed: got ${type} ${fp}, ${knownHostsPath} line ${res.line} has another`,
    `if the host was reinstalled, confirm the new fingerprint out of band, then run: ssh-keygen -R '${name}'`,
  );
}

/** Appends an accepted key's line to known_hosts (0600, in a 0700 directory if it has to make one). */
async function recordHostKey(path: string, line: string): Promise<void> {
  const { text } = await readKnownHosts(path);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFile(path, appendKnownHostsLine(text, line), { mode: 0o600 });
  await chmod(path, 0o600).catch(() => undefined);
}
