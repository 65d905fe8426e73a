// `hermes-setup desktop <target>` against a real guest: it reads what `remote` recorded (state file + .env) over SSH
// and writes connection.json on this machine so that the desktop app always starts (hermes-behaviour.md §14.2,
// checked against the app's reader): no token → saved beside the active connection with exact steps; a token →
// active; a stale plain token after a rotation → updated; a backup before replacing a connection; the running app.
import { spawn } from 'node:child_process';
import { copyFile, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { runCli } from '../support/cli.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { fingerprint } from '../../src/secrets.js';
import { renderState, type ConvergeState } from '../../src/state.js';

let host: LinuxHost;
let p: PreparedHost;
const TOKEN = 'Xk3mPq9ZrT5vW8yB2nC6dF1gH4jK7lM0oQsUaEeIiOu';
const ROTATED = 'Rt7uVw9XyZa1Bc3De5Fg7Hi9Jk1Lm3No5Pq7Rs9Tu1V';

async function recordOnHost(mode: 'token' | 'password' | 'tunnel', bind: string, token = TOKEN): Promise<void> {
  const state: ConvergeState = {
    schema: 1,
    hermesVersion: '0.21.3',
    generation: 'G3',
    hermesKey: 'k',
    hermesCaps: {} as ConvergeState['hermesCaps'],
    mode,
    bind,
    port: 9119,
    serviceSha256: '',
    servicePath: '~/.config/systemd/user/hermes-dashboard.service',
    tokenFingerprint: fingerprint(token),
    envKeys: [],
    lingerEnabledByUs: false,
  };
  const r = await p.ssh(
    'mkdir -p ~/.hermes && cat > ~/.hermes/.hermes-setup-state.json && printf "%s\\n" "# pinned" "HERMES_DASHBOARD_SESSION_TOKEN=\'$T\'" > ~/.hermes/.env'.replace(
      '$T',
      token,
    ),
    renderState(state),
  );
  if (r.code !== 0) throw new Error(r.stderr);
}

async function desktop(
  dir: string,
  extra: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(['desktop', p.args[0]!, ...extra, ...p.args.slice(1)], {
    HOME: p.cliHome,
    HERMES_DESKTOP_USER_DATA_DIR: dir,
    ...env,
  });
}

async function fileWith(doc: unknown): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp('/var/tmp/hs-desktop-');
  const file = join(dir, 'connection.json');
  if (doc !== undefined) await writeFile(file, JSON.stringify(doc, null, 2), { mode: 0o644 });
  return { dir, file };
}

const read = async (file: string): Promise<Record<string, unknown>> =>
  JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
const tailUrl = (): string => `http://${host.tailnetIp}:9119`;

beforeAll(async () => {
  host = await bootLinuxHost();
  p = await prepareLinuxHost(host, { generation: 'G3' });
}, 240_000);
afterAll(async () => host?.teardown());

describe('without a token on disk', () => {
  it('a working local set-up stays active: the remote connection is saved beside it, with the steps to finish', async () => {
    await recordOnHost('token', host.tailnetIp);
    const before = { mode: 'local', profiles: { work: { mode: 'local' } }, updates: { channel: 'beta' } };
    const { dir, file } = await fileWith(before);
    const res = await desktop(dir, []);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(await read(file)).toEqual({ ...before, remote: { url: tailUrl(), authMode: 'token' } });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(res.stdout).toContain('(saved, not active; auth token)');
    expect(res.stdout).toContain('without making it active (the app keeps its current connection, so it still starts)');
    expect(res.stdout).toContain(
      `Settings > Gateway > Remote connection — the URL ${tailUrl()} is filled in; paste the token (fingerprint ${fingerprint(TOKEN)})`,
    );
    expect(res.stdout).toContain(`HERMES_DESKTOP_REMOTE_URL=${tailUrl()}`);
    expect(res.stdout + (await readFile(file, 'utf8'))).not.toContain(TOKEN);
    expect((await readdir(dir)).filter((n) => n.includes('.bak-'))).toEqual([]);
  });

  it('an active SSH connection is left alone; the old broken state (remote without a token) is repaired to local', async () => {
    const ssh = { mode: 'ssh', remote: { mode: 'ssh', host: 'mini', user: 'deploy' } };
    const a = await fileWith(ssh);
    const res = await desktop(a.dir, []);
    expect(res.code).toBe(0);
    expect(await read(a.file)).toEqual(ssh);
    expect(res.stdout).toContain(
      'the app stays on its active connection (SSH deploy@mini); nothing was replaced without a token',
    );
    const b = await fileWith({ mode: 'remote', remote: { url: tailUrl(), authMode: 'token' } });
    const fixed = await desktop(b.dir, []);
    expect(await read(b.file)).toEqual({ mode: 'local', remote: { url: tailUrl(), authMode: 'token' } });
    expect(fixed.stdout).toContain('switched it back to local until a token is saved');
  });

  it("--profile: the entry stays on local with the URL, and the steps are the profile's (no env pair)", async () => {
    const { dir, file } = await fileWith({ mode: 'local' });
    const res = await desktop(dir, ['--profile', 'work']);
    expect(res.code).toBe(0);
    expect(await read(file)).toEqual({
      mode: 'local',
      profiles: { work: { mode: 'local', url: tailUrl(), authMode: 'token' } },
    });
    expect(res.stdout).toContain('switch to profile work, then Settings > Gateway (this profile) > Remote');
    expect(res.stdout).toContain('does not help for a profile');
    expect(res.stdout).not.toContain('HERMES_DESKTOP_REMOTE_URL=');
  });
});

describe('with a token', () => {
  it('--store-token-plain on a profile: that profile becomes remote; other profiles and keys are kept', async () => {
    await recordOnHost('token', host.tailnetIp);
    const before = {
      mode: 'local',
      remote: {
        url: 'http://old:9119',
        authMode: 'token',
        token: { encoding: 'safeStorage', value: 'Y2lwaGVy' },
        headers: { 'CF-Access': 'x' },
      },
      profiles: { work: { mode: 'remote', url: 'https://work.example:9119', authMode: 'oauth' } },
      savedSsh: [{ host: 'h', user: 'u' }],
      zExtra: 42,
    };
    const { dir, file } = await fileWith(before);
    const res = await desktop(dir, ['--profile', 'home', '--store-token-plain']);
    expect(res.code).toBe(0);
    expect(res.stderr).toMatch(/token is stored unencrypted in .*connection\.json/);
    expect(res.stdout).not.toContain(TOKEN);
    expect(await read(file)).toEqual({
      ...before,
      profiles: {
        ...before.profiles,
        home: { mode: 'remote', url: tailUrl(), authMode: 'token', token: { encoding: 'plain', value: TOKEN } },
      },
    });
  });

  it('replacing an active connection to another host: a 0600 backup of the old file first', async () => {
    const before = {
      mode: 'remote',
      remote: { url: 'http://other:9119', authMode: 'token', token: { encoding: 'safeStorage', value: 'Y2lwaGVy' } },
    };
    const { dir, file } = await fileWith(before);
    const oldText = await readFile(file, 'utf8');
    const res = await desktop(dir, ['--store-token-plain']);
    expect(res.code).toBe(0);
    expect(await read(file)).toEqual({
      mode: 'remote',
      remote: { url: tailUrl(), authMode: 'token', token: { encoding: 'plain', value: TOKEN } },
    });
    const [bak] = (await readdir(dir)).filter((n) => n.startsWith('connection.json.bak-'));
    expect(await readFile(join(dir, bak!), 'utf8')).toBe(oldText);
    expect((await stat(join(dir, bak!))).mode & 0o777).toBe(0o600);
    expect(res.stdout).toContain(`backed up the previous connection file to ${join(dir, bak!)}`);
  });

  it('after remote --rotate-token, a stored plain token that no longer matches is updated, with a line saying so', async () => {
    const { dir, file } = await fileWith({
      mode: 'remote',
      remote: { url: tailUrl(), authMode: 'token', token: { encoding: 'plain', value: TOKEN } },
    });
    await recordOnHost('token', host.tailnetIp, ROTATED);
    try {
      const res = await desktop(dir, []);
      expect(res.code).toBe(0);
      expect(await read(file)).toEqual({
        mode: 'remote',
        remote: { url: tailUrl(), authMode: 'token', token: { encoding: 'plain', value: ROTATED } },
      });
      expect(res.stdout).toContain("updated the plain-text token in connection.json: it no longer matched the host's");
      expect(res.stdout).toContain('(active; auth token, token stored in plain text)');
      expect((await readdir(dir)).some((n) => n.startsWith('connection.json.bak-'))).toBe(true);
    } finally {
      await recordOnHost('token', host.tailnetIp);
    }
  });
});

describe('the app and its folders', () => {
  it('a running desktop app is reported: quit the desktop app first', async () => {
    const bin = await mkdtemp('/var/tmp/hs-fake-app-');
    await copyFile('/bin/sleep', join(bin, 'Hermes'));
    const app = spawn(join(bin, 'Hermes'), ['60'], { stdio: 'ignore' });
    try {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const { dir } = await fileWith(undefined);
      const res = await desktop(dir, []);
      expect(res.code).toBe(0);
      expect(res.stderr).toContain(
        `the Hermes desktop app is running (pid ${app.pid}): quit the desktop app first — older builds write their cached copy of connection.json back`,
      );
      expect(res.stdout).toContain('1. Quit the Hermes desktop app first.');
    } finally {
      app.kill();
    }
  });

  it('--user-data-dir writes where it says (another build), not the default folder', async () => {
    const envDir = await fileWith(undefined);
    const light = await fileWith(undefined);
    const res = await desktop(envDir.dir, ['--user-data-dir', light.dir, '--store-token-plain']);
    expect(res.code).toBe(0);
    expect(await read(light.file)).toMatchObject({ mode: 'remote', remote: { url: tailUrl() } });
    await expect(stat(envDir.file)).rejects.toThrow(/ENOENT/);
  });

  it('password mode saves the sign-in auth mode and never a token; tunnel mode points at the local end', async () => {
    const { dir, file } = await fileWith(undefined);
    await recordOnHost('password', host.tailnetIp);
    const res = await desktop(dir, ['--store-token-plain', '--json']);
    expect(res.code).toBe(0);
    expect(await read(file)).toEqual({ remote: { url: tailUrl(), authMode: 'oauth' } });
    expect((JSON.parse(res.stdout) as { steps: string[] }).steps.join('\n')).toContain(
      'sign in with the dashboard user',
    );
    await recordOnHost('tunnel', '127.0.0.1');
    const t = JSON.parse((await desktop(dir, ['--json'])).stdout) as { url: string; tunnelCommand: string };
    expect(t.url).toBe('http://127.0.0.1:19119');
    expect(t.tunnelCommand).toBe(`ssh -N -L 19119:127.0.0.1:9119 ${p.args[0]}`);
  });

  it('refuses a bad profile name (usage) and a host hermes-setup never set up', async () => {
    const { dir } = await fileWith(undefined);
    const bad = await desktop(dir, ['--profile', 'Work Laptop']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^E_PROFILE_NAME: /);
    await p.ssh('rm -f ~/.hermes/.hermes-setup-state.json');
    const none = await desktop(dir, []);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^E_DESKTOP_NOT_SET_UP: .*hint: run hermes-setup remote /);
  });
});
