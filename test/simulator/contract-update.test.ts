/** Contract rows from §2.1 (--stop/--status), §4.3, §4.4, §6.4 and §10 against the running simulator. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSim, getFreePort, removeSim, runHermes, startHermes, waitFor } from './helpers/harness.js';
import { request } from './helpers/http-client.js';

const isAlive = (pid: number | undefined): boolean => {
  try {
    process.kill(pid ?? -1, 0);
    return true;
  } catch {
    return false;
  }
};

describe('§10 hermes update', () => {
  it('§10.2 nothing new → "✓ Already up to date!", exit 0; --check → "✓ Already up to date.", exit 0 [G2]', async () => {
    const s = await createSim({ generation: 'G2' });
    const r = await runHermes(s, ['update']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('⚕ Updating Hermes Agent…');
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('✓ Already up to date!');
    const c = await runHermes(s, ['update', '--check']);
    expect(c.code).toBe(0);
    expect(c.stdout.trim()).toBe('✓ Already up to date.');
    removeSim(s);
  });
  it('§10.2 --check with pending commits → "⚕ Update available: N commits behind upstream/main.", exit 0 [G1]', async () => {
    const s = await createSim({ generation: 'G1', updateTo: 'G2', updateCommits: 12 });
    const c = await runHermes(s, ['update', '--check']);
    expect(c.code).toBe(0);
    expect(c.stdout.trim()).toBe('⚕ Update available: 12 commits behind upstream/main.');
    removeSim(s);
  });
  it('§10.2 fetch failure → "✗ Network error — cannot reach the remote repository.", exit 1 [G2]', async () => {
    const s = await createSim({ generation: 'G2', updateTo: 'G3', updateError: 'network' });
    const r = await runHermes(s, ['update']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ Network error — cannot reach the remote repository.');
    removeSim(s);
  });
  it('§10.2 / §10.3 G2→G3: exact lines, SIGTERMs the dashboard, does not restart it, then runs as G3', async () => {
    const s = await createSim({ generation: 'G2', updateTo: 'G3', updateCommits: 5 });
    const dash = await startHermes(s, ['dashboard', '--port', '0']);
    const r = await runHermes(s, ['update']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').filter((l) => l.trim() !== '');
    expect(lines).toEqual(
      expect.arrayContaining([
        '→ Found 5 new commit(s)',
        '→ Pulling updates…',
        '✓ Code updated!',
        '⟲ Stopping 1 dashboard process(es) (the running backend no longer matches the updated frontend)',
        '✓ Update complete!',
      ]),
    );
    expect(lines.at(-1)).toBe('✓ Update complete!');
    expect(await dash.exited).toBe(0);
    await expect(request(dash.port, '/api/status')).rejects.toThrow();
    expect((await runHermes(s, ['--version'])).stdout.split('\n')[0]).toBe('Hermes Agent v0.21.3 (2026.9.14)');
    expect(fs.readFileSync(path.join(s.home, '.hermes', 'logs', 'update.log'), 'utf8')).toContain('✓ Update complete!');
    removeSim(s);
  });
  it('§10.3 HERMES_DESKTOP_CHILD_PID dashboards are spared [G1]', async () => {
    const s = await createSim({ generation: 'G1', updateTo: 'G2' });
    const dash = await startHermes(s, ['dashboard', '--port', '0']);
    const r = await runHermes(s, ['update'], { HERMES_DESKTOP_CHILD_PID: String(dash.proc.pid) });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('⟲ Stopping');
    expect(isAlive(dash.proc.pid)).toBe(true);
    await dash.stop();
    removeSim(s);
  });
  it('§10.3 G3 respawns a manually started dashboard on the same port with --no-open; SSH-owned serves are spared', async () => {
    const s = await createSim({ generation: 'G3', updateTo: 'G3' });
    const dash = await startHermes(s, ['dashboard', '--port', String(await getFreePort()), '--isolated']);
    const owned = await startHermes(s, ['serve', '--port', '0', '--isolated', '--ssh-owner-nonce', 'abcdef0123456789']);
    const r = await runHermes(s, ['update']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/⟲ Restarting 1 dashboard process\(es\)/);
    expect(await dash.exited).toBe(0);
    expect(isAlive(owned.proc.pid)).toBe(true);
    await waitFor(async () => (await request(dash.port, '/api/status').catch(() => null))?.status === 200);
    const log = fs.readFileSync(path.join(s.home, '.hermes', 'logs', 'dashboard-restart.log'), 'utf8');
    expect(log).toContain(`HERMES_DASHBOARD_READY port=${dash.port}`);
    expect((await runHermes(s, ['dashboard', '--stop'])).code).toBe(0);
    await owned.stop();
    removeSim(s);
  });
  it('§18.2 the update marker exists while updating and a concurrent update refuses (upstream update_lock.py: exit 2) [G2]', async () => {
    const s = await createSim({ generation: 'G2', updateTo: 'G3', updateDelaySeconds: 1.5 });
    const marker = path.join(s.home, '.hermes', '.hermes-update-in-progress');
    const first = runHermes(s, ['update']);
    await waitFor(() => fs.existsSync(marker));
    const second = await runHermes(s, ['update']);
    expect(second.code).toBe(2);
    expect(second.stdout).toMatch(/^✗ Another Hermes update is already running \(PID \d+, started \d+s ago\)\./);
    expect((await first).code).toBe(0);
    expect(fs.existsSync(marker)).toBe(false);
    removeSim(s);
  });
});

describe('§2.1 --stop / --status', () => {
  it('§2.1 --status lists running dashboards (exit 0) but not --port 0 ones; --stop SIGTERMs them (exit 0) [G2]', async () => {
    const s = await createSim({ generation: 'G2' });
    const fixed = await startHermes(s, ['dashboard', '--port', String(await getFreePort())]);
    const zero = await startHermes(s, ['serve', '--port', '0']);
    const st = await runHermes(s, ['dashboard', '--status']);
    expect(st.code).toBe(0);
    expect(st.stdout).toContain(`PID ${fixed.proc.pid}`);
    expect(st.stdout).not.toContain(`PID ${zero.proc.pid}`);
    const stop = await runHermes(s, ['dashboard', '--stop']);
    expect(stop.code).toBe(0);
    expect(await fixed.exited).toBe(0);
    expect(await zero.exited).toBe(0);
    expect((await runHermes(s, ['dashboard', '--status'])).stdout).toContain('No running dashboard processes found.');
    removeSim(s);
  });
});

describe('§6.4 / §4.4 G3 host singleton and rendezvous', () => {
  it('§4.4 serve writes host-serve.json and a 0600 host-serve.token; --print-session-token prints the token', async () => {
    const s = await createSim({ generation: 'G3' });
    const lockDir = path.join(s.home, 'locks');
    const env = { HERMES_GATEWAY_LOCK_DIR: lockDir, HERMES_DASHBOARD_SESSION_TOKEN: 'rendezvous-pin' };
    const owner = await startHermes(s, ['serve', '--port', '0'], env);
    const info = JSON.parse(fs.readFileSync(path.join(lockDir, 'host-serve.json'), 'utf8')) as {
      pid: number;
      port: number;
    };
    expect(info).toMatchObject({ pid: owner.proc.pid, port: owner.port });
    expect(fs.statSync(path.join(lockDir, 'host-serve.token')).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(lockDir, 'host-serve.token'), 'utf8')).toBe('rendezvous-pin');
    const p = await runHermes(s, ['serve', '--print-session-token', '--port', String(owner.port)], env);
    expect(p.code).toBe(0);
    expect(p.stdout.trim()).toBe('rendezvous-pin');
    const attach = await runHermes(s, ['serve'], env);
    expect(attach.code).toBe(0);
    expect(attach.stdout).toContain(`Hermes backend already running on this host: PID ${owner.proc.pid}`);
    const conflict = await runHermes(s, ['serve', '--port', String(owner.port + 1)], env);
    expect(conflict.code).toBe(78);
    const dash = await runHermes(s, ['dashboard'], env);
    expect(dash.code).toBe(78);
    const isolated = await startHermes(s, ['serve', '--port', '0', '--isolated'], env);
    expect(isolated.port).not.toBe(owner.port);
    await isolated.stop();
    await owner.stop();
    expect(fs.existsSync(path.join(lockDir, 'host-serve.json'))).toBe(false);
    const missing = await runHermes(s, ['serve', '--print-session-token', '--port', String(owner.port)], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('missing');
    removeSim(s);
  });
  it('§4.3 --ssh-session-token-file: valid file → token used and file unlinked; wrong location → exit 1 [G3]', async () => {
    const s = await createSim({ generation: 'G3' });
    const dir = path.join(s.home, '.hermes', 'desktop-ssh', 'a'.repeat(32));
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.chmodSync(dir, 0o700);
    const file = path.join(dir, `${'b'.repeat(16)}.token`);
    const token = 'c'.repeat(64);
    fs.writeFileSync(file, token, { mode: 0o600 });
    const run = await startHermes(s, [
      'serve',
      '--port',
      '0',
      '--ssh-session-token-file',
      file,
      '--ssh-owner-nonce',
      'b'.repeat(16),
    ]);
    expect(fs.existsSync(file)).toBe(false);
    expect((await request(run.port, '/')).body).toContain(`"${token}"`);
    await run.stop();
    const bad = path.join(s.home, 'elsewhere.token');
    fs.writeFileSync(bad, token, { mode: 0o600 });
    const r = await runHermes(s, ['serve', '--port', '0', '--ssh-session-token-file', bad]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--ssh-session-token-file must be under the desktop-ssh directory');
    fs.writeFileSync(file, token, { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    expect((await runHermes(s, ['serve', '--port', '0', '--ssh-session-token-file', file])).code).toBe(1);
    removeSim(s);
  });
});

describe('§18.2 update marker (two numeric lines; stale when the PID is dead or it is older than 20 minutes)', () => {
  const markerOf = (s: { home: string }): string => path.join(s.home, '.hermes', '.hermes-update-in-progress');
  const writeMarker = (s: { home: string }, text: string): void => {
    fs.mkdirSync(path.join(s.home, '.hermes'), { recursive: true });
    fs.writeFileSync(markerOf(s), text);
  };
  it('§18.2 while updating, the marker holds the updater PID, then its start time in epoch seconds (float)', async () => {
    const s = await createSim({ generation: 'G2', updateTo: 'G3', updateDelaySeconds: 1.5 });
    const first = runHermes(s, ['update']);
    await waitFor(() => fs.existsSync(markerOf(s)) && fs.readFileSync(markerOf(s), 'utf8').endsWith('\n'));
    const lines = fs.readFileSync(markerOf(s), 'utf8').split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\d+$/);
    expect(isAlive(Number(lines[0]))).toBe(true);
    expect(lines[1]).toMatch(/^\d+(\.\d+)?$/);
    expect(Math.abs(Number(lines[1]) - Date.now() / 1000)).toBeLessThan(10);
    expect((await first).code).toBe(0);
    expect(fs.existsSync(markerOf(s))).toBe(false);
    removeSim(s);
  });
  it('§18.2 a marker whose PID is dead is stale: `hermes update` replaces it and runs', async () => {
    const s = await createSim({ generation: 'G2', updateTo: 'G3' });
    writeMarker(s, `4194303\n${Date.now() / 1000}\n`);
    const r = await runHermes(s, ['update']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('✓ Update complete!');
    expect(fs.existsSync(markerOf(s))).toBe(false);
    removeSim(s);
  });
  it('§18.2 a marker older than 20 minutes is stale even when its PID is alive', async () => {
    const s = await createSim({ generation: 'G2', updateTo: 'G3' });
    writeMarker(s, `${process.pid}\n${Date.now() / 1000 - 21 * 60}\n`);
    expect((await runHermes(s, ['update'])).code).toBe(0);
    removeSim(s);
  });
  it('§18.2 a live marker (living PID, started 5 s ago) gates: the update refuses and leaves the marker alone', async () => {
    const s = await createSim({ generation: 'G2', updateTo: 'G3' });
    const body = `${process.pid}\n${Date.now() / 1000 - 5}\n`;
    writeMarker(s, body);
    const r = await runHermes(s, ['update']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`Another Hermes update is already running (PID ${process.pid}, started 5s ago)`);
    expect(fs.readFileSync(markerOf(s), 'utf8')).toBe(body);
    expect((await runHermes(s, ['--version'])).stdout.split('\n')[0]).toBe('Hermes Agent v0.18.0 (2026.7.1)');
    removeSim(s);
  });
  it("§18.2 a JSON marker (the simulator's old format) is malformed for upstream readers and does not gate", async () => {
    const s = await createSim({ generation: 'G2', updateTo: 'G3' });
    writeMarker(s, JSON.stringify({ pid: process.pid, started_at: Date.now() / 1000 }) + '\n');
    expect((await runHermes(s, ['update'])).code).toBe(0);
    removeSim(s);
  });
});
