/** Contract rows from §3, §4.2, §7 (HTTP API) against the running simulator; loopback traffic only. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, type Sim, createSim, removeSim, startHermes } from './helpers/harness.js';
import { BASIC_PASSWORD, BASIC_USER, OAUTH_ENV, basicAuthEnv } from './helpers/gated.js';
import { loginBasic, parseJson, request } from './helpers/http-client.js';

const GENS = ['G0', 'G1', 'G2', 'G3'] as const;
const ALWAYS = [
  'version',
  'release_date',
  'config_version',
  'latest_config_version',
  'can_update_hermes',
  'gateway_running',
  'gateway_state',
  'gateway_platforms',
  'gateway_exit_reason',
  'gateway_updated_at',
  'active_agents',
  'gateway_busy',
  'gateway_drainable',
  'restart_drain_timeout',
  'active_sessions',
  'auth_required',
  'auth_providers',
];
const UNGATED_ONLY = ['hermes_home', 'config_path', 'env_path', 'gateway_pid', 'gateway_health_url'];
const PIN = 'pinned-token-for-http-tests';

const sims: Record<string, Sim> = {};
const loop: Record<string, Running> = {};
const gated: Record<string, Running> = {};

beforeAll(async () => {
  for (const g of GENS) {
    sims[g] = await createSim({ generation: g });
    loop[g] = await startHermes(sims[g], ['dashboard', '--port', '0', '--isolated'], {
      HERMES_DASHBOARD_SESSION_TOKEN: PIN,
    });
    // §18.1: G0 (2026.5.28) predates the basic provider (v2026.6.5); it is gated by an OAuth provider instead.
    gated[g] = await startHermes(
      sims[g],
      ['dashboard', '--host', '0.0.0.0', '--port', '0', '--isolated'],
      g === 'G0' ? OAUTH_ENV : basicAuthEnv(),
    );
  }
});
afterAll(async () => {
  for (const r of [...Object.values(loop), ...Object.values(gated)]) await r.stop();
  for (const s of Object.values(sims)) removeSim(s);
});

const port = (m: Record<string, Running>, g: string): number => {
  const r = m[g];
  if (!r) throw new Error(`missing ${g}`);
  return r.port;
};
const auth = { 'X-Hermes-Session-Token': PIN };

describe('§7.1 GET /api/status', () => {
  for (const g of GENS) {
    it(`§7.1 public on loopback; all fields incl. hermes_home…gateway_health_url; auth_required=false [${g}]`, async () => {
      const r = await request(port(loop, g), '/api/status');
      expect(r.status).toBe(200);
      const body = parseJson(r);
      for (const k of [...ALWAYS, ...UNGATED_ONLY]) expect(body).toHaveProperty(k);
      expect(body['auth_required']).toBe(false);
    });
    const omits = g === 'G2' || g === 'G3';
    it(`§7.1 public when gated; auth_required=true, auth_providers lists the provider; gated fields ${omits ? 'omitted' : 'still present (before 06-13)'} [${g}]`, async () => {
      const body = parseJson(await request(port(gated, g), '/api/status'));
      for (const k of ALWAYS) expect(body).toHaveProperty(k);
      expect(body['auth_required']).toBe(true);
      expect(body['auth_providers']).toEqual([g === 'G0' ? 'nous' : 'basic']);
      for (const k of UNGATED_ONLY) expect(k in body).toBe(!omits);
    });
  }
  it('§7.1 [code ≤0.21] G3 adds native_loopback_auth (and session_token on ungated loopback, §4.4)', async () => {
    const body = parseJson(await request(port(loop, 'G3'), '/api/status'));
    expect(body['native_loopback_auth']).toBe(true);
    expect(body['session_token']).toBe(PIN);
    expect('session_token' in parseJson(await request(port(loop, 'G2'), '/api/status'))).toBe(false);
  });
  it('§7.1 the other public paths answer without a token [G2]', async () => {
    for (const p of [
      '/api/config/defaults',
      '/api/config/schema',
      '/api/model/info',
      '/api/dashboard/themes',
      '/api/dashboard/plugins',
    ]) {
      expect((await request(port(loop, 'G2'), p)).status).toBe(200);
    }
  });
});

describe('§7.2 / §7.4 REST authentication and status codes', () => {
  for (const g of GENS) {
    it(`§7.2 loopback: missing or wrong token → 401 {"detail":"Unauthorized"} [${g}]`, async () => {
      const variants: Record<string, string>[] = [
        {},
        { 'X-Hermes-Session-Token': 'wrong' },
        { Authorization: 'Bearer wrong' },
      ];
      for (const headers of variants) {
        const r = await request(port(loop, g), '/api/config', { headers });
        expect(r.status).toBe(401);
        expect(parseJson(r)).toEqual({ detail: 'Unauthorized' });
      }
    });
    it(`§4.1 X-Hermes-Session-Token and Authorization: Bearer are both accepted [${g}]`, async () => {
      expect((await request(port(loop, g), '/api/config', { headers: auth })).status).toBe(200);
      expect(
        (await request(port(loop, g), '/api/config', { headers: { Authorization: `Bearer ${PIN}` } })).status,
      ).toBe(200);
    });
    it(`§7.2 gated: /api/* without a session cookie → 401 with error, detail, reason, login_url; the session token is not honoured [${g}]`, async () => {
      const r = await request(port(gated, g), '/api/config', { headers: { 'X-Hermes-Session-Token': 'anything' } });
      expect(r.status).toBe(401);
      const body = parseJson(r);
      expect(body['error']).toBe('unauthenticated');
      expect(body['detail']).toBe('Unauthorized');
      expect(typeof body['reason']).toBe('string');
      expect(String(body['login_url'])).toMatch(/^\/login\?next=/);
    });
    it(`§7.2 gated: HTML routes → 302 to /login [${g}]`, async () => {
      const r = await request(port(gated, g), '/sessions');
      expect(r.status).toBe(302);
      expect(String(r.headers.location)).toMatch(/^\/login/);
    });
  }
  it('§7.2 ?token= is accepted only on /api/files/download [G2]', async () => {
    expect((await request(port(loop, 'G2'), `/api/config?token=${PIN}`)).status).toBe(401);
    expect((await request(port(loop, 'G2'), `/api/files/download?token=${PIN}&path=x`)).status).toBe(404);
    expect((await request(port(loop, 'G2'), '/api/files/download?token=wrong')).status).toBe(401);
  });
  it('§7.4 unknown /api path: 401 without a token, 404 "No such API endpoint: …" with one [G2]', async () => {
    expect((await request(port(loop, 'G2'), '/api/nope')).status).toBe(401);
    const r = await request(port(loop, 'G2'), '/api/nope', { headers: auth });
    expect(r.status).toBe(404);
    expect(parseJson(r)).toEqual({ detail: 'No such API endpoint: /api/nope' });
  });
  it('§7.4 disabled plugin route after auth → 404 {"detail":"Plugin not found"} [G3]', async () => {
    const r = await request(port(loop, 'G3'), '/api/plugins/kanban/board', { headers: auth });
    expect(r.status).toBe(404);
    expect(parseJson(r)).toEqual({ detail: 'Plugin not found' });
  });
  it('§7.2 CORS allows only localhost/127.0.0.1 origins [G2]', async () => {
    const ok = await request(port(loop, 'G2'), '/api/status', { headers: { Origin: 'http://localhost:5173' } });
    expect(ok.headers['access-control-allow-origin']).toBe('http://localhost:5173');
    const bad = await request(port(loop, 'G2'), '/api/status', { headers: { Origin: 'http://evil.example' } });
    expect(bad.headers['access-control-allow-origin']).toBeUndefined();
  });
  it('§9 gated: basic-auth login sets the session cookies; the cookie then authenticates /api/* [G2]', async () => {
    const bad = await loginBasic(port(gated, 'G2'), BASIC_USER, 'wrong');
    expect(bad.status).toBe(401);
    const { status, cookie } = await loginBasic(port(gated, 'G2'), BASIC_USER, BASIC_PASSWORD);
    expect(status).toBe(200);
    expect(cookie).toMatch(/hermes_session_at=.+; hermes_session_rt=.+/);
    expect((await request(port(gated, 'G2'), '/api/config', { headers: { cookie } })).status).toBe(200);
    const me = parseJson(await request(port(gated, 'G2'), '/api/auth/me', { headers: { cookie } }));
    expect(me['user_id']).toBe(BASIC_USER);
    expect(me['provider']).toBe('basic');
  });
});

describe('§7.3 Host header guard', () => {
  for (const g of GENS) {
    it(`§7.3 loopback bind accepts localhost, 127.0.0.1, [::1] with any port [${g}]`, async () => {
      for (const host of ['localhost:1', '127.0.0.1:9119', '[::1]:80', 'LOCALHOST']) {
        expect((await request(port(loop, g), '/api/status', { headers: { Host: host } })).status).toBe(200);
      }
    });
    it(`§7.3 loopback bind rejects other names → 400 with the ${g === 'G3' ? 'newer' : '0.18'} wording [${g}]`, async () => {
      const r = await request(port(loop, g), '/api/status', { headers: { Host: 'my-tunnel-alias:9119' } });
      expect(r.status).toBe(400);
      const detail =
        g === 'G3'
          ? 'Invalid Host header. Dashboard requests must use the bound hostname or the configured public hostname.'
          : 'Invalid Host header. Dashboard requests must use the hostname the server was bound to.';
      expect(parseJson(r)).toEqual({ detail });
    });
    it(`§7.3 0.0.0.0 bind accepts any Host [${g}]`, async () => {
      expect(
        (await request(port(gated, g), '/api/status', { headers: { Host: 'anything.example:1234' } })).status,
      ).toBe(200);
    });
  }
  it('§7.3 [code ≤0.21] malformed authorities are rejected even on a 0.0.0.0 bind [G3]', async () => {
    expect((await request(port(gated, 'G3'), '/api/status', { headers: { Host: 'user@evil.example' } })).status).toBe(
      400,
    );
    expect((await request(port(gated, 'G2'), '/api/status', { headers: { Host: 'user@evil.example' } })).status).toBe(
      200,
    );
  });
});

describe('§3 / §4.2 G3 public_url gate, headless serve, frozen token', () => {
  it('§3 non-loopback HERMES_DASHBOARD_PUBLIC_URL gates a loopback bind and its hostname passes the Host guard [G3]', async () => {
    const s = await createSim({ generation: 'G3' });
    const run = await startHermes(s, ['dashboard', '--port', '0', '--isolated'], {
      ...basicAuthEnv(),
      HERMES_DASHBOARD_PUBLIC_URL: 'https://hermes.example.ts.net',
    });
    const body = parseJson(await request(run.port, '/api/status', { headers: { Host: 'hermes.example.ts.net' } }));
    expect(body['auth_required']).toBe(true);
    expect((await request(run.port, '/api/config', { headers: { 'X-Hermes-Session-Token': 'x' } })).status).toBe(401);
    await run.stop();
    removeSim(s);
  });
  it('§3 the same public_url does not gate a G2 loopback bind [G2]', async () => {
    const s = await createSim({ generation: 'G2' });
    const run = await startHermes(s, ['dashboard', '--port', '0'], {
      HERMES_DASHBOARD_PUBLIC_URL: 'https://hermes.example.ts.net',
    });
    expect(parseJson(await request(run.port, '/api/status'))['auth_required']).toBe(false);
    await run.stop();
    removeSim(s);
  });
  it('§4.2 headless serve: GET / carries the token, other paths → 404 headless JSON [G3]', async () => {
    const s = await createSim({ generation: 'G3' });
    const run = await startHermes(s, ['serve', '--port', '0', '--isolated'], {
      HERMES_DASHBOARD_SESSION_TOKEN: 'headless-pin',
    });
    const root = await request(run.port, '/');
    expect(root.status).toBe(200);
    expect(root.body).toContain('window.__HERMES_SESSION_TOKEN__ = "headless-pin"');
    const other = await request(run.port, '/sessions');
    expect(other.status).toBe(404);
    expect(String(parseJson(other)['error'])).toMatch(/^Headless backend \(hermes serve\): web UI disabled/);
    await run.stop();
    removeSim(s);
  });
  it('§4.1 the SPA HTML carries the token only when the gate is off [G2]', async () => {
    expect((await request(port(loop, 'G2'), '/')).body).toContain(`window.__HERMES_SESSION_TOKEN__ = "${PIN}"`);
    const { cookie } = await loginBasic(port(gated, 'G2'), BASIC_USER, BASIC_PASSWORD);
    const page = await request(port(gated, 'G2'), '/', { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(page.body).not.toContain('__HERMES_SESSION_TOKEN__');
  });
  it('§4.2 PUT /api/env of HERMES_DASHBOARD_SESSION_TOKEN does not rotate the live token [G3]', async () => {
    const r = await request(port(loop, 'G3'), '/api/env', {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ key: 'HERMES_DASHBOARD_SESSION_TOKEN', value: 'rotated' }),
    });
    expect(r.status).toBe(200);
    expect((await request(port(loop, 'G3'), '/api/config', { headers: auth })).status).toBe(200);
    expect(
      (await request(port(loop, 'G3'), '/api/config', { headers: { 'X-Hermes-Session-Token': 'rotated' } })).status,
    ).toBe(401);
  });
});
