// The error-code registry: one exit code per code, the documented table generated from it, and every code the
// source throws is registered (the type system enforces the last for literal codes; this checks the docs).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, renderErrorCodesDoc } from '../../src/error-codes.js';
import { fail, remoteCommandError } from '../../src/errors.js';

describe('error codes', () => {
  it('docs/error-codes.md is the registry rendered (run npm run docs:errors after changing it)', () => {
    expect(readFileSync(new URL('../../docs/error-codes.md', import.meta.url), 'utf8')).toBe(renderErrorCodesDoc());
  });

  it("an error's exit code is its registered one", () => {
    expect(fail('E_USAGE', 'x', 'y').exitCode).toBe(2);
    expect(fail('E_UNHEALTHY', 'x', 'y').exitCode).toBe(3);
    expect(fail('E_HOSTKEY_CHANGED', 'x', 'y').exitCode).toBe(5);
    for (const [code, [exit]] of Object.entries(ERROR_CODES)) expect([1, 2, 3, 4, 5], code).toContain(exit);
  });

  it('every code the source names is registered', () => {
    const used = new Set(
      execFileSync('grep', ['-rhoE', "'E_[A-Z0-9_]+'", 'src'], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map((s) => s.slice(1, -1)),
    );
    expect([...used].filter((c) => !(c in ERROR_CODES))).toEqual([]);
  });

  it('a failed remote command is one line: what, exit code, last stderr line', () => {
    const e = remoteCommandError(
      'E_SYSTEMCTL',
      'systemctl restart',
      { code: 1, stderr: 'Job failed.\nSee "journalctl -xe".\n' },
      'see the journal',
    );
    expect(e.toLine()).toBe(
      'E_SYSTEMCTL: systemctl restart failed (exit 1): See "journalctl -xe". — hint: see the journal',
    );
  });
});
