// `hermes-setup pair` against a real guest running the relay simulator: success, paste cleaning, reused / wrong /
// expired codes, rate limiting, LAN → Tailscale failover, and the missing-plugin case.
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { readRelayClientSessions } from '../relay-sim/remote-sessions-reader.js';
import { installRelaySim, restartRelaySim, setRelaySimConfig } from '../relay-sim/install.js';
import { freshCliHome, mintOnGuest, pairCli, prepareRelayHost, rawAuth, sessionsFile, type RelayHost } from '../relay-sim/harness.js';

let host: LinuxHost;
let r: RelayHost;
beforeAll(async () => {
  host = await bootLinuxHost();
  r = await prepareRelayHost(host, false);
}, 240_000);
afterAll(async () => host?.teardown());

const lanUrl = (): string => `ws://${host.ip}:8767`;
const tsUrl = (): string => `ws://${host.tailnetIp}:8767`;

describe('without the relay plugin', () => {
  it('hermes pair is an unknown argparse choice, and pair prints the install command (exit 1, one line)', async () => {
    const raw = await r.exec('~/.local/bin/hermes pair --json');
    expect(raw.code).toBe(2);
    expect(raw.stderr).toMatch(/invalid choice: 'pair'/);
    const res = await pairCli(r, await freshCliHome(r), []);
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toMatch(/^E_RELAY_PLUGIN_MISSING: .*hermes plugins install Codename-11\/hermes-relay\/plugin --enable/);
  });
});

describe('with the relay simulator', () => {
  beforeAll(async () => installRelaySim(r.exec, r.base), 60_000);

  it('pairs over LAN and stores the session in the relay clients\' shape (0600 in 0700)', async () => {
    const home = await freshCliHome(r);
    const res = await pairCli(r, home, ['--ttl', '7200']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Minted pairing code [A-Z0-9]{6} on deploy@/m);
    expect(res.stdout).toContain(`Connected via LAN (plain): ${lanUrl()}`);
    const file = sessionsFile(home);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(dirname(file))).mode & 0o777).toBe(0o700);
    const [rec, ...rest] = readRelayClientSessions(file);
    expect(rest).toHaveLength(0);
    expect(rec).toMatchObject({ url: lanUrl(), endpointRole: 'lan', serverVersion: '0.9.2-sim', certPinSha256: null });
    expect(rec!.ttlExpiresAt! - Math.floor(Date.now() / 1000)).toBeGreaterThan(7100);
    expect(rec!.ttlExpiresAt! - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(7200);
    expect(rec!.routeCandidates.map((c) => [c.role, c.relay.url])).toEqual([['lan', lanUrl()], ['tailscale', tsUrl()]]);
    expect(res.stdout).not.toContain(rec!.token);
    expect(await rawAuth(lanUrl(), { session_token: rec!.token })).toMatchObject({ ok: true });
    expect((await r.exec('stat -c %a ~/.hermes/hermes-relay-sessions.json')).stdout.trim()).toBe('600');
  });

  it('cleans a garbled paste (bracketed paste markers, colour codes), echoes the code and pairs', async () => {
    const { code } = await mintOnGuest(r);
    const home = await freshCliHome(r);
    const res = await pairCli(r, home, [`\x1b[200~\x1b[32m ${code.toLowerCase()}\x1b[0m\r\x1b[201~`]);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    expect(res.stdout.split('\n')[0]).toBe(`Using pairing code ${code} (cleaned from what was pasted)`);
    expect(readRelayClientSessions(sessionsFile(home))[0]).toMatchObject({ url: lanUrl(), endpointRole: 'lan' });
    // the same code a second time: single use
    const again = await pairCli(r, home, ['--code', code]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^E_PAIR_CODE_REUSED: pairing code [A-Z0-9]{6} was already used .*— hint: mint a new one/);
    expect(await rawAuth(lanUrl(), { pairing_code: code })).toEqual({ ok: false, reason: 'Invalid pairing code or session token' });
  });

  it('a wrong code is refused by the relay with its own error', async () => {
    const res = await pairCli(r, await freshCliHome(r), ['ZZ9ZZ9']);
    expect(res.code).toBe(1);
    expect(res.stdout).toBe('Using pairing code ZZ9ZZ9');
    expect(res.stderr).toMatch(/^E_PAIR_CODE_INVALID: the relay rejected pairing code ZZ9ZZ9 \(Invalid pairing code or session token\) — hint: /);
    const bad = await pairCli(r, await freshCliHome(r), ['F3W7']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^E_PAIR_CODE_FORMAT: /);
  });

  it('LAN endpoint closed → fails over to Tailscale and records the route', async () => {
    await setRelaySimConfig(r.exec, { ...r.base, endpointOverrides: { lan: `ws://${host.ip}:8799` } });
    try {
      const home = await freshCliHome(r);
      const res = await pairCli(r, home, []);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      expect(res.stdout).toContain(`Connected via Tailscale (secure): ${tsUrl()}`);
      const [rec] = readRelayClientSessions(sessionsFile(home));
      expect(rec).toMatchObject({ url: tsUrl(), endpointRole: 'tailscale' });
      expect(rec!.routeCandidates.map((c) => c.role)).toEqual(['lan', 'tailscale']);
    } finally {
      await setRelaySimConfig(r.exec, r.base);
    }
  });

  it('a code that expires while the routes are probed → E_PAIR_CODE_EXPIRED', async () => {
    const unassigned = host.ip.replace(/\.2$/, '.213');
    await setRelaySimConfig(r.exec, { ...r.base, codeTtlSeconds: 1, endpointOverrides: { lan: `ws://${unassigned}:8767` } });
    try {
      const res = await pairCli(r, await freshCliHome(r), []);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^E_PAIR_CODE_EXPIRED: pairing code [A-Z0-9]{6} expired \d+ s ago .*— hint: mint a new one/);
    } finally {
      await setRelaySimConfig(r.exec, r.base);
    }
  });

  it('rate limited after repeated wrong codes (pairing bucket only; sessions still reconnect)', async () => {
    const limits = { max: 3, windowSeconds: 60, blockSeconds: 4 };
    await setRelaySimConfig(r.exec, { ...r.base, rateLimits: { pairing: limits, session: limits } });
    await restartRelaySim(r.exec, r.base);
    try {
      const home = await freshCliHome(r);
      const ok = await pairCli(r, home, []);
      expect(ok.code).toBe(0);
      const codes: string[] = [];
      for (const wrong of ['AAAAA1', 'AAAAA2', 'AAAAA3', 'AAAAA4']) codes.push((await pairCli(r, home, [wrong])).stderr.split(':')[0]!);
      expect(codes).toEqual(['E_PAIR_CODE_INVALID', 'E_PAIR_CODE_INVALID', 'E_PAIR_CODE_INVALID', 'E_PAIR_RATE_LIMITED']);
      const limited = await pairCli(r, home, ['AAAAA5']);
      expect(limited.stderr).toMatch(/^E_PAIR_RATE_LIMITED: .*— hint: wait \d+ s, then pair once/);
      const [rec] = readRelayClientSessions(sessionsFile(home));
      expect(await rawAuth(lanUrl(), { session_token: rec!.token })).toMatchObject({ ok: true });
    } finally {
      await setRelaySimConfig(r.exec, r.base);
      await restartRelaySim(r.exec, r.base); // forget the block
    }
  });
});

describe('files', () => {
  it('an existing remote-sessions.json keeps every other entry byte for byte', async () => {
    const home = await freshCliHome(r);
    const { mkdir, writeFile } = await import('node:fs/promises');
    await mkdir(dirname(sessionsFile(home)), { recursive: true, mode: 0o700 });
    const head = '{\n    "version": 1,\n    "sessions": {\n        "wss://relay.example.com": {"token": "tok-\\u00e9", "paired_at": 1.7e9,\n            "cert_pin_sha256": "sha256/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "endpoint_role": "public"}';
    const tail = '\n    },\n    "x_note": "kept"  \n}\n';
    await writeFile(sessionsFile(home), head + tail, { mode: 0o600 });
    for (let round = 0; round < 2; round += 1) {
      const res = await pairCli(r, home, []);
      expect(res.stderr).toBe('');
      expect(res.code).toBe(0);
      const after = await readFile(sessionsFile(home), 'utf8');
      expect(after.startsWith(head)).toBe(true);
      expect(after.endsWith(tail)).toBe(true);
      const inserted = after.slice(head.length, after.length - tail.length);
      expect(inserted).toMatch(new RegExp(`^,\\n {8}"${lanUrl().replace(/[./]/g, '\\$&')}": \\{\\n {10}"token": `));
    }
    const read = readRelayClientSessions(sessionsFile(home));
    expect(read.map((x) => x.url)).toEqual(['wss://relay.example.com', lanUrl()]);
    expect(read[0]!.token).toBe('tok-é');
  });
});
