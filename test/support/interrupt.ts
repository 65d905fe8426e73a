// Interruption scenarios: run `remote` with a fault (HERMES_SETUP_FAULT), then re-run, then check the end state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost } from '../hosts/linux-host.js';
import { prepareLinuxHost } from './prepare-host.js';
import { snapshotTrees } from './snapshot.js';
import type { LinuxHost } from '../hosts/linux-host.js';
import { runCli } from './cli.js';
import type { PreparedHost } from './prepare-host.js';
import { runRemote } from './remote-run.js';

/** The user's .env before hermes-setup: other keys, a comment, CRLF line endings, no final newline. */
export const ORIGINAL_ENV =
  '# my keys\r\nOPENAI_API_KEY=sk-test-123\r\nexport ANTHROPIC_API_KEY="a b # c"\r\n\r\nHERMES_HOME=/home/deploy/.hermes\r\nZZ_LAST=1';

/**
 * Every boundary between two steps, once: `after:X` is the same instant as `before:<the step after X>` (nothing runs
 * in between), so the points are `before:facts` and `after:` each step.
 */
export const READ_ONLY_POINTS = ['before:facts', 'after:facts', 'after:hermes', 'after:preflight'];
/** Boundaries after the lock (the first possible write): one re-run must converge exactly. */
export const WRITE_POINTS = [
  'lock',
  'tidy',
  'update',
  'mode',
  'env',
  'strays',
  'service',
  'record',
  'port',
  'probe',
].map((s) => `after:${s}`);
export const WRITES = ['.env', '.env.hermes-setup.bak', 'hermes-dashboard.service', '.hermes-setup-state.json'];

/** Back to a host that never saw hermes-setup (the simulator stays installed). */
export async function resetHost(h: LinuxHost): Promise<void> {
  const r = await h.ssh(
    `systemctl --user disable --now hermes-dashboard.service >/dev/null 2>&1; rm -f ~/.config/systemd/user/hermes-dashboard.service ~/.config/systemd/user/.hermes-setup.* ~/.hermes/.hermes-setup* ~/.hermes/.env*; systemctl --user daemon-reload; systemctl --user reset-failed >/dev/null 2>&1; printf '%s' '${ORIGINAL_ENV.replace(/'/g, "'\\''")}' > ~/.hermes/.env; chmod 600 ~/.hermes/.env`,
  );
  if (r.code !== 0) throw new Error(`reset: ${r.stderr}`);
}

export async function runInterrupted(p: PreparedHost, fault: string): Promise<number> {
  const r = await runCli(['remote', ...p.args], { HOME: p.cliHome, HERMES_SETUP_FAULT: fault }, { timeoutMs: 120_000 });
  return r.code;
}

/** After the interrupted run and one clean re-run, the host must be exactly right (checked in one SSH call). */
export async function expectConverged(p: PreparedHost, label: string): Promise<void> {
  const again = await runRemote(p, ['--no-update']);
  expect(again.code, `${label}: re-run exit (${again.report.error?.message ?? ''})`).toBe(0);
  expect(again.report.probes[0], label).toMatchObject({ ok: true, status: 101 });
  const r = await p.ssh(
    'cat ~/.hermes/.env; echo "@@files"; ls -A ~/.config/systemd/user ~/.hermes; echo "@@units"; ls ~/.config/systemd/user/*.service | wc -l; echo "@@modes"; stat -c %a ~/.hermes/.env ~/.hermes',
  );
  const [env = '', files = '', units = '', modes = ''] = r.stdout.split(/\n?@@(?:files|units|modes)\n/);
  const withoutOurs = env
    .split(/(?<=\r\n)/)
    .filter((l) => !/^HERMES_DASHBOARD_(SESSION_TOKEN|BASIC_AUTH_[A-Z_]+)=/.test(l))
    .join('');
  expect(withoutOurs, `${label}: every other byte of .env kept, in order`).toBe(`${ORIGINAL_ENV}\r\n`);
  expect(env.match(/^HERMES_DASHBOARD_SESSION_TOKEN=/gm), label).toHaveLength(1);
  expect(files, `${label}: no temp files left`).not.toMatch(/\.hermes-setup\.[A-Za-z0-9]{6}/);
  expect(files, `${label}: lock released`).not.toMatch(/\.hermes-setup\.lock/);
  expect(units.trim(), `${label}: one unit`).toBe('1');
  expect(modes.trim().split('\n'), label).toEqual(['600', '700']);
}

/** The whole interruption suite for one action (`kill` the CLI, or `drop` the SSH connection) on one G2 guest. */
export function describeInterruptions(action: 'kill' | 'drop'): void {
  let h: LinuxHost;
  let p: PreparedHost;
  beforeAll(async () => {
    h = await bootLinuxHost();
    p = await prepareLinuxHost(h, { generation: 'G2' });
  }, 240_000);
  afterAll(async () => h?.teardown());

  describe(`${action} before anything is written: the host is untouched`, () => {
    it.each(READ_ONLY_POINTS)('%s', async (point) => {
      await resetHost(h);
      const before = await snapshotTrees(p.ssh);
      expect(await runInterrupted(p, `${point}:${action}`)).not.toBe(0);
      expect(await snapshotTrees(p.ssh)).toBe(before);
      expect((await p.ssh('ls -A ~/.hermes')).stdout).not.toMatch(/\.hermes-setup\.lock/);
    });
  });

  describe(`${action} at step boundaries after the lock, then re-run`, () => {
    it.each(WRITE_POINTS)('%s', async (point) => {
      await resetHost(h);
      const code = await runInterrupted(p, `${point}:${action}`);
      // Cutting the connection after the last step leaves nothing undone: exit 0 is right there, and only there.
      if (!(action === 'drop' && point === 'after:probe'))
        expect(code, 'the interrupted run must not report success').not.toBe(0);
      await expectConverged(p, point);
    });
  });

  describe(`${action} in the middle of a file write, then re-run`, () => {
    it.each(WRITES)('%s', async (file) => {
      await resetHost(h);
      expect(await runInterrupted(p, `write:${file}:${action}`)).not.toBe(0);
      const env = (await p.ssh('cat ~/.hermes/.env')).stdout;
      expect(env.startsWith('# my keys\r\nOPENAI_API_KEY=sk-test-123\r\n'), '.env never truncated').toBe(true);
      await expectConverged(p, file);
    });
  });
}
