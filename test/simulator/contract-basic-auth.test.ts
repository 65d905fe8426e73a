/** §18.1 (corrects §9): the basic-auth provider, its registration, login, cookies, throttle and tickets. */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, type Sim, createSim, removeSim, runHermes, startHermes } from './helpers/harness.js';
import { BASIC_PASSWORD, BASIC_SECRET, BASIC_USER, basicAuthEnv, hashPassword } from './helpers/gated.js';
import { type HttpResult, loginBasic, parseJson, request } from './helpers/http-client.js';
import { requireSimModule } from './helpers/python-oracles.js';

const PUBLIC = ['dashboard', '--host', '0.0.0.0', '--port', '0', '--isolated'];
const sims: Sim[] = [];
const runs: Running[] = [];

async function sim(opts: Parameters<typeof createSim>[0] = { generation: 'G2' }): Promise<Sim> {
  const s = await createSim(opts);
  sims.push(s);
  return s;
}
async function start(s: Sim, env: Record<string, string>, args = PUBLIC): Promise<Running> {
  const r = await startHermes(s, args, env);
  runs.push(r);
  return r;
}
function writeHermesFile(s: Sim, name: string, text: string): void {
  fs.mkdirSync(path.join(s.home, '.hermes'), { recursive: true });
  fs.writeFileSync(path.join(s.home, '.hermes', name), text);
}
const login = (
  port: number,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<HttpResult> =>
  request(port, '/auth/password-login', {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const creds = (password: string, username = BASIC_USER): Record<string, string> => ({
  provider: 'basic',
  username,
  password,
  next: '/',
});

afterAll(async () => {
  for (const r of runs) await r.stop();
  for (const s of sims) removeSim(s);
});

describe('§18.1 keys, precedence, hash format', () => {
  it('§18.1 precedence: a plaintext PASSWORD line in .env overrides PASSWORD_HASH (the hash password gets 401)', async () => {
    const s = await sim();
    writeHermesFile(
      s,
      '.env',
      `HERMES_DASHBOARD_BASIC_AUTH_USERNAME=${BASIC_USER}\nHERMES_DASHBOARD_BASIC_AUTH_PASSWORD_HASH=${hashPassword(BASIC_PASSWORD)}\nHERMES_DASHBOARD_BASIC_AUTH_PASSWORD=leftover-plain\nHERMES_DASHBOARD_BASIC_AUTH_SECRET=${BASIC_SECRET}\n`,
    );
    const r = await start(s, {});
    expect((await login(r.port, creds(BASIC_PASSWORD))).status).toBe(401);
    expect((await login(r.port, creds('leftover-plain'))).status).toBe(200);
  });
  it('§18.1 an empty PASSWORD line does not override the hash', async () => {
    const s = await sim();
    const r = await start(s, { ...basicAuthEnv(), HERMES_DASHBOARD_BASIC_AUTH_PASSWORD: '' });
    expect((await login(r.port, creds(BASIC_PASSWORD))).status).toBe(200);
  });
  it('§18.1 config-side dashboard.basic_auth in config.yaml registers the provider; a non-empty env key wins over it', async () => {
    const s = await sim();
    writeHermesFile(
      s,
      'config.yaml',
      `dashboard:\n  basic_auth:\n    username: cfg-user\n    password_hash: "${hashPassword('cfg-pass')}"\n    secret: ${BASIC_SECRET}\n`,
    );
    const r = await start(s, {});
    expect((await login(r.port, creds('cfg-pass', 'cfg-user'))).status).toBe(200);
    const r2 = await start(s, { HERMES_DASHBOARD_BASIC_AUTH_USERNAME: 'env-user' });
    expect((await login(r2.port, creds('cfg-pass', 'cfg-user'))).status).toBe(401);
    expect((await login(r2.port, creds('cfg-pass', 'env-user'))).status).toBe(200);
  });
  it('§18.1 hash: standard base64 in exactly 6 $-fields verifies; url-safe base64, pbkdf2 and a 7th field do not (401)', async () => {
    const s = await sim();
    const stdHash = hashPassword(BASIC_PASSWORD);
    let urlHash = hashPassword(BASIC_PASSWORD, { encoding: 'base64url' });
    while (!/[-_]/.test(urlHash)) urlHash = hashPassword(BASIC_PASSWORD, { encoding: 'base64url' });
    const salt = crypto.randomBytes(16).toString('base64');
    const pbkdf2 = `pbkdf2_sha256$100000$${salt}$${crypto.pbkdf2Sync(BASIC_PASSWORD, salt, 100000, 32, 'sha256').toString('base64')}`;
    const cases: [string, number][] = [
      [stdHash, 200],
      [urlHash, 401],
      [pbkdf2, 401],
      [`${stdHash}$extra`, 401],
    ];
    for (const [hash, status] of cases) {
      const r = await start(s, { ...basicAuthEnv(), HERMES_DASHBOARD_BASIC_AUTH_PASSWORD_HASH: hash });
      expect((await login(r.port, creds(BASIC_PASSWORD))).status, hash).toBe(status);
    }
  });
});

describe('§18.1 secret and registration', () => {
  it('§18.1 secret decoded as base64, else hex, else raw UTF-8: ≥ 16 bytes registers the provider', async () => {
    const s = await sim();
    for (const secret of [
      crypto.randomBytes(16).toString('base64'),
      crypto.randomBytes(16).toString('hex'),
      'sixteen-raw-char',
      crypto.randomBytes(32).toString('base64url'),
    ]) {
      const r = await start(s, { ...basicAuthEnv(), HERMES_DASHBOARD_BASIC_AUTH_SECRET: secret });
      expect((await login(r.port, creds(BASIC_PASSWORD))).status, secret).toBe(200);
    }
  });
  it('§18.1 / §6.3 a secret shorter than 16 bytes: provider skipped, gated bind exits 1 "no auth providers are registered"', async () => {
    const s = await sim();
    const r = await runHermes(s, PUBLIC, { ...basicAuthEnv(), HERMES_DASHBOARD_BASIC_AUTH_SECRET: 'short-secret' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^Refusing to bind dashboard to 0\.0\.0\.0 — the auth gate engages on non-loopback binds, but no auth providers are registered\./,
    );
    expect(r.stderr).toContain('secret must be at least 16 bytes');
  });
  for (const [style, yaml] of [
    ['block', 'plugins:\n  disabled:\n  - basic\n'],
    ['flow', 'plugins: {disabled: [kanban_api, basic]}\n'],
  ] as const) {
    it(`§18.1 basic in plugins.disabled (${style} style): credentials ignored, exit 1 with upstream's hint`, async () => {
      const s = await sim();
      writeHermesFile(s, 'config.yaml', yaml);
      const r = await runHermes(s, PUBLIC, basicAuthEnv());
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('no auth providers are registered');
      expect(r.stderr).toContain("remove 'basic' from plugins.disabled, or run `hermes plugins enable basic`");
    });
  }
  it('§18.1 `hermes plugins enable basic` removes it from plugins.disabled; the dashboard then starts gated', async () => {
    const s = await sim();
    writeHermesFile(
      s,
      'config.yaml',
      '# from hermes setup 0.17\nplugins:\n  disabled:\n  - basic\n  - kanban_api\nmodel:\n  provider: openrouter\n',
    );
    const e = await runHermes(s, ['plugins', 'enable', 'basic']);
    expect(e.code).toBe(0);
    const text = fs.readFileSync(path.join(s.home, '.hermes', 'config.yaml'), 'utf8');
    expect(text).toBe('plugins:\n  disabled:\n  - kanban_api\nmodel:\n  provider: openrouter\n');
    const r = await start(s, basicAuthEnv());
    expect((await login(r.port, creds(BASIC_PASSWORD))).status).toBe(200);
  });
  it('§18.1 first build with a basic provider is v2026.6.5: 2026.6.4 ignores the credentials, 2026.6.5 logs in', async () => {
    const old = await sim({ generation: 'G1', build: '2026.6.4' });
    const r = await runHermes(old, PUBLIC, basicAuthEnv());
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no auth providers are registered');
    const first = await start(await sim({ generation: 'G1', build: '2026.6.5' }), basicAuthEnv());
    expect((await login(first.port, creds(BASIC_PASSWORD))).status).toBe(200);
  });
});

describe('§18.1 POST /auth/password-login', () => {
  let port = 0;
  let g3 = 0;
  beforeAll(async () => {
    port = (await start(await sim(), basicAuthEnv())).port;
    g3 = (await start(await sim({ generation: 'G3' }), basicAuthEnv())).port;
  });
  it('§18.1 JSON only: a form-encoded body → 422; a body without provider → 422', async () => {
    const form = await login(port, `provider=basic&username=${BASIC_USER}&password=x`, {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(form.status).toBe(422);
    const missing = await login(port, { username: BASIC_USER, password: BASIC_PASSWORD });
    expect(missing.status).toBe(422);
    expect(JSON.stringify(parseJson(missing))).toContain('"provider"');
  });
  it('§18.1 unknown or non-password provider → 404; bad credentials → 401 {"detail":"Invalid credentials"}', async () => {
    const unknown = await login(port, { ...creds(BASIC_PASSWORD), provider: 'nous' });
    expect(unknown.status).toBe(404);
    const bad = await login(port, creds('wrong'));
    expect(bad.status).toBe(401);
    expect(parseJson(bad)).toEqual({ detail: 'Invalid credentials' });
  });
  it('§18.1 success → 200 {"ok": true, "next": …}; cookies hermes_session_at (12 h) and hermes_session_rt (30 d), bare names over HTTP', async () => {
    const { status, result } = await loginBasic(port, BASIC_USER, BASIC_PASSWORD);
    expect(status).toBe(200);
    expect(parseJson(result)).toEqual({ ok: true, next: '/' });
    const cookies = result.headers['set-cookie'] ?? [];
    expect(cookies.map((c) => c.split('=')[0])).toEqual(['hermes_session_at', 'hermes_session_rt']);
    expect(cookies[0]).toContain('Max-Age=43200');
    expect(cookies[1]).toContain('Max-Age=2592000');
    expect(cookies.join(';')).not.toMatch(/Secure|__Host-/);
    const next = await login(port, { ...creds(BASIC_PASSWORD), next: '/sessions?x=1' });
    expect(parseJson(next)).toEqual({ ok: true, next: '/sessions?x=1' });
  });
  it('§18.1 newer builds also set hermes_session_provider [G3]', async () => {
    const { result } = await loginBasic(g3, BASIC_USER, BASIC_PASSWORD);
    expect((result.headers['set-cookie'] ?? []).map((c) => c.split('=')[0])).toEqual([
      'hermes_session_at',
      'hermes_session_rt',
      'hermes_session_provider',
    ]);
  });
  it('§18.1 over HTTPS (X-Forwarded-Proto from a loopback proxy, gated) the names carry __Host- and Secure', async () => {
    const r = await login(g3, creds(BASIC_PASSWORD), {
      'content-type': 'application/json',
      'x-forwarded-proto': 'https',
    });
    const cookies = r.headers['set-cookie'] ?? [];
    expect(cookies[0]).toMatch(/^__Host-hermes_session_at=.*; Secure$/);
    const cookie = cookies.map((c) => c.split(';')[0]).join('; ');
    expect((await request(g3, '/api/config', { headers: { cookie } })).status).toBe(200);
  });
  it('§18.1 TTL_SECONDS sets the access lifetime (minimum 60)', async () => {
    const s = await sim();
    const r = await start(s, { ...basicAuthEnv(), HERMES_DASHBOARD_BASIC_AUTH_TTL_SECONDS: '5' });
    const { result } = await loginBasic(r.port, BASIC_USER, BASIC_PASSWORD);
    expect((result.headers['set-cookie'] ?? [])[0]).toContain('Max-Age=60');
  });
  it('§18.1 429 after 10 attempts per client IP in 60 s; another client IP is not throttled', async () => {
    const r = await start(await sim(), basicAuthEnv());
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1) statuses.push((await login(r.port, creds('wrong'))).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);
    expect((await login(r.port, creds(BASIC_PASSWORD))).status).toBe(429);
    expect(
      (
        await login(r.port, creds(BASIC_PASSWORD), {
          'content-type': 'application/json',
          'x-forwarded-for': '100.64.0.9',
        })
      ).status,
    ).toBe(200);
  });
});

describe('§18.1 gate-public paths and WS tickets', () => {
  let port = 0;
  beforeAll(async () => {
    port = (await start(await sim(), basicAuthEnv())).port;
  });
  it('§18.1 /auth/password-login, /api/auth/providers and /login answer without a session', async () => {
    expect((await request(port, '/login')).status).toBe(200);
    const providers = await request(port, '/api/auth/providers');
    expect(providers.status).toBe(200);
    expect(parseJson(providers)).toEqual({
      providers: [{ name: 'basic', display_name: 'Username & Password', supports_password: true }],
    });
    expect((await login(port, creds('wrong'))).status).toBe(401);
    expect((await request(port, '/api/sessions')).status).toBe(401);
  });
  it('§18.1 POST /api/auth/ws-ticket → {"ticket", "ttl_seconds"} (no expires_in)', async () => {
    const { cookie } = await loginBasic(port, BASIC_USER, BASIC_PASSWORD);
    const r = await request(port, '/api/auth/ws-ticket', { method: 'POST', headers: { cookie } });
    expect(r.status).toBe(200);
    const body = parseJson(r);
    expect(Object.keys(body).sort()).toEqual(['ticket', 'ttl_seconds']);
    expect(body['ttl_seconds']).toBe(30);
  });
});

describe('§18.1 secret / hash decoding matches Python (base64.b64decode, bytes.fromhex)', () => {
  interface BasicModule {
    decodePyBase64(s: string): Buffer | null;
    decodePyHex(s: string): Buffer | null;
  }
  const mod = requireSimModule<BasicModule>('basic-provider');
  it('§18.1 300 random strings decode (or fail) exactly as CPython does', () => {
    const alphabet = 'AZaz09+/-_= \t\n.%é';
    let seed = 99;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const inputs = [
      ...Array.from({ length: 300 }, () =>
        Array.from({ length: rnd(30) }, () => alphabet[rnd(alphabet.length)]).join(''),
      ),
      'c2l4dGVlbiBieXRlcyBsb25n',
      'deadbeefdeadbeefdeadbeefdeadbeef',
      'de ad be ef',
      'abc=def',
      'ab==cd',
      'a===',
    ];
    const script =
      'import base64,binascii,json,sys\nout=[]\nfor s in json.load(sys.stdin):\n  r=[]\n  for f in (base64.b64decode, bytes.fromhex):\n    try: r.append(f(s).hex())\n    except (ValueError, TypeError, binascii.Error): r.append(None)\n  out.append(r)\njson.dump(out, sys.stdout)';
    const py = JSON.parse(
      execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify(inputs) }).toString(),
    ) as [string | null, string | null][];
    const sim = inputs.map((s) => [
      mod.decodePyBase64(s)?.toString('hex') ?? null,
      mod.decodePyHex(s)?.toString('hex') ?? null,
    ]);
    const diffs = inputs
      .map((s, i) => ({ s, sim: sim[i], py: py[i] }))
      .filter((d) => JSON.stringify(d.sim) !== JSON.stringify(d.py));
    expect(diffs.slice(0, 3)).toEqual([]);
  });
});
