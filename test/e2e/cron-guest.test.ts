// `cron` on a real systemd guest (Debian 12, cron daemon running, user `deploy` logged in over SSH):
// - the installed line really runs under cron (its `%` rule) with a `%` in the --log path;
// - `--timer` when enabling fails after the files were written (a root-owned timers.target.wants, as a
//   `sudo systemctl --user …` leaves behind): E_TIMER, and ~/.config is exactly as before.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';

const CLI = 'node /opt/hs/dist/cli.js';

/** dist + templates + production node_modules, as the npm package would install them. */
function packCli(): string {
  return execFileSync(
    'sh',
    [
      '-c',
      'tar czf - dist templates package.json $(npm ls --omit=dev --all --parseable 2>/dev/null | sed "s|^$PWD/||" | grep "^node_modules/" | grep -v "/node_modules/.*/node_modules/" | sort -u) | base64 -w0',
    ],
    { maxBuffer: 64 << 20 },
  ).toString();
}

describe('cron on a systemd guest', () => {
  let h: LinuxHost;
  beforeAll(async () => {
    h = await bootLinuxHost();
    expect((await h.root('mkdir -p /opt/hs && base64 -d | tar xzf - -C /opt/hs', { stdin: packCli() })).code).toBe(0);
    expect((await h.root('systemctl is-active cron')).stdout.trim()).toBe('active');
  }, 240_000);
  afterAll(async () => h?.teardown());

  it('a % in --log: the cron daemon runs the line and writes that very file', async () => {
    const log = "/home/deploy/logs 100%/check%d'x.log";
    const q = `'${log.replace(/'/g, `'\\''`)}'`;
    const r = await h.ssh(`crontab -r 2>/dev/null; ${CLI} cron install --local --every 1 --log ${q}`);
    expect(r.code, r.stderr).toBe(0);
    expect((await h.ssh('crontab -l')).stdout).toContain('\\%');
    let text = '';
    for (let i = 0; i < 130 && !text; i++) {
      text = (await h.ssh(`cat ${q} 2>/dev/null`)).stdout;
      if (!text) await new Promise((res) => setTimeout(res, 1000));
    }
    expect(text, 'cron wrote the log within 130 s').toMatch(/^\w{3} \w{3} +\d+ [\d:]+ UTC \d{4}\n/);
    expect((await h.root('journalctl -u cron --no-pager | grep -c "(deploy) CMD" || true')).stdout.trim()).not.toBe(
      '0',
    );
    expect((await h.ssh(`${CLI} cron remove --local`)).code).toBe(0);
    const l = await h.ssh('crontab -l');
    expect([l.code, l.stderr.trim()]).toEqual([1, 'no crontab for deploy']);
  }, 200_000);

  it('--timer: when enable fails after writing, every file is put back (nothing left behind)', async () => {
    await h.ssh('mkdir -p ~/.config/systemd/user && echo keep > ~/.config/systemd/user/mine.conf');
    await h.root('mkdir /home/deploy/.config/systemd/user/timers.target.wants');
    const tree = async (): Promise<string> => (await h.ssh('find ~/.config -printf "%P %u %m %s\\n" | sort')).stdout;
    const before = await tree();
    const r = await h.ssh(`${CLI} cron install --local --timer`);
    expect(await tree(), 'files left behind').toBe(before);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^E_TIMER: systemctl --user enable --now hermes-setup-check-local\.timer failed: .* — hint: /,
    );
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect((await h.ssh('systemctl --user list-unit-files "hermes-setup-*" --no-legend | wc -l')).stdout.trim()).toBe(
      '0',
    );
    await h.root('rmdir /home/deploy/.config/systemd/user/timers.target.wants');
    expect((await h.ssh(`${CLI} cron install --local --timer`)).code).toBe(0);
    expect((await h.ssh(`${CLI} cron install --local --timer --json`)).stdout).toMatch(/"changed": ?false/);
    expect((await h.ssh(`${CLI} cron remove --local --timer`)).code).toBe(0);
    expect((await tree()).split('\n').filter((l) => l.includes('hermes-setup'))).toEqual([]);
    expect(await tree()).toContain('systemd/user/mine.conf deploy 644 5');
  });
});
