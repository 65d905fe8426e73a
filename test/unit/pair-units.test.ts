// Pure pieces of pairing: paste cleaning, invite parsing and tier order, the byte-preserving sessions-file edit,
// and the OkHttp-style SPKI pin (checked against openssl).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cleanPairingCode, isPairingCode } from '../../src/pair/clean-code.js';
import { parseCodeExpiry, parseInvite, roleForUrl } from '../../src/pair/invite.js';
import { spkiPin, parseRelayUrl, httpBaseOf } from '../../src/pair/relay-url.js';
import { upsertSessionText, type StoredSession } from '../../src/pair/session-store.js';

const rec = (token: string): StoredSession => ({
  token, server_version: null, paired_at: 1, cert_pin_sha256: null, grants: null, ttl_expires_at: null, endpoint_role: 'lan',
  prefer_secure_routes: false, tools_consented: false, computer_use_consented: false,
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

describe('parseInvite', () => {
  const v3 = { hermes: 3, host: '10.0.0.5', port: 8642, key: '', tls: false,
    relay: { url: 'ws://10.0.0.5:8767', code: 'ABC123', ttl_seconds: 600, grants: {}, transport_hint: 'ws' },
    endpoints: [
      { role: 'public', priority: 0, api: { host: 'r.example', port: 443, tls: true }, relay: { url: 'wss://r.example', transport_hint: 'wss' } },
      { role: 'tailscale', priority: 1, relay: { url: 'ws://100.100.1.2:8767' } },
      { role: 'lan', priority: 2, relay: { url: 'ws://10.0.0.5:8767' } },
    ], sig: 'x' };
  it('orders routes LAN → Tailscale → public whatever the priorities say', () => {
    const inv = parseInvite(JSON.stringify(v3))!;
    expect(inv.candidates.map((c) => c.role)).toEqual(['lan', 'tailscale', 'public']);
    expect(inv).toMatchObject({ code: 'ABC123', sessionTtlSeconds: 600, signed: true });
  });
  it('reads the /pairing/mint shape, an invite URL, and a v1 payload', () => {
    expect(parseInvite(JSON.stringify({ ok: true, qr_payload: v3, expires_at: 1795263157 }))).toMatchObject({ code: 'ABC123', codeExpiresAt: 1795263157 });
    const url = `hermes-relay://pair?payload=${Buffer.from(JSON.stringify(v3)).toString('base64url')}`;
    expect(parseInvite(url)?.code).toBe('ABC123');
    const v1 = parseInvite(JSON.stringify({ hermes: 1, relay: { url: 'ws://100.100.3.2:8767', code: 'ZZZ999' } }))!;
    expect(v1.candidates).toEqual([{ role: 'tailscale', priority: 0, relay: { url: 'ws://100.100.3.2:8767' } }]);
    expect(parseInvite('usage: hermes ...')).toBeUndefined();
    expect(parseCodeExpiry('Pairing code ABC123 expires at 1795263157 (in 600s)')).toBe(1795263157);
  });
  it('classifies relay hosts', () => {
    expect(['ws://192.168.1.4:8767', 'ws://100.64.0.1', 'wss://box.tail1.ts.net', 'wss://relay.example.com'].map(roleForUrl)).toEqual(['lan', 'tailscale', 'tailscale', 'public']);
    expect(parseRelayUrl('ws://h')).toMatchObject({ port: 8767, wsPath: '/ws', hostPort: 'h:8767' });
    expect(httpBaseOf(parseRelayUrl('wss://R.example/relay/ws'))).toBe('https://r.example:443/relay');
  });
});

describe('upsertSessionText', () => {
  it('creates the file in the relay clients\' format', () => {
    const t = upsertSessionText(undefined, 'ws://a:8767', rec('t1'));
    expect(t).toBe(JSON.stringify({ version: 1, sessions: { 'ws://a:8767': rec('t1') } }, null, 2));
  });
  it('appends and replaces one member, every other byte unchanged (any formatting)', () => {
    const head = '{"version":1,"sessions":{"wss://x":{"token":"\\u0074","paired_at":1e3}';
    const tail = '},"z":[1,2]}';
    const added = upsertSessionText(head + tail, 'ws://b', rec('t2'));
    expect(added).toBe(`${head},"ws://b":${JSON.stringify(rec('t2'))}${tail}`);
    const replaced = upsertSessionText(added, 'wss://x', rec('t3'));
    expect(replaced).toBe(`{"version":1,"sessions":{"wss://x":${JSON.stringify(rec('t3'))},"ws://b":${JSON.stringify(rec('t2'))}${tail}`);
  });
  it('indents like its neighbours and fills an empty sessions object or a file without one', () => {
    const empty = '{\n\t"version": 1,\n\t"sessions": {}\n}\n';
    const out = upsertSessionText(empty, 'ws://c', rec('t4'));
    expect(out.startsWith('{\n\t"version": 1,\n\t"sessions": {\n\t  "ws://c": {\n\t    "token": "t4",')).toBe(true);
    expect(out.endsWith('\n\t}\n}\n')).toBe(true);
    expect(JSON.parse(upsertSessionText('{"version":1}', 'ws://d', rec('t5'))).sessions['ws://d'].token).toBe('t5');
    expect(() => upsertSessionText('{"sessions": []}', 'ws://e', rec('t6'))).toThrow(/not an object/);
  });
});

describe('spkiPin', () => {
  it('is sha256/<base64 of the SPKI DER hash>, the same as openssl computes', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-pin-'));
    const cert = join(dir, 'c.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', cert, '-subj', '/CN=relay', '-days', '1'], { stdio: 'ignore' });
    const pubDer = execFileSync('sh', ['-c', `openssl x509 -in ${cert} -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`]).toString().trim();
    const der = Buffer.from(readFileSync(cert, 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    expect(spkiPin(der)).toBe(`sha256/${pubDer}`);
  });
});
