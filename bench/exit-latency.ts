// bench/exit-latency: how long each command's process lives after its last output line. Every command runs as
// a fresh node process with piped stdout/stderr; the bench timestamps each output line as it arrives and the
// process's exit. One real systemd guest (Hermes simulator G3 + the relay simulator, password mode on the
// tailnet IP), so remote/check/doctor/uninstall/ping/pair/devices/desktop all run against the real thing.
// Target (issue 16): exit within 50 ms of the last line, every command. Run: BENCH=exit-latency npm run bench.
import { spawn } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { bootLinuxHost } from '../test/hosts/linux-host.js';
import { freshCliHome, prepareRelayHost } from '../test/relay-sim/harness.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');

interface Timing {
  code: number;
  lines: number;
  lastLineMs: number;
  exitMs: number;
}

/** Runs the CLI once; ms are from spawn. The gap that counts is exitMs − lastLineMs. */
function timeRun(args: string[], env: NodeJS.ProcessEnv): Promise<Timing> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn('node', [cli, ...args], {
      env: { ...process.env, NO_COLOR: '1', SSH_AUTH_SOCK: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let lines = 0;
    let lastLineMs = 0;
    const onData = (d: Buffer): void => {
      const n = d.toString('utf8').split('\n').length - 1;
      if (n > 0) {
        lines += n;
        lastLineMs = performance.now() - t0;
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code: code ?? -1, lines, lastLineMs, exitMs: performance.now() - t0 }));
  });
}

interface Case {
  name: string;
  args: string[];
  expect: number;
  before?: () => Promise<unknown>;
  after?: () => Promise<unknown>;
  env?: NodeJS.ProcessEnv;
}

const host = await bootLinuxHost();
try {
  const r = await prepareRelayHost(host);
  const home = await freshCliHome(r);
  const [target, ...conn] = r.p.args;
  const sshIn = (cmd: string) => host.ssh(cmd);
  const env = { HOME: home };
  const first = await timeRun(['remote', ...r.p.args, '--no-update'], env);
  if (first.code !== 0) throw new Error(`first converge exited ${first.code}`);
  const holdLock = `sleep 600 >/dev/null 2>&1 & echo "$! $(cat /proc/sys/kernel/random/boot_id) bench:held" > ~/.hermes/.hermes-setup.lock`;
  const dropLock = 'kill "$(cut -d " " -f 1 ~/.hermes/.hermes-setup.lock)"; rm -f ~/.hermes/.hermes-setup.lock';
  const stopDash = 'XDG_RUNTIME_DIR=/run/user/$(id -u) systemctl --user stop hermes-dashboard.service';
  const startDash = 'XDG_RUNTIME_DIR=/run/user/$(id -u) systemctl --user start hermes-dashboard.service';
  const cases: Case[] = [
    { name: 'remote --no-update (no-op)', args: ['remote', ...r.p.args, '--no-update'], expect: 0 },
    { name: 'remote --no-update --json (no-op)', args: ['remote', ...r.p.args, '--no-update', '--json'], expect: 0 },
    { name: 'remote --dry-run', args: ['remote', ...r.p.args, '--no-update', '--dry-run'], expect: 0 },
    {
      name: 'remote, failed (lock held, --lock-wait 0)',
      args: ['remote', ...r.p.args, '--no-update', '--lock-wait', '0'],
      expect: 1,
      before: () => sshIn(holdLock),
      after: () => sshIn(dropLock),
    },
    { name: 'check (healthy)', args: ['check', ...r.p.args], expect: 0 },
    {
      name: 'check (unhealthy: service stopped)',
      args: ['check', ...r.p.args],
      expect: 3,
      before: () => sshIn(stopDash),
      after: () => sshIn(startDash),
    },
    { name: 'doctor', args: ['doctor', ...r.p.args], expect: 0 },
    {
      name: 'uninstall (then remote again)',
      args: ['uninstall', ...r.p.args],
      expect: 0,
      after: () => timeRun(['remote', ...r.p.args, '--no-update'], env),
    },
    { name: 'ping', args: ['ping', ...r.p.args], expect: 0 },
    { name: 'pair', args: ['pair', target!, ...conn], expect: 0 },
    { name: 'devices', args: ['devices', target!], expect: 0 },
    { name: 'desktop', args: ['desktop', ...r.p.args, '--user-data-dir', join(home, 'desktop-data')], expect: 0 },
    { name: 'export ansible (local only)', args: ['export', 'ansible', join(home, 'ansible')], expect: 0 },
    { name: 'unreachable (check, port 1)', args: ['check', `deploy@${host.ip}:1`, ...conn], expect: 4 },
  ];
  const rows: string[] = [];
  let worst = 0;
  for (const c of cases) {
    const gaps: number[] = [];
    let last: Timing | undefined;
    for (let i = 0; i < RUNS; i++) {
      await c.before?.();
      const t = await timeRun(c.args, { ...env, ...c.env });
      await c.after?.();
      if (t.code !== c.expect) throw new Error(`${c.name}: exit ${t.code}, expected ${c.expect}`);
      gaps.push(t.exitMs - t.lastLineMs);
      last = t;
    }
    const max = Math.max(...gaps);
    worst = Math.max(worst, max);
    rows.push(
      `| ${c.name} | ${last!.code} | ${last!.lines} | ${last!.lastLineMs.toFixed(0)} | ${last!.exitMs.toFixed(0)} | ${gaps.map((g) => g.toFixed(0)).join(' / ')} | ${max <= 50 ? 'met' : 'MISSED'} |`,
    );
  }
  console.log(
    `exit latency: ms from spawn to the last output line and to process exit (last of ${RUNS} runs), and exit − last line for each run; fresh node process each; load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log('| command | exit code | lines | last line ms | exit ms | exit − last line, ms | ≤ 50 ms |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(
    `worst gap between the last line and exit: ${worst.toFixed(0)} ms (target ≤ 50 ms: ${worst <= 50 ? 'met' : 'MISSED'})`,
  );
  await rm(home, { recursive: true, force: true });
  await rm(r.p.cliHome, { recursive: true, force: true });
} finally {
  await host.teardown();
}
