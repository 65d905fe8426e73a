// `hermes-setup devices` through the relay's /sessions API with the stored bearer: list, extend, ambiguous prefix,
// revoke — after which the stored session token is refused (auth.fail).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { runCli } from '../support/cli.js';
import { readRelayClientSessions } from '../relay-sim/remote-sessions-reader.js';
import { setRelaySimConfig } from '../relay-sim/install.js';
import { freshCliHome, mintOnGuest, pairCli, prepareRelayHost, rawAuth, sessionsFile, type RelayHost } from '../relay-sim/harness.js';

let host: LinuxHost;
let r: RelayHost;
let home: string;
let token: string;
const target = (): string => `deploy@${host.ip}`;
const devices = (args: string[], h = home): ReturnType<typeof runCli> => runCli(['devices', ...args], { HOME: h });
const list = async (): Promise<Array<Record<string, unknown>>> => {
  const res = await devices([target(), '--json']);
  expect(res.stderr).toBe('');
  return (JSON.parse(res.stdout) as { sessions: Array<Record<string, unknown>> }).sessions;
};

beforeAll(async () => {
  host = await bootLinuxHost();
  r = await prepareRelayHost(host);
  home = await freshCliHome(r);
  const res = await pairCli(r, home, []);
  if (res.code !== 0) throw new Error(res.stderr);
  token = readRelayClientSessions(sessionsFile(home))[0]!.token;
}, 240_000);
afterAll(async () => host?.teardown());

it('lists the paired session (token prefix only, marked as this machine)', async () => {
  const sessions = await list();
  const mine = sessions.find((s) => s['token_prefix'] === token.slice(0, 8));
  expect(mine).toMatchObject({ is_current: true, client_surface: 'cli', device_form_factor: 'desktop' });
  expect(JSON.stringify(sessions)).not.toContain(token);
  const text = await devices([target()]);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(new RegExp(`^${token.slice(0, 8).replace(/[-]/g, '\\-')}  hermes-setup on .*\\(this machine\\)$`, 'm'));
  expect(text.stdout).not.toContain(token);
});

it('extend changes expires_at', async () => {
  const before = (await list()).find((s) => s['is_current'])!['expires_at'] as number;
  const res = await devices(['extend', '--ttl', '3600', '--', token.slice(0, 8), target()]);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  const after = (await list()).find((s) => s['is_current'])!['expires_at'] as number;
  expect(after).not.toBe(before);
  expect(Math.abs(after - (Math.floor(Date.now() / 1000) + 3600))).toBeLessThan(10);
  const never = await devices(['extend', '--ttl', '0', '--json', '--', token.slice(0, 8), target()]);
  expect(JSON.parse(never.stdout)).toMatchObject({ ok: true, expires_at: null });
});

it('an ambiguous prefix is a clear error (409), an unknown one a 404', async () => {
  await setRelaySimConfig(r.exec, { ...r.base, tokenPrefix: 'zzq' });
  try {
    for (let i = 0; i < 2; i += 1) {
      const { code } = await mintOnGuest(r);
      expect(await rawAuth(`ws://${host.ip}:8767`, { pairing_code: code, device_name: `phone ${i}` })).toMatchObject({ ok: true });
    }
    const res = await devices(['revoke', 'zzq', target()]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^E_DEVICE_PREFIX_AMBIGUOUS: the prefix "zzq" matches 2 devices — hint: give more characters/);
    const missing = await devices(['revoke', 'nosuchpfx', target()]);
    expect(missing.stderr).toMatch(/^E_DEVICE_NOT_FOUND: /);
  } finally {
    await setRelaySimConfig(r.exec, r.base);
  }
});

it('revoke, then a reconnect with the stored session token is refused (auth.fail)', async () => {
  expect(await rawAuth(`ws://${host.ip}:8767`, { session_token: token })).toMatchObject({ ok: true });
  const res = await devices(['revoke', '--', token.slice(0, 8), target()]);
  expect(res.stderr).toBe('');
  expect(res.code).toBe(0);
  expect(res.stdout).toContain(`revoked ${token.slice(0, 8)}`);
  expect(res.stdout).toContain('this machine\'s own session');
  expect(readRelayClientSessions(sessionsFile(home))[0]!.token).toBe(token);
  expect(await rawAuth(`ws://${host.ip}:8767`, { session_token: token })).toEqual({ ok: false, reason: 'Invalid pairing code or session token' });
  const after = await devices([target()]);
  expect(after.code).toBe(1);
  expect(after.stderr).toMatch(/^E_RELAY_UNAUTHORIZED: .*revoked or has expired — hint: pair again/);
});

it('without a stored session: a clear error naming the fix', async () => {
  const res = await devices([target()], await freshCliHome(r));
  expect(res.code).toBe(1);
  expect(res.stderr).toMatch(/^E_NOT_PAIRED: .*hint: pair first: hermes-setup pair <target>/);
});
