// `npm run demo` as a new user runs it: progress while the host is prepared, two runs (the second changes nothing),
// a closing line that says the host is gone and the one command for a real box, and nothing left behind; --keep
// leaves a host that the printed ssh command reaches and the printed command removes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { listLeftovers } from '../hosts/linux-host.js';

const ROOT = join(import.meta.dirname, '..', '..');

async function demo(args: string[] = []): Promise<{ code: number; out: string }> {
  const r = await execa(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'scripts', 'demo.ts'), ...args], {
    cwd: ROOT,
    reject: false,
    all: true,
    timeout: 400_000,
    env: { NO_COLOR: '1', SSH_AUTH_SOCK: '' },
  });
  return { code: r.exitCode ?? -1, out: String(r.all) };
}

/** The host the demo booted, from its progress lines. */
function hostOf(out: string): { name: string; idx: number; ip: string } {
  const m = /^ {2}(hsh-\d+): deploy@(10\.231\.(\d+)\.2), tailnet /m.exec(out);
  if (!m) throw new Error(`no host line in:\n${out}`);
  return { name: m[1]!, ip: m[2]!, idx: Number(m[3]) };
}

describe('npm run demo', () => {
  it('shows progress, converges then changes nothing, says the host is gone and what to run on a real box, leaves nothing', async () => {
    const r = await demo();
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/^• Preparing the test-host image .*…\n {2}done in /m);
    expect(r.out).toMatch(/^• Booting a Debian 12 systemd host \(systemd-nspawn\)…\n {2}done in /m);
    expect(r.out).toMatch(/^• Installing the Hermes simulator .*…\n {2}done in /m);
    const recaps = [...r.out.matchAll(/^Recap: {7}ok=\d+ changed=(\d+) skipped=\d+ failed=0$/gm)].map((m) =>
      Number(m[1]),
    );
    expect(recaps).toHaveLength(2);
    expect(recaps[0]).toBeGreaterThan(0);
    expect(recaps[1]).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    const h = hostOf(r.out);
    expect(lines.slice(-2)).toEqual([
      `The demo host ${h.name} is gone (removed with its files; nothing is left on this machine).`,
      'On a real box (Linux with systemd, or a Mac) over SSH: npx hermes-setup remote you@your-box',
    ]);
    const home = /password in (\/var\/tmp\/hs-cli-home-[^/]+)\//.exec(r.out)?.[1];
    expect(home, 'the summary names the password file').toBeDefined();
    expect(existsSync(home!), `${home} (with the password file) is removed`).toBe(false);
    expect(await listLeftovers(h.name, h.idx)).toEqual([]);
  }, 420_000);

  it('--keep: the printed ssh command reaches the host, the printed command removes it and its files', async () => {
    const r = await demo(['--keep']);
    expect(r.code, r.out).toBe(0);
    const h = hostOf(r.out);
    const ssh = new RegExp(`^ {2}ssh -i (\\S+) deploy@${h.ip.replace(/\./g, '\\.')}$`, 'm').exec(r.out);
    const remove = /^Remove it .*:\n {2}(\S+teardown\.sh \S+ \d+) && rm -rf (\S+)$/m.exec(r.out);
    expect(ssh && remove, r.out).toBeTruthy();
    try {
      const login = await execa(
        'ssh',
        [
          '-i',
          ssh![1]!,
          '-o',
          'BatchMode=yes',
          '-o',
          'StrictHostKeyChecking=no',
          '-o',
          'UserKnownHostsFile=/dev/null',
          `deploy@${h.ip}`,
          'systemctl --user is-active hermes-dashboard.service',
        ],
        { reject: false },
      );
      expect(login.stdout.trim(), login.stderr).toBe('active');
    } finally {
      await execa('bash', ['-c', `${remove![1]} && rm -rf ${remove![2]}`], { reject: false });
    }
    expect(await listLeftovers(h.name, h.idx)).toEqual([]);
    expect(existsSync(remove![2]!)).toBe(false);
  }, 420_000);
});
