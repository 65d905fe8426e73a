// `cron install|remove` against the real `crontab` (Debian package cron) for a real non-root user created here:
// the user's crontab and files are left exactly as found (byte for byte, or no crontab when there was none), a
// failed `--timer` install leaves nothing behind, and the rough edges (`%` in --log, no crontab binary) give
// clear results. The cron daemon does not run on the test machine; cron-guest.test.ts runs the line under a real one.
import { execa } from 'execa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createCronUser, type CronUser } from '../support/cron-user.js';

let u: CronUser;
beforeAll(async () => {
  u = await createCronUser('a');
});
afterAll(async () => {
  await u?.remove();
});
beforeEach(async () => {
  await u.setCrontab(null);
  await execa('rm', ['-rf', `${u.home}/.config`, `${u.home}/.local`]);
});

const MARK = '# hermes-setup:local';
const listed = async (): Promise<string> => (await u.run(['crontab', '-l'])).stdout.toString('latin1');
const ours = (tab: string): string[] => tab.split('\n').filter((l) => l.includes(MARK));

/** The crontabs of the property test (bytes as `crontab -` got them, or null: no crontab). */
const CASES: Array<[string, Buffer | null]> = [
  ['none at all', null],
  ['empty (exists, 0 bytes)', Buffer.from('')],
  ['trailing blank lines', Buffer.from('0 5 * * * /usr/bin/true\n\n')],
  ['leading blank lines', Buffer.from('\n\n0 5 * * * /usr/bin/true\n')],
  ['only blank lines', Buffer.from('\n\n\n')],
  ['comments and blank lines between', Buffer.from('# backups\n\n0 3 * * * /usr/bin/backup # nightly\n\n\n# end\n')],
  [
    'MAILTO and other variables',
    Buffer.from('MAILTO=""\nSHELL=/bin/bash\nPATH=/usr/local/bin:/usr/bin:/bin\n*/10 * * * * env > /tmp/env.txt\n'),
  ],
  [
    '% signs (escaped and not)',
    Buffer.from('0 0 * * * /bin/date +\\%Y-\\%m-\\%d >> /tmp/d.log\n5 0 * * * /usr/bin/mail -s hi root%body line%\n'),
  ],
  [
    'CRLF line endings (a CR-only line is refused by crontab itself)',
    Buffer.from('MAILTO=ops@example.org\r\n# note\r\n0 5 * * * /usr/bin/true\r\n'),
  ],
  [
    'a literal backslash-r (not a CR) and a backspace byte',
    Buffer.from("0 1 * * * sed -i 's/\\r$//' /tmp/x\n# bs:\b\n"),
  ],
  ['Latin-1 bytes', Buffer.from('# caf\xe9 cr\xe8me\n0 5 * * * /usr/bin/true\n', 'latin1')],
  ['tabs and trailing spaces', Buffer.from('0\t5\t*\t*\t*\t/usr/bin/true   \n  \n')],
  ['no trailing newline', Buffer.from('MAILTO=""\n0 5 * * * /usr/bin/true')],
  [
    'our marker, another target',
    Buffer.from('*/5 * * * * /usr/bin/true # hermes-setup:deploy@mini.lan\n0 5 * * * /usr/bin/true\n'),
  ],
];

describe('cron install then remove leaves the crontab as found (real crontab, real user)', () => {
  it('a crontab ending with blank lines gets the same bytes back', async () => {
    await u.setCrontab('0 5 * * * /usr/bin/true\n\n');
    const before = await u.crontabBytes();
    expect((await u.cli(['cron', 'install', '--local'])).code).toBe(0);
    expect(ours(await listed())).toHaveLength(1);
    expect((await u.cli(['cron', 'remove', '--local'])).code).toBe(0);
    expect((await u.crontabBytes())?.toString('latin1')).toBe(before?.toString('latin1'));
  });

  it('a user with no crontab has none again after install + remove', async () => {
    expect((await u.cli(['cron', 'install', '--local'])).code).toBe(0);
    expect(ours(await listed())).toHaveLength(1);
    expect((await u.cli(['cron', 'remove', '--local'])).code).toBe(0);
    const l = await u.run(['crontab', '-l']);
    expect([l.code, l.stderr.trim()]).toEqual([1, `no crontab for ${u.name}`]);
    expect(await u.crontabBytes()).toBeNull();
  });

  it('no crontab before, but the user added a line after our install: the line stays', async () => {
    expect((await u.cli(['cron', 'install', '--local'])).code).toBe(0);
    await u.setCrontab(
      Buffer.concat([(await u.crontabBytes()) ?? Buffer.alloc(0), Buffer.from('0 4 * * * /usr/bin/mine\n')]),
    );
    expect((await u.cli(['cron', 'remove', '--local'])).code).toBe(0);
    expect((await u.crontabBytes())?.toString()).toBe('0 4 * * * /usr/bin/mine\n');
  });

  it('no crontab before, two targets installed, removed in either order: no crontab', async () => {
    for (const order of [
      ['--local', 'deploy@mini.lan'],
      ['deploy@mini.lan', '--local'],
    ]) {
      for (const t of [...order].reverse()) expect((await u.cli(['cron', 'install', t])).code).toBe(0);
      expect((await listed()).split('\n').filter((l) => l.includes('# hermes-setup:'))).toHaveLength(2);
      for (const t of order) expect((await u.cli(['cron', 'remove', t])).code).toBe(0);
      expect(await u.crontabBytes()).toBeNull();
    }
  });

  it('property: for every crontab, install then remove gives back the same bytes (or no crontab)', async () => {
    const failures: string[] = [];
    const show = (b: Buffer | null): string => JSON.stringify(b === null ? null : b.toString('latin1'));
    for (const [name, bytes] of CASES) {
      await u.setCrontab(bytes);
      const before = await u.crontabBytes();
      expect(show(before), name).toBe(show(bytes));
      const inst = await u.cli(['cron', 'install', '--local']);
      const mid = await u.crontabBytes();
      if (name === 'no trailing newline') {
        // `crontab` itself refuses such a file; adding the newline would change the user's last line: refused.
        if (inst.code !== 1 || !/^E_CRONTAB: .*newline[^\n]*\n$/.test(inst.stderr))
          failures.push(`${name}: install gave ${inst.code} ${inst.stderr.trim()}`);
      } else if (inst.code !== 0) failures.push(`${name}: install gave ${inst.code} ${inst.stderr.trim()}`);
      else if (ours(mid?.toString('latin1') ?? '').length !== 1)
        failures.push(`${name}: not one entry after install: ${show(mid)}`);
      else if (before?.length && !mid!.subarray(0, before.length).equals(before))
        failures.push(`${name}: install changed more than its line: ${show(before)} -> ${show(mid)}`);
      const rem = await u.cli(['cron', 'remove', '--local']);
      if (rem.code !== 0) failures.push(`${name}: remove gave ${rem.code} ${rem.stderr.trim()}`);
      const after = await u.crontabBytes();
      const same = before === null ? after === null : after !== null && after.equals(before);
      if (!same) failures.push(`${name}: install + remove: ${show(before)} -> ${show(after)}`);
    }
    expect(failures).toEqual([]);
  });
});

describe('cron rough edges', () => {
  it('--timer with no systemd user manager: exit 1, one E_TIMER line, nothing written', async () => {
    const tree = async () => (await execa('find', [u.home, '-printf', '%P %m %s\n'])).stdout.split('\n').sort();
    const before = await tree();
    const r = await u.cli(['cron', 'install', '--local', '--timer']);
    expect(
      (await tree()).filter((l) => !before.includes(l)),
      'files left behind',
    ).toEqual([]);
    expect(await tree()).toEqual(before);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^E_TIMER: .*user manager/);
  });

  it('--log with a % works: the line escapes it for cron', async () => {
    const r = await u.cli(['cron', 'install', '--local', '--log', `${u.home}/logs%x/check%d.log`]);
    expect(r.code, r.stderr).toBe(0);
    const line = ours(await listed())[0]!;
    expect(line.replace(/\\%/g, '')).not.toContain('%');
    expect((await u.cli(['cron', 'remove', '--local'])).code).toBe(0);
  });

  it('no crontab command on this machine (an empty PATH): one clear E_CRONTAB line, no "exit undefined"', async () => {
    expect((await u.run(['mkdir', '-p', `${u.home}/empty-bin`])).code).toBe(0);
    for (const verb of ['install', 'remove']) {
      const r = await u.cli(['cron', verb, '--local'], { PATH: `${u.home}/empty-bin` });
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/^E_CRONTAB: no `crontab` command .* — hint: .*apt-get install cron.*--timer/);
      expect(r.stderr).not.toContain('undefined');
    }
  });
});
