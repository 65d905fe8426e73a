/** Contract rows from hermes-behaviour.md §1.2, §2.1, §4, §5, §6, §11, §12 against the running simulator. */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, createSim, removeSim, runHermes, startHermes, writeDotenv } from './helpers/harness.js';
import { request } from './helpers/http-client.js';

const GENS = ['G0', 'G1', 'G2', 'G3'] as const;
const VERSIONS = {
  G0: 'v0.15.2 (2026.5.28)',
  G1: 'v0.16.2 (2026.6.10)',
  G2: 'v0.18.0 (2026.7.1)',
  G3: 'v0.21.3 (2026.9.14)',
};
const sims: Record<string, Sim> = {};

beforeAll(async () => {
  for (const g of GENS) sims[g] = await createSim({ generation: g });
});
afterAll(() => {
  for (const s of Object.values(sims)) removeSim(s);
});

function sim(g: string): Sim {
  const s = sims[g];
  if (!s) throw new Error(`no sim ${g}`);
  return s;
}

async function readServedToken(port: number): Promise<string> {
  const r = await request(port, '/');
  const m = /window\.__HERMES_SESSION_TOKEN__ = ("(?:[^"\\]|\\.)*")/.exec(r.body);
  if (!m?.[1]) throw new Error(`no token in ${r.body}`);
  return JSON.parse(m[1]) as string;
}

describe('§11 / §12 version and install layout', () => {
  for (const g of GENS) {
    it(`§11 --version, -V and version print the 5-line format [${g}]`, async () => {
      for (const arg of ['--version', '-V', 'version']) {
        const r = await runHermes(sim(g), [arg]);
        expect(r.code).toBe(0);
        const lines = r.stdout.trimEnd().split('\n');
        expect(lines).toHaveLength(5);
        expect(lines[0]).toBe(`Hermes Agent ${VERSIONS[g]}`);
        expect(lines[1]).toBe(`Project: ${sim(g).installDir}`);
        expect(lines[2]).toMatch(/^Python: \d+\.\d+\.\d+$/);
        expect(lines[3]).toMatch(/^OpenAI SDK: \d+\.\d+\.\d+$/);
        expect(lines[4]).toBe('Up to date');
      }
    });
  }
  it('§12 the shim is a bash script (not a symlink) that unsets PYTHONPATH/PYTHONHOME and execs the venv entry', () => {
    const s = sim('G2');
    expect(fs.lstatSync(s.shim).isSymbolicLink()).toBe(false);
    const text = fs.readFileSync(s.shim, 'utf8');
    expect(text.startsWith('#!/usr/bin/env bash')).toBe(true);
    expect(text).toContain('unset PYTHONPATH');
    expect(text).toContain('unset PYTHONHOME');
    expect(text).toContain(`"${s.entry}" "$@"`);
  });
  it('§12 the venv entry runs directly as well (lookup step 4)', async () => {
    const s = sim('G1');
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(s.entry, ['--version'], { encoding: 'utf8', env: { PATH: process.env['PATH'], HOME: s.home } });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`Hermes Agent ${VERSIONS.G1}`);
  });
  it('§10.2 --version line 5 reports pending commits when an update is available', async () => {
    const s = await createSim({ generation: 'G2', updateTo: 'G3', updateCommits: 7 });
    const r = await runHermes(s, ['--version']);
    expect(r.stdout.trimEnd().split('\n')[4]).toBe("Update available: 7 commits behind — run 'hermes update'");
    removeSim(s);
  });
});

describe('§2.1 flags and help per generation', () => {
  for (const g of GENS) {
    it(`§2.1 unknown flag → argparse usage + "error: unrecognized arguments", exit 2 [${g}]`, async () => {
      const r = await runHermes(sim(g), ['dashboard', '--no-such-flag']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^usage: hermes /);
      expect(r.stderr).toContain('hermes: error: unrecognized arguments: --no-such-flag');
    });
    it(`§2.1 --port with a non-integer is an argparse error, exit 2 [${g}]`, async () => {
      const r = await runHermes(sim(g), ['serve', '--port', 'abc']);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("argument --port: invalid int value: 'abc'");
    });
  }
  it('§1.2 --insecure help: G0/G1 describe disabling auth, G2/G3 say deprecated/no longer disables authentication', async () => {
    for (const g of GENS) {
      const r = await runHermes(sim(g), ['dashboard', '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('--insecure');
      const deprecated = /Deprecated: no longer disables authentication/.test(r.stdout);
      expect(deprecated).toBe(g === 'G2' || g === 'G3');
    }
  });
  it('§2.1 G3 serve --help lists --ssh-session-token-file, --ssh-owner-nonce, --print-session-token; G2 does not', async () => {
    const g3 = await runHermes(sim('G3'), ['serve', '--help']);
    for (const f of ['--ssh-session-token-file', '--ssh-owner-nonce', '--print-session-token'])
      expect(g3.stdout).toContain(f);
    const g2 = await runHermes(sim('G2'), ['serve', '--help']);
    expect(g2.stdout).not.toContain('--ssh-session-token-file');
    const g3dash = await runHermes(sim('G3'), ['dashboard', '--help']);
    expect(g3dash.stdout).not.toContain('--ssh-owner-nonce');
  });
  it('§2.1 --tui: G0 documents it; G1+ accept it as a hidden no-op', async () => {
    expect((await runHermes(sim('G0'), ['dashboard', '--help'])).stdout).toContain('--tui');
    for (const g of ['G1', 'G2', 'G3']) {
      expect((await runHermes(sim(g), ['dashboard', '--help'])).stdout).not.toContain('--tui');
      const run = await startHermes(sim(g), ['dashboard', '--tui', '--port', '0', '--isolated']);
      expect(await run.stop()).toBe(0);
    }
  });
  it('§2.1 --skip-build exits 1 when web_dist/index.html is missing [G2]', async () => {
    const empty = path.join(sim('G2').home, 'empty-dist');
    fs.mkdirSync(empty, { recursive: true });
    const r = await runHermes(sim('G2'), ['dashboard', '--skip-build', '--port', '0'], { HERMES_WEB_DIST: empty });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('index.html');
  });
});

describe('§6 start-up', () => {
  for (const g of ['G2', 'G3'] as const) {
    it(`§6.3 non-loopback --host without an auth provider → exit 1 "Refusing to bind…" even with --insecure [${g}]`, async () => {
      const r = await runHermes(sim(g), ['dashboard', '--host', '0.0.0.0', '--port', '0', '--insecure', '--isolated']);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(
        /^Refusing to bind dashboard to 0\.0\.0\.0 — the auth gate engages on non-loopback binds, but no auth providers are registered\./,
      );
      expect(r.stderr.trimEnd()).toMatch(
        /There is no unauthenticated public-bind option — to keep it local, bind 127\.0\.0\.1 and tunnel in \(SSH \/ Tailscale\)\.$/,
      );
    });
  }
  for (const g of ['G0', 'G1'] as const) {
    it(`§1.2 --host 0.0.0.0 --insecure starts ungated; the token still applies [${g}]`, async () => {
      const run = await startHermes(sim(g), ['dashboard', '--host', '0.0.0.0', '--port', '0', '--insecure']);
      const status = JSON.parse((await request(run.port, '/api/status')).body) as Record<string, unknown>;
      expect(status['auth_required']).toBe(false);
      expect((await request(run.port, '/api/config')).status).toBe(401);
      const token = await readServedToken(run.port);
      expect((await request(run.port, '/api/config', { headers: { 'X-Hermes-Session-Token': token } })).status).toBe(
        200,
      );
      expect(await run.stop()).toBe(0);
    });
  }
  it('§6.1 dashboard prints HERMES_DASHBOARD_READY then the Web UI line; SIGTERM exits 0 [G2]', async () => {
    const run = await startHermes(sim('G2'), ['dashboard', '--port', '0']);
    const lines = run.stdout().split('\n');
    expect(lines[0]).toBe(`HERMES_DASHBOARD_READY port=${run.port}`);
    expect(lines[1]).toBe(`  Hermes Web UI → http://127.0.0.1:${run.port}`);
    expect(await run.stop()).toBe(0);
  });
  it('§6.1 G3 serve prints HERMES_BACKEND_READY and writes HERMES_DESKTOP_READY_FILE', async () => {
    const readyFile = path.join(sim('G3').home, 'ready.json');
    const run = await startHermes(sim('G3'), ['serve', '--port', '0', '--isolated'], {
      HERMES_DESKTOP_READY_FILE: readyFile,
    });
    expect(run.stdout().split('\n')[0]).toBe(`HERMES_BACKEND_READY port=${run.port}`);
    expect(run.stdout()).toContain('Hermes backend listening on http://127.0.0.1:');
    expect(JSON.parse(fs.readFileSync(readyFile, 'utf8'))).toEqual({ port: run.port });
    expect(await run.stop()).toBe(0);
  });
});

describe('§4 / §5 session token and .env', () => {
  it('§4.1 without a pin every start mints a fresh 43-char URL-safe token [G2]', async () => {
    const a = await startHermes(sim('G2'), ['dashboard', '--port', '0']);
    const t1 = await readServedToken(a.port);
    await a.stop();
    const b = await startHermes(sim('G2'), ['dashboard', '--port', '0']);
    const t2 = await readServedToken(b.port);
    await b.stop();
    expect(t1).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(t2).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(t1).not.toBe(t2);
  });
  it('§5.1 ~/.hermes/.env beats the process environment (override=True) [G2]', async () => {
    const s = await createSim({ generation: 'G2' });
    writeDotenv(s, 'HERMES_DASHBOARD_SESSION_TOKEN=from-dotenv\n');
    const run = await startHermes(s, ['dashboard', '--port', '0'], { HERMES_DASHBOARD_SESSION_TOKEN: 'from-unit' });
    expect(await readServedToken(run.port)).toBe('from-dotenv');
    await run.stop();
    removeSim(s);
  });
  it('§4.1 a process-env pin is used when .env has none [G0]', async () => {
    const run = await startHermes(sim('G0'), ['dashboard', '--port', '0'], {
      HERMES_DASHBOARD_SESSION_TOKEN: 'env-pin',
    });
    expect(await readServedToken(run.port)).toBe('env-pin');
    await run.stop();
  });
});
