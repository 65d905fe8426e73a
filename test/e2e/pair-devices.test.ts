// `hermes-setup devices` through the relay's /sessions API with the stored bearer (hermes-behaviour.md §16.6 as
// corrected by §18.7): list; extend only shortens the caller's own session (403 with the relay's reason otherwise);
// 404/401 text reasons; 409 without a match list; revoke. And two client machines with the same user@hostname
// (two HOMEs on this machine) pairing with one relay: both stay paired, a re-pair replaces only its own session.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { runCli } from '../support/cli.js';
import { readRelayClientSessions } from '../relay-sim/remote-sessions-reader.js';
import { setRelaySimConfig } from '../relay-sim/install.js';
import {
  freshCliHome,
  mintOnGuest,
  pairCli,
  prepareRelayHost,
  rawAuth,
  sessionsFile,
  type RelayHost,
} from '../relay-sim/harness.js';

let host: LinuxHost;
let r: RelayHost;
let homeA: string;
let homeB: string;
const target = (): string => `deploy@${host.ip}`;
const devices = (args: string[], h: string): ReturnType<typeof runCli> => runCli(['devices', ...args], { HOME: h });
const tokenOf = (h: string): string => readRelayClientSessions(sessionsFile(h))[0]!.token;
const deviceIdOf = async (h: string): Promise<string> =>
  (await readFile(join(h, '.config', 'hermes-setup', 'device-id'), 'utf8')).trim();
const list = async (h: string): Promise<Array<Record<string, unknown>>> => {
  const res = await devices([target(), '--json'], h);
  expect(res.stderr).toBe('');
  return (JSON.parse(res.stdout) as { sessions: Array<Record<string, unknown>> }).sessions;
};
const relayUrl = (): string => `ws://${host.tailnetIp}:8767`;

beforeAll(async () => {
  host = await bootLinuxHost();
  r = await prepareRelayHost(host);
  homeA = await freshCliHome(r);
  homeB = await freshCliHome(r);
  for (const h of [homeA, homeB]) {
    const res = await pairCli(r, h, []);
    if (res.code !== 0) throw new Error(res.stderr);
  }
}, 240_000);
afterAll(async () => host?.teardown());

describe('two client machines with the same user@hostname', () => {
  it('have different device ids, and both stay paired', async () => {
    expect(await deviceIdOf(homeA)).not.toBe(await deviceIdOf(homeB));
    const sessions = await list(homeA);
    const ids = sessions.map((s) => s['device_id']);
    expect(ids).toContain(await deviceIdOf(homeA));
    expect(ids).toContain(await deviceIdOf(homeB));
    expect(sessions.filter((s) => s['device_name'] === sessions[0]!['device_name']).length).toBeGreaterThanOrEqual(2);
    expect(await rawAuth(relayUrl(), { session_token: tokenOf(homeA) })).toMatchObject({ ok: true });
    expect(await rawAuth(relayUrl(), { session_token: tokenOf(homeB) })).toMatchObject({ ok: true });
  });

  it("a re-pair replaces only that machine's own session", async () => {
    const oldA = tokenOf(homeA);
    const res = await pairCli(r, homeA, []);
    expect(res.code).toBe(0);
    expect(tokenOf(homeA)).not.toBe(oldA);
    expect(readRelayClientSessions(sessionsFile(homeA))).toHaveLength(1);
    expect(await rawAuth(relayUrl(), { session_token: oldA })).toEqual({
      ok: false,
      reason: 'Invalid pairing code or session token',
    });
    expect(await rawAuth(relayUrl(), { session_token: tokenOf(homeA) })).toMatchObject({ ok: true });
    expect(await rawAuth(relayUrl(), { session_token: tokenOf(homeB) })).toMatchObject({ ok: true });
    expect((await r.exec('cat ~/.hermes/logs/hermes-relay.log')).stdout).toMatch(/Re-pair replaced 1 session\(s\)/);
  });
});

describe('devices', () => {
  it('lists the paired sessions (token prefix only, this machine marked)', async () => {
    const token = tokenOf(homeA);
    const sessions = await list(homeA);
    expect(sessions.find((s) => s['token_prefix'] === token.slice(0, 8))).toMatchObject({
      is_current: true,
      client_surface: 'cli',
      device_form_factor: 'desktop',
    });
    expect(JSON.stringify(sessions)).not.toContain(token);
    const text = await devices([target()], homeA);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^${token.slice(0, 8)}  hermes-setup on .*\\(this machine\\)$`, 'm'));
    expect(text.stdout).not.toContain(token);
  });

  it("extend shortens this machine's own session", async () => {
    const prefix = tokenOf(homeA).slice(0, 8);
    const res = await devices(['extend', '--ttl', '3600', '--', prefix, target()], homeA);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const after = (await list(homeA)).find((s) => s['is_current'])!['expires_at'] as number;
    expect(Math.abs(after - (Date.now() / 1000 + 3600))).toBeLessThan(10);
  });

  it("a longer or never-expiring TTL: the relay's own reason and the fix, one line", async () => {
    const prefix = tokenOf(homeA).slice(0, 8);
    for (const ttl of ['7200', '0']) {
      const res = await devices(['extend', '--ttl', ttl, '--', prefix, target()], homeA);
      expect(res.code).toBe(1);
      expect(res.stderr.trim().split('\n')).toHaveLength(1);
      expect(res.stderr).toMatch(
        /^E_DEVICE_EXTEND_REFUSED: the relay refused \("operator approval required to extend session"\): a device may only shorten its own session — hint: .*pair again with hermes-setup pair <target> --ttl N/,
      );
    }
  });

  it("another machine's session cannot be changed", async () => {
    const res = await devices(['extend', '--ttl', '60', '--', tokenOf(homeB).slice(0, 8), target()], homeA);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^E_DEVICE_NOT_OWN: the relay refused \("cannot modify another session"\)/);
  });

  it('an ambiguous prefix (409, no match list) and an unknown one (404 text)', async () => {
    await setRelaySimConfig(r.exec, { ...r.base, tokenHexPrefix: 'abcdef' });
    try {
      for (let i = 0; i < 2; i += 1) {
        const { code } = await mintOnGuest(r);
        expect(
          await rawAuth(`ws://${host.ip}:8767`, {
            pairing_code: code,
            device_name: `phone ${i}`,
            device_id: `phone-${i}`,
          }),
        ).toMatchObject({ ok: true });
      }
      const res = await devices(['revoke', 'abcdef', target()], homeA);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(
        /^E_DEVICE_PREFIX_AMBIGUOUS: the prefix "abcdef" matches more than one device \(".+"\) — hint: give more characters/,
      );
      const missing = await devices(['revoke', 'fffffffff', target()], homeA);
      expect(missing.stderr).toMatch(
        /^E_DEVICE_NOT_FOUND: no paired device matches "fffffffff" \("no session matches prefix fffffffff"\)/,
      );
    } finally {
      await setRelaySimConfig(r.exec, r.base);
    }
  });

  it("revoke this machine's session, then the stored token is refused everywhere (401 with the relay's reason)", async () => {
    const token = tokenOf(homeA);
    const res = await devices(['revoke', '--', token.slice(0, 8), target()], homeA);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`revoked ${token.slice(0, 8)}`);
    expect(res.stdout).toContain("this machine's own session");
    expect(await rawAuth(relayUrl(), { session_token: token })).toEqual({
      ok: false,
      reason: 'Invalid pairing code or session token',
    });
    const after = await devices([target()], homeA);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(
      /^E_RELAY_UNAUTHORIZED: the relay refused the stored session \("invalid or expired session token"\): it was revoked or has expired — hint: pair again/,
    );
    expect(await rawAuth(relayUrl(), { session_token: tokenOf(homeB) })).toMatchObject({ ok: true });
  });

  it('without a stored session: a clear error naming the fix', async () => {
    const res = await devices([target()], await freshCliHome(r));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^E_NOT_PAIRED: .*hint: pair first: hermes-setup pair <target>/);
  });
});
