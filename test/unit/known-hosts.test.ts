// known_hosts lookup, cross-checked with OpenSSH's own ssh-keygen (-H hashes entries, -F looks them up).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HermesSetupError } from '../../src/errors.js';
import {
  appendKnownHostsLine,
  lookupHostKey,
  parseKnownHosts,
  patternsMatch,
} from '../../src/transport/known-hosts.js';

const dir = mkdtempSync('/var/tmp/hs-kh-');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function keypair(name: string): { type: string; b64: string } {
  const p = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', p]);
  const [type = '', b64 = ''] = readFileSync(`${p}.pub`, 'utf8').trim().split(' ');
  return { type, b64 };
}

const A = keypair('a');
const B = keypair('b');

describe('known_hosts', () => {
  const plain = [
    `mini.lan,10.0.0.5 ${A.type} ${A.b64}`,
    `[10.0.0.5]:2222 ${B.type} ${B.b64}`,
    `*.lab,!evil.lab ${A.type} ${A.b64}`,
    `@revoked old.example ${B.type} ${B.b64}`,
    `@cert-authority *.corp ${B.type} ${B.b64}`,
    '# comment',
    '',
  ].join('\n');
  const entries = parseKnownHosts(plain);

  it.each([
    ['mini.lan', 22, A, 'known'],
    ['10.0.0.5', 22, A, 'known'],
    ['10.0.0.5', 22, B, 'changed'],
    ['10.0.0.5', 2222, B, 'known'],
    ['10.0.0.5', 2222, A, 'changed'],
    ['10.0.0.5', 2200, A, 'unknown'],
    ['box.lab', 22, A, 'known'],
    ['evil.lab', 22, A, 'unknown'],
    ['old.example', 22, B, 'revoked'],
    ['x.corp', 22, B, 'unknown'],
  ] as const)('%s:%i', (host, port, key, status) => {
    expect(lookupHostKey(entries, host, port, key.type, key.b64).status).toBe(status);
  });

  it('matches entries hashed by ssh-keygen -H, including [host]:port', () => {
    const f = join(dir, 'hashed');
    writeFileSync(f, `mini.lan ${A.type} ${A.b64}\n[127.0.0.1]:2222 ${B.type} ${B.b64}\n`);
    execFileSync('ssh-keygen', ['-H', '-f', f], { stdio: 'ignore' });
    const text = readFileSync(f, 'utf8');
    expect(text).not.toContain('mini.lan');
    const hashed = parseKnownHosts(text);
    expect(lookupHostKey(hashed, 'mini.lan', 22, A.type, A.b64).status).toBe('known');
    expect(lookupHostKey(hashed, '127.0.0.1', 2222, B.type, B.b64).status).toBe('known');
    expect(lookupHostKey(hashed, '127.0.0.1', 2222, A.type, A.b64).status).toBe('changed');
    expect(lookupHostKey(hashed, '127.0.0.1', 22, B.type, B.b64).status).toBe('unknown');
    // OpenSSH agrees about which names are present.
    expect(() => execFileSync('ssh-keygen', ['-F', '[127.0.0.1]:2222', '-f', f])).not.toThrow();
  });

  it('pattern semantics: wildcards, ?, negation', () => {
    expect(patternsMatch('*.lan', 'a.lan')).toBe(true);
    expect(patternsMatch('host?', 'host1')).toBe(true);
    expect(patternsMatch('host?', 'host12')).toBe(false);
    expect(patternsMatch('*,!bad', 'bad')).toBe(false);
    expect(patternsMatch('MINI.lan', 'mini.LAN')).toBe(true);
  });

  it.each([['onlyonefield'], ['host ssh-ed25519'], ['host ssh-ed25519 not*base64'], ['@bogus host ssh-ed25519 AAAA']])(
    'malformed line %j is a usage error naming the line',
    (line) => {
      let err: unknown;
      try {
        parseKnownHosts(`# ok\n${line}\n`);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(HermesSetupError);
      expect((err as HermesSetupError).exitCode).toBe(2);
      expect((err as HermesSetupError).message).toMatch(/line 2/);
    },
  );

  it('append keeps the file and adds a missing newline first', () => {
    expect(appendKnownHostsLine('a b c', 'd e f')).toBe('a b c\nd e f\n');
    expect(appendKnownHostsLine('', 'd e f')).toBe('d e f\n');
  });
});
