// `hermes-setup desktop <target>` against a real guest: it reads what `remote` recorded (state file + .env) over SSH
// and writes connection.json on this machine, keeping every other key and profile.
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { runCli } from '../support/cli.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { fingerprint } from '../../src/secrets.js';
import { renderState, type ConvergeState } from '../../src/state.js';

let host: LinuxHost;
let p: PreparedHost;
const TOKEN = 'Xk3mPq9ZrT5vW8yB2nC6dF1gH4jK7lM0oQsUaEeIiOu';

async function recordOnHost(mode: 'token' | 'password' | 'tunnel', bind: string): Promise<void> {
  const state: ConvergeState = {
    schema: 1, hermesVersion: '0.21.3', generation: 'G3', hermesKey: 'k', hermesCaps: {} as ConvergeState['hermesCaps'], mode, bind, port: 9119,
    serviceSha256: '', servicePath: '~/.config/systemd/user/hermes-dashboard.service', tokenFingerprint: fingerprint(TOKEN), envKeys: [], lingerEnabledByUs: false,
  };
  const r = await p.ssh('mkdir -p ~/.hermes && cat > ~/.hermes/.hermes-setup-state.json && printf "%s\\n" "# pinned" "HERMES_DASHBOARD_SESSION_TOKEN=\'$T\'" > ~/.hermes/.env'.replace('$T', TOKEN), renderState(state));
  if (r.code !== 0) throw new Error(r.stderr);
}

async function desktop(dir: string, extra: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCli(['desktop', p.args[0]!, ...extra, ...p.args.slice(1)], { HOME: p.cliHome, HERMES_DESKTOP_USER_DATA_DIR: dir });
}

beforeAll(async () => {
  host = await bootLinuxHost();
  p = await prepareLinuxHost(host, { generation: 'G3' });
}, 240_000);
afterAll(async () => host?.teardown());

it('writes a profile with a plain token only when asked, keeping other profiles and keys', async () => {
  await recordOnHost('token', host.tailnetIp);
  const dir = await mkdtemp('/var/tmp/hs-desktop-');
  const file = join(dir, 'connection.json');
  const before = { mode: 'local', remote: { url: 'http://old:9119', authMode: 'token', token: { encoding: 'safeStorage', value: 'Y2lwaGVy' }, headers: { 'CF-Access': 'x' } },
    profiles: { work: { mode: 'remote', url: 'https://work.example:9119', authMode: 'oauth' } }, savedSsh: [{ host: 'h', user: 'u' }], zExtra: 42 };
  await writeFile(file, JSON.stringify(before, null, 2));
  const res = await desktop(dir, ['--profile', 'home', '--store-token-plain']);
  expect(res.code).toBe(0);
  expect(res.stderr).toMatch(/token is stored unencrypted in .*connection\.json/);
  expect(res.stdout).not.toContain(TOKEN);
  const after = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  expect(after).toEqual({ ...before, profiles: { ...before.profiles,
    home: { mode: 'remote', url: `http://${host.tailnetIp}:9119`, authMode: 'token', token: { encoding: 'plain', value: TOKEN } } } });
  expect((await stat(file)).mode & 0o777).toBe(0o600);
});

it('global remote without --store-token-plain: no token on disk, Settings steps and the env pair printed', async () => {
  await recordOnHost('token', '0.0.0.0');
  const dir = await mkdtemp('/var/tmp/hs-desktop-');
  const file = join(dir, 'connection.json');
  await writeFile(file, JSON.stringify({ profiles: { work: { mode: 'local' } }, updates: { channel: 'beta' } }));
  const res = await desktop(dir, []);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  const url = `http://${host.ip}:9119`;
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ profiles: { work: { mode: 'local' } }, updates: { channel: 'beta' }, mode: 'remote', remote: { url, authMode: 'token' } });
  expect(res.stdout).toContain('Settings > Gateway > Remote connection');
  expect(res.stdout).toContain(`HERMES_DESKTOP_REMOTE_URL=${url}`);
  expect(res.stdout).toMatch(/HERMES_DESKTOP_REMOTE_TOKEN=\$\(ssh /);
  expect(res.stdout).toContain(fingerprint(TOKEN));
  expect(res.stdout + (await readFile(file, 'utf8'))).not.toContain(TOKEN);
});

it('password mode sets the sign-in auth mode and never writes a token; tunnel mode points at the local end', async () => {
  const dir = await mkdtemp('/var/tmp/hs-desktop-');
  await recordOnHost('password', host.tailnetIp);
  const res = await desktop(dir, ['--store-token-plain', '--json']);
  expect(res.code).toBe(0);
  const conn = JSON.parse(await readFile(join(dir, 'connection.json'), 'utf8')) as { remote: Record<string, unknown> };
  expect(conn.remote).toEqual({ url: `http://${host.tailnetIp}:9119`, authMode: 'oauth' });
  await recordOnHost('tunnel', '127.0.0.1');
  const t = JSON.parse((await desktop(dir, ['--json'])).stdout) as { url: string; tunnelCommand: string };
  expect(t.url).toBe('http://127.0.0.1:19119');
  expect(t.tunnelCommand).toBe(`ssh -N -L 19119:127.0.0.1:9119 ${p.args[0]}`);
});

it('refuses a bad profile name (usage) and a host hermes-setup never set up', async () => {
  const dir = await mkdtemp('/var/tmp/hs-desktop-');
  const bad = await desktop(dir, ['--profile', 'Work Laptop']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/^E_PROFILE_NAME: /);
  await p.ssh('rm -f ~/.hermes/.hermes-setup-state.json');
  const none = await desktop(dir, []);
  expect(none.code).toBe(1);
  expect(none.stderr).toMatch(/^E_DESKTOP_NOT_SET_UP: .*hint: run hermes-setup remote /);
});
