// Pure pieces of pairing: paste cleaning, reading the real `hermes pair` text (§18.7), invites v1–v3 and mint answers,
// route order as the relay signs it (secure first), the requested-route check, the host access policy file, the
// device id, the /sessions error mapping, the byte-preserving sessions-file edit and the SPKI pin (vs openssl).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir, userInfo, hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanPairingCode, isPairingCode } from '../../src/pair/clean-code.js';
import { readOrCreateDeviceId } from '../../src/pair/device-id.js';
import { canonicalRelayUrl, planHostAccess } from '../../src/pair/host-access.js';
import { parseInvite, roleForUrl, type RouteCandidate } from '../../src/pair/invite.js';
import { inviteFromText, mintArgs } from '../../src/pair/mint.js';
import { parseMintText } from '../../src/pair/mint-text.js';
import { sessionsApiError, type RelayReply } from '../../src/pair/relay-http.js';
import { spkiPin, parseRelayUrl, httpBaseOf } from '../../src/pair/relay-url.js';
import { orderRoutes, tiersOf } from '../../src/pair/route-pick.js';
import { requireMode } from '../../src/pair/run-pair.js';
import { upsertSessionText, type StoredSession } from '../../src/pair/session-store.js';
import { writeRelayCert } from '../support/relay-cert.js';

const rec = (token: string): StoredSession => ({
  token,
  server_version: null,
  paired_at: 1,
  cert_pin_sha256: null,
  grants: null,
  ttl_expires_at: null,
  endpoint_role: 'lan',
  prefer_secure_routes: false,
  tools_consented: false,
  computer_use_consented: false,
});

const V3 = {
  hermes: 3,
  host: '10.0.0.5',
  port: 8642,
  key: '',
  tls: false,
  relay: { url: 'ws://10.0.0.5:8767', code: 'HILZ26', ttl_seconds: 2592000, transport_hint: 'ws' },
  endpoints: [
    {
      role: 'tailscale',
      priority: 0,
      api: { host: '100.100.1.2', port: 8642, tls: false },
      relay: { url: 'ws://100.100.1.2:8767', transport_hint: 'ws' },
    },
    {
      role: 'public',
      priority: 1,
      api: { host: 'r.example', port: 443, tls: true },
      relay: { url: 'wss://r.example:8767', transport_hint: 'wss' },
    },
    {
      role: 'lan',
      priority: 2,
      api: { host: '10.0.0.5', port: 8642, tls: false },
      relay: { url: 'ws://10.0.0.5:8767', transport_hint: 'ws' },
    },
  ],
  sig: 'x',
};
const INVITE = `hermes-relay://pair?payload=${Buffer.from(JSON.stringify(V3)).toString('base64url')}`;

// The block as observed in §18.7, with the other sections pair.py prints around it.
const OBSERVED = `
  Hermes Android Pairing
  ----------------------------------------

  API Server: http://10.231.221.2:8642
  Enter manually in the app if QR won't scan:
    API: http://10.231.221.2:8642

  Relay (terminal + bridge)
  ----------------------------------------
  URL  : ws://10.231.221.2:8767
  Code : HILZ26  (expires in 10 min, one-shot)
  Pair : for 30 days

  Copy/paste pairing invite
  ----------------------------------------
  URL  : ${INVITE}
  Use  : Hermes Relay Desktop -> Pair -> Paste invite
`;

const cand = (role: string, priority: number, url: string): RouteCandidate => ({
  role,
  priority,
  api: { host: 'h', port: 8642, tls: false },
  relay: { url },
});

describe('cleanPairingCode', () => {
  it.each([
    ['\x1b[200~F3W7EY\x1b[201~', 'F3W7EY', true],
    ['^[[200~f3w7ey^[[201~', 'F3W7EY', true],
    ['  f3w7ey\n', 'F3W7EY', false],
    ['\x1b[1;32mF3W-7EY\x1b[0m', 'F3W7EY', true],
    ['F3W7EY\x07\x00', 'F3W7EY', true],
    ['\x1b]0;title\x07F3W7EY', 'F3W7EY', true],
  ])('%j → %s', (raw, code, changed) => {
    expect(cleanPairingCode(raw)).toEqual({ code, changed });
    expect(isPairingCode(code)).toBe(true);
  });
  it('rejects what is not 6 × [A-Z0-9]', () => {
    for (const c of ['F3W7E', 'F3W7EYY', 'F3W7É1', '']) expect(isPairingCode(cleanPairingCode(c).code)).toBe(false);
  });
});

describe('reading `hermes pair` text (§18.7)', () => {
  it('finds the code, its lifetime, the relay URL and the indented invite, not the API server URL', () => {
    expect(parseMintText(OBSERVED)).toEqual({
      code: 'HILZ26',
      codeTtlSeconds: 600,
      relayUrl: 'ws://10.231.221.2:8767',
      inviteUrl: INVITE,
    });
  });
  it('tolerates ANSI colours, CRLF, tabs and odd spacing', () => {
    const noisy = OBSERVED.replace('Code : HILZ26', '\x1b[36mCode :\x1b[0m \x1b[1;32mHILZ26\x1b[0m')
      .replace('  URL  : hermes', '\t\x1b[36mURL\x1b[0m   :   hermes')
      .replace(/\n/g, '\r\n');
    expect(parseMintText(noisy)).toMatchObject({ code: 'HILZ26', inviteUrl: INVITE });
  });
  it('recognises "Relay not running" and its port, with no code', () => {
    const t = parseMintText(
      '  [info] Relay not running at localhost:8799 — QR will configure chat only.\n         Start the relay with: hermes relay start\n',
    );
    expect(t).toEqual({ relayNotRunning: { port: 8799 } });
  });
  it('builds the invite from the payload, or from the code and relay URL when no invite is printed', () => {
    const a = inviteFromText(parseMintText(OBSERVED), 1000)!;
    expect(a).toMatchObject({ code: 'HILZ26', codeExpiresAt: 1600, sessionTtlSeconds: 2592000, signed: true });
    expect(a.candidates.map((c) => c.role)).toEqual(['tailscale', 'public', 'lan']);
    const b = inviteFromText(parseMintText(OBSERVED.replace(/^.*hermes-relay:.*$/m, '')), 1000)!;
    expect(b.candidates).toEqual([
      {
        role: 'lan',
        priority: 0,
        api: { host: '10.231.221.2', port: 8642, tls: false },
        relay: { url: 'ws://10.231.221.2:8767' },
      },
    ]);
  });
  it('mints with --no-qr and only real flags (no --json)', () => {
    expect(mintArgs({ mode: 'auto' })).toEqual(['pair', '--no-qr']);
    expect(mintArgs({ mode: 'public', publicUrl: 'https://r.example', ttlSeconds: 0 })).toEqual([
      'pair',
      '--no-qr',
      '--mode',
      'public',
      '--public-url',
      'https://r.example',
      '--ttl',
      '0',
    ]);
  });
});

describe('invites', () => {
  it('reads a mint answer whose qr_payload is a JSON string or an object', () => {
    for (const qr of [JSON.stringify(V3), V3])
      expect(parseInvite({ ok: true, code: 'HILZ26', qr_payload: qr, expires_at: 1795263157.4 })).toMatchObject({
        code: 'HILZ26',
        codeExpiresAt: 1795263157,
      });
  });
  it('v1/v2: one route from relay.url with the top-level API server; a candidate without api gets one', () => {
    const v2 = parseInvite(
      JSON.stringify({
        hermes: 2,
        host: '10.0.0.5',
        port: 8642,
        tls: false,
        relay: { url: 'ws://10.0.0.5:8767', code: 'ZZZ999' },
      }),
    )!;
    expect(v2.candidates).toEqual([
      {
        role: 'lan',
        priority: 0,
        api: { host: '10.0.0.5', port: 8642, tls: false },
        relay: { url: 'ws://10.0.0.5:8767' },
      },
    ]);
    const noApi = parseInvite({
      relay: { url: 'wss://box.tail1.ts.net', code: 'ABC123' },
      endpoints: [{ role: 'tailscale', priority: 0, relay: { url: 'wss://box.tail1.ts.net' } }],
    })!;
    expect(noApi.candidates[0]!.api).toEqual({ host: 'box.tail1.ts.net', port: 8642, tls: false });
    expect(parseInvite('usage: hermes ...')).toBeUndefined();
  });
  it('classifies relay hosts', () => {
    expect(
      ['ws://192.168.1.4:8767', 'ws://100.64.0.1', 'wss://box.tail1.ts.net', 'wss://relay.example.com'].map(roleForUrl),
    ).toEqual(['lan', 'tailscale', 'tailscale', 'public']);
    expect(parseRelayUrl('ws://h')).toMatchObject({ port: 8767, wsPath: '/ws', hostPort: 'h:8767' });
    expect(httpBaseOf(parseRelayUrl('wss://R.example/relay/ws'))).toBe('https://r.example:443/relay');
  });
});

describe('route order (§18.7)', () => {
  it('secure first (wss or Tailscale), then the signed priority, then invite order', () => {
    const list = [
      cand('lan', 0, 'ws://10.0.0.5:8767'),
      cand('public', 1, 'wss://r.example:8767'),
      cand('tailscale', 2, 'ws://100.100.1.2:8767'),
    ];
    expect(orderRoutes(list, true).map((c) => c.role)).toEqual(['public', 'tailscale', 'lan']);
    expect(orderRoutes(list, false).map((c) => c.role)).toEqual(['lan', 'public', 'tailscale']);
    expect(
      tiersOf(orderRoutes([...list, cand('lan', 0, 'ws://10.0.0.6:8767')], true), true).map((t) => t.length),
    ).toEqual([1, 1, 2]);
  });
  it('a requested route the invite does not have is an error, never another route', () => {
    const lanOnly = parseInvite({ relay: { url: 'ws://10.0.0.5:8767', code: 'ABC123' } })!;
    expect(() => requireMode(lanOnly, { mode: 'tailscale' })).toThrow(
      /E_PAIR_ROUTE_MISSING|no tailscale route \(it offers: lan\)/,
    );
    expect(requireMode(parseInvite(INVITE)!, { mode: 'tailscale' }).candidates.map((c) => c.role)).toEqual([
      'tailscale',
    ]);
  });
});

describe('host access policy file', () => {
  const now = new Date('2026-11-24T10:00:00Z');
  it('canonical relay URLs as the official client keys them', () => {
    expect(canonicalRelayUrl('ws://10.0.0.5:8767/')).toBe('ws://10.0.0.5:8767');
    expect(canonicalRelayUrl('wss://R.example:443/relay/')).toBe('wss://r.example/relay');
    expect(canonicalRelayUrl('http://x')).toBeUndefined();
  });
  it('creates the file, adds a missing host keeping every other byte, never changes an existing policy', () => {
    const created = planHostAccess(undefined, 'ws://10.0.0.5:8767', now);
    expect(created.action).toBe('create');
    const doc = JSON.parse((created as { text: string }).text) as {
      version: number;
      hosts: Record<string, { access_mode: string; capabilities: Record<string, string> }>;
    };
    expect(doc.version).toBe(2);
    expect(doc.hosts['ws://10.0.0.5:8767']).toMatchObject({
      access_mode: 'ask_every_time',
      capabilities: {
        commands: 'ask',
        files: 'ask',
        screen_input: 'ask',
        usb: 'ask',
        microphone: 'disabled',
        camera: 'disabled',
      },
    });
    const existing = '{"version":2,"hosts":{"wss://other.example":{"access_mode":"full_access"}},"note":1}';
    const added = planHostAccess(existing, 'ws://10.0.0.5:8767/', now) as { action: string; text: string };
    expect(added.action).toBe('add');
    expect(
      added.text.startsWith(
        '{"version":2,"hosts":{"wss://other.example":{"access_mode":"full_access"},"ws://10.0.0.5:8767":',
      ),
    ).toBe(true);
    expect(added.text.endsWith('},"note":1}')).toBe(true);
    expect(
      planHostAccess('{"version":2,"hosts":{"ws://10.0.0.5:8767/":"trusted"}}', 'ws://10.0.0.5:8767', now),
    ).toEqual({ action: 'keep', why: 'the host already has a policy' });
    expect(planHostAccess('{"trusted_hosts":["ws://a"]}', 'ws://10.0.0.5:8767', now).action).toBe('keep');
    expect(planHostAccess('not json', 'ws://10.0.0.5:8767', now).action).toBe('keep');
  });
});

describe('device id', () => {
  it('random, created once (0600 in 0700), different per install, never a hash of user@hostname', async () => {
    const a = join(mkdtempSync(join(tmpdir(), 'hs-dev-')), 'cfg', 'device-id');
    const b = join(mkdtempSync(join(tmpdir(), 'hs-dev-')), 'cfg', 'device-id');
    const first = await readOrCreateDeviceId(a);
    expect(first.created).toBe(true);
    expect(await readOrCreateDeviceId(a)).toEqual({ id: first.id, created: false });
    expect(readFileSync(a, 'utf8')).toBe(`${first.id}\n`);
    expect(statSync(a).mode & 0o777).toBe(0o600);
    expect(statSync(join(a, '..')).mode & 0o777).toBe(0o700);
    expect((await readOrCreateDeviceId(b)).id).not.toBe(first.id);
    const oldHash = createHash('sha256')
      .update(`hermes-setup:${userInfo().username}@${hostname()}`)
      .digest('hex')
      .slice(0, 16);
    expect(first.id).not.toContain(oldHash);
  });
});

describe('/sessions errors (§18.7: text/plain reasons, 409 JSON)', () => {
  const reply = (status: number, text: string): RelayReply => {
    let json: Record<string, unknown> = {};
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch {
      /* text */
    }
    return { status, text, json, via: 'ws://h:8767' };
  };
  it.each([
    [
      403,
      'operator approval required to extend session',
      /^E_DEVICE_EXTEND_REFUSED: the relay refused \("operator approval required to extend session"\): a device may only shorten its own session/,
    ],
    [403, 'cannot modify another session', /^E_DEVICE_NOT_OWN: the relay refused \("cannot modify another session"\)/],
    [
      401,
      'invalid or expired session token',
      /^E_RELAY_UNAUTHORIZED: the relay refused the stored session \("invalid or expired session token"\)/,
    ],
    [
      404,
      'no session matches prefix ab',
      /^E_DEVICE_NOT_FOUND: no paired device matches "ab" \("no session matches prefix ab"\)/,
    ],
    [
      409,
      '{"ok": false, "error": "ambiguous"}',
      /^E_DEVICE_PREFIX_AMBIGUOUS: the prefix "ab" matches more than one device \("ambiguous"\)/,
    ],
  ])('%d %s', (status, body, line) => {
    const err = sessionsApiError(reply(status, body), 'ab') as Error & { toLine(): string };
    expect(err.toLine()).toMatch(line);
  });
});

describe('upsertSessionText', () => {
  it("creates the file in the relay clients' format", () => {
    const t = upsertSessionText(undefined, 'ws://a:8767', rec('t1'));
    expect(t).toBe(JSON.stringify({ version: 1, sessions: { 'ws://a:8767': rec('t1') } }, null, 2));
  });
  it('appends and replaces one member, every other byte unchanged (any formatting)', () => {
    const head = '{"version":1,"sessions":{"wss://x":{"token":"\\u0074","paired_at":1e3}';
    const tail = '},"z":[1,2]}';
    const added = upsertSessionText(head + tail, 'ws://b', rec('t2'));
    expect(added).toBe(`${head},"ws://b":${JSON.stringify(rec('t2'))}${tail}`);
    const replaced = upsertSessionText(added, 'wss://x', rec('t3'));
    expect(replaced).toBe(
      `{"version":1,"sessions":{"wss://x":${JSON.stringify(rec('t3'))},"ws://b":${JSON.stringify(rec('t2'))}${tail}`,
    );
  });
  it('indents like its neighbours and fills an empty sessions object or a file without one', () => {
    const empty = '{\n\t"version": 1,\n\t"sessions": {}\n}\n';
    const out = upsertSessionText(empty, 'ws://c', rec('t4'));
    expect(out.startsWith('{\n\t"version": 1,\n\t"sessions": {\n\t  "ws://c": {\n\t    "token": "t4",')).toBe(true);
    expect(out.endsWith('\n\t}\n}\n')).toBe(true);
    const withD = JSON.parse(upsertSessionText('{"version":1}', 'ws://d', rec('t5'))) as {
      sessions: Record<string, { token: string }>;
    };
    expect(withD.sessions['ws://d']!.token).toBe('t5');
    expect(() => upsertSessionText('{"sessions": []}', 'ws://e', rec('t6'))).toThrow(/not an object/);
  });
});

describe('spkiPin', () => {
  it('is sha256/<base64 of the SPKI DER hash>, the same as openssl computes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-pin-'));
    const { cert } = writeRelayCert(dir);
    const pubDer = execFileSync('sh', [
      '-c',
      `openssl x509 -in ${cert} -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`,
    ])
      .toString()
      .trim();
    const der = Buffer.from(readFileSync(cert, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(spkiPin(der)).toBe(`sha256/${pubDer}`);
  });
});
