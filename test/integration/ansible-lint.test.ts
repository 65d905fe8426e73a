// The exported Ansible role passes ansible-lint (the Debian package, offline, production profile, the strictest)
// with no findings: any finding fails the test. A deliberately bad task proves the linter runs and is read.
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';

let dir: string;

async function lint(): Promise<{ code: number; findings: string[]; out: string }> {
  const r = await execa('ansible-lint', ['--offline', '--profile', 'production', '-p', 'playbook.yml'], {
    cwd: join(dir, 'role'),
    reject: false,
    all: true,
    timeout: 120_000,
    env: { HOME: dir, ANSIBLE_LOCAL_TEMP: join(dir, 'tmp'), ANSIBLE_NOCOLOR: '1', NO_COLOR: '1' },
  });
  const out = String(r.all);
  return { code: r.exitCode ?? -1, findings: out.split('\n').filter((l) => /^\S+:\d+(:\d+)?: \S+/.test(l)), out };
}

describe('ansible-lint on the exported role', () => {
  beforeAll(async () => {
    dir = await mkdtemp('/var/tmp/hs-ansible-lint-');
    const ex = await runCli(['export', 'ansible', join(dir, 'role')], { HOME: dir });
    if (ex.code !== 0) throw new Error(ex.stderr);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('production profile: no findings', async () => {
    const r = await lint();
    expect(r.findings, r.out).toEqual([]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/Passed with production profile/);
  });

  it('a task the linter must reject is reported (the check can fail)', async () => {
    await appendFile(
      join(dir, 'role', 'roles', 'hermes_dashboard', 'tasks', 'verify.yml'),
      '\n- name: a bad task\n  shell: echo hi\n',
    );
    const r = await lint();
    expect(r.code).not.toBe(0);
    expect(r.findings.join('\n')).toMatch(
      /verify\.yml:\d+(:\d+)?: (fqcn|name\[casing\]|no-changed-when|command-instead-of-shell)/,
    );
  });
});
