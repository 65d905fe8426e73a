/** Builds finer than G0–G3: §18.3 (--tui), §1.1 (dated Origin rules), §11 / §18.6 (version line, rename, unknown build). */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Running, type Sim, createSim, removeSim, runHermes, startHermes } from './helpers/harness.js';
import { parseJson, probeWs, request } from './helpers/http-client.js';

const sims: Sim[] = [];
const runs: Running[] = [];
async function sim(build: string, extra: Record<string, unknown> = {}): Promise<Sim> {
  const s = await createSim({ generation: 'G2', build, ...extra });
  sims.push(s);
  return s;
}
async function start(s: Sim, args: string[], env: Record<string, string> = {}): Promise<Running> {
  const r = await startHermes(s, ['dashboard', '--port', '0', '--isolated', ...args], {
    HERMES_DASHBOARD_SESSION_TOKEN: 'pin',
    ...env,
  });
  runs.push(r);
  return r;
}
afterAll(async () => {
  for (const r of runs) await r.stop();
  for (const s of sims) removeSim(s);
});

const TUI: [string, 'documented' | 'rejected' | 'hidden'][] = [
  ['2026.5.28', 'documented'],
  ['2026.6.2', 'documented'],
  ['2026.6.3', 'documented'],
  ['2026.6.4', 'rejected'],
  ['2026.6.5', 'rejected'],
  ['2026.6.10', 'hidden'],
  ['2026.7.1', 'hidden'],
  ['2026.9.14', 'hidden'],
];

describe('§18.3 --tui per build', () => {
  for (const [build, mode] of TUI) {
    it(`§18.3 ${build}: dashboard --help ${mode === 'documented' ? 'lists' : 'does not list'} --tui; --tui is ${mode === 'rejected' ? 'an argparse error (exit 2)' : 'accepted'}`, async () => {
      const s = await sim(build);
      const help = await runHermes(s, ['dashboard', '--help']);
      expect(/--tui\b/.test(help.stdout)).toBe(mode === 'documented');
      if (mode === 'rejected') {
        const r = await runHermes(s, ['dashboard', '--tui', '--port', '0']);
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('hermes: error: unrecognized arguments: --tui');
      } else {
        await start(s, ['--tui']);
      }
    });
  }
  it('§18.3 2026.6.3: chat needs --tui (else every /api/ws is 403); --tui or HERMES_DASHBOARD_TUI=1 → 101', async () => {
    const s = await sim('2026.6.3');
    const off = await probeWs((await start(s, [])).port, '/api/ws?token=pin');
    expect(off.status).toBe(403);
    expect((await probeWs((await start(s, ['--tui'])).port, '/api/ws?token=pin')).status).toBe(101);
    expect((await probeWs((await start(s, [], { HERMES_DASHBOARD_TUI: '1' })).port, '/api/ws?token=pin')).status).toBe(
      101,
    );
  });
  it('§18.3 2026.6.4: chat is always on without --tui; HERMES_DASHBOARD_TUI is ignored', async () => {
    const s = await sim('2026.6.4');
    expect((await probeWs((await start(s, [], { HERMES_DASHBOARD_TUI: '0' })).port, '/api/ws?token=pin')).status).toBe(
      101,
    );
  });
});

describe('§1.1 dated Origin rules for non-web Origins', () => {
  it('§1.1 6ed9a2de8 (2026.6.2): file:// allowed on an --insecure 0.0.0.0 bind (gate off); before it (2026.5.28) refused', async () => {
    const s = await sim('2026.6.2');
    const r = await start(s, ['--host', '0.0.0.0', '--insecure', '--tui']);
    expect((await probeWs(r.port, '/api/ws?token=pin', { Origin: 'file://' })).status).toBe(101);
    const old = await start(await sim('2026.5.28'), ['--host', '0.0.0.0', '--insecure', '--tui']);
    expect((await probeWs(old.port, '/api/ws?token=pin', { Origin: 'file://' })).status).toBe(403);
  });
});

describe('§11 / §18.6 version line, install stamp, rename, unknown build', () => {
  it('§11 five lines; line 1 "Hermes Agent v<version> (<release date>)" for every hermes build', async () => {
    const expected: Record<string, string> = {
      '2026.6.3': 'v0.15.5 (2026.6.3)',
      '2026.6.10': 'v0.16.2 (2026.6.10)',
      '2026.9.24': 'v0.21.5 (2026.9.24)',
    };
    for (const [build, line] of Object.entries(expected)) {
      const lines = (await runHermes(await sim(build), ['--version'])).stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(5);
      expect(lines[0]).toBe(`Hermes Agent ${line}`);
    }
  });
  it('§18.6 0.21.5 reads install-stamp.json (baseVersion); without it the version is 0.0.0 (also in /api/status)', async () => {
    const s = await sim('2026.9.24', { installStamp: false });
    expect((await runHermes(s, ['--version'])).stdout.split('\n')[0]).toBe('Hermes Agent v0.0.0 (2026.9.24)');
    const status = parseJson(await request((await start(s, [])).port, '/api/status'));
    expect(status).toMatchObject({ version: '0.0.0', release_date: '2026.9.24' });
    fs.writeFileSync(path.join(s.installDir, 'install-stamp.json'), '{"baseVersion": "0.21.5"}\n');
    expect((await runHermes(s, ['--version'])).stdout.split('\n')[0]).toBe('Hermes Agent v0.21.5 (2026.9.24)');
  });
  it('§18.6 rename: "Rabbit Agent v…", RABBIT_* keys from ~/.rabbit/.env; ~/.hermes/.env is not read', async () => {
    const s = await sim('rabbit-2026.9.24', { installStamp: false });
    expect((await runHermes(s, ['--version'])).stdout.split('\n')[0]).toBe('Rabbit Agent v0.0.0 (2026.9.24)');
    expect((await runHermes(s, ['--help'])).stdout).toMatch(/^usage: rabbit /);
    fs.mkdirSync(path.join(s.home, '.hermes'), { recursive: true });
    fs.writeFileSync(path.join(s.home, '.hermes', '.env'), 'HERMES_DASHBOARD_SESSION_TOKEN=hermes-pin\n');
    fs.mkdirSync(path.join(s.home, '.rabbit'), { recursive: true });
    fs.writeFileSync(path.join(s.home, '.rabbit', '.env'), 'RABBIT_DASHBOARD_SESSION_TOKEN=rabbit-pin\n');
    const r = await startHermes(s, ['dashboard', '--port', '0', '--isolated']);
    runs.push(r);
    expect((await request(r.port, '/api/config', { headers: { 'X-Hermes-Session-Token': 'rabbit-pin' } })).status).toBe(
      200,
    );
    expect((await request(r.port, '/api/config', { headers: { 'X-Hermes-Session-Token': 'hermes-pin' } })).status).toBe(
      401,
    );
  });
  it('§18.6 unknown newer build without the needed capabilities: no `dashboard` subcommand, `serve` without --host', async () => {
    const s = await sim('future-2027.1.15');
    expect((await runHermes(s, ['--version'])).stdout.split('\n')[0]).toBe('Hermes Agent v0.30.0 (2027.1.15)');
    const dash = await runHermes(s, ['dashboard', '--help']);
    expect(dash.code).toBe(2);
    expect(dash.stderr).toContain("argument command: invalid choice: 'dashboard'");
    const help = await runHermes(s, ['serve', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).not.toMatch(/\[--host HOST\]|\[--insecure\]/);
    expect((await runHermes(s, ['serve', '--host', '0.0.0.0'])).code).toBe(2);
  });
  for (const [to, line] of [
    ['rabbit-2026.9.24', 'Rabbit Agent v0.0.0 (2026.9.24)'],
    ['future-2027.1.15', 'Hermes Agent v0.0.0 (2027.1.15)'],
  ]) {
    it(`§18.6 reachable through \`hermes update\` from a known build (G2 → ${to}): the version line afterwards is "${line}"`, async () => {
      const s = await createSim({ generation: 'G2', updateTo: to, updateCommits: 3 });
      sims.push(s);
      const u = await runHermes(s, ['update']);
      expect(u.code).toBe(0);
      expect(u.stdout).toContain('→ Found 3 new commit(s)');
      expect((await runHermes(s, ['--version'])).stdout.split('\n')[0]).toBe(line);
    });
  }
});
