// bench/rerun: the no-op re-run of `hermes-setup remote` against its floor (one SSH connect + one exec + one WS
// probe, same library, same TCP_NODELAY socket, same host), every run a fresh node process timed from outside
// (spawn to exit), interleaved, in one run. Also the floor's own in-process figure (from after its imports, the
// definition before issue 16). SSH round trips after connect come from HERMES_SETUP_STATS (exec requests +
// direct-tcpip channels). Targets (issue 16): ≤ 2 round trips and ≤ 1.5× the floor.
// Run: BENCH=rerun npm run bench (needs root: it boots a real systemd test host).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { $ } from 'zx';
import { bootLinuxHost } from '../test/hosts/linux-host.js';
import { prepareLinuxHost } from '../test/support/prepare-host.js';

$.verbose = false;
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function wall<T>(f: () => Promise<T>): Promise<{ ms: number; r: T }> {
  const t0 = performance.now();
  const r = await f();
  return { ms: performance.now() - t0, r };
}

const host = await bootLinuxHost();
try {
  const p = await prepareLinuxHost(host, { generation: 'G1' });
  const env = { ...process.env, HOME: p.cliHome, NO_COLOR: '1', SSH_AUTH_SOCK: '' };
  await $({ env })`node ${cli} remote ${p.args} --json`;
  const token = /^HERMES_DASHBOARD_SESSION_TOKEN=(\S+)$/m.exec((await p.ssh('cat ~/.hermes/.env')).stdout)![1]!;
  const statsDir = await mkdtemp('/var/tmp/hs-bench-');
  const floorArgs = [p.target, host.keyPath, host.tailnetIp, '9119'];
  const floor = async (extra: string[]) =>
    wall(
      async () =>
        JSON.parse((await $({ input: token })`node bench/floor.mjs ${floorArgs} ${extra}`).stdout) as {
          ms: number;
          exec: number;
          probe: unknown;
        },
    );
  const remote = async (args: string[], stats: string) =>
    wall(
      () =>
        $({ env: { ...env, HERMES_SETUP_STATS: join(statsDir, stats) } })`node ${cli} remote ${p.args} --json ${args}`,
    );
  const fw: number[] = [];
  const fin: number[] = [];
  const ffw: number[] = [];
  const noUpdate: number[] = [];
  const withUpdate: number[] = [];
  const load0 = loadavg()[0]!;
  for (let i = 0; i < RUNS; i++) {
    const f = await floor([]);
    if (f.r.exec !== 0 || f.r.probe !== 101) throw new Error(`floor failed: ${JSON.stringify(f.r)}`);
    fw.push(f.ms);
    fin.push(f.r.ms);
    ffw.push((await floor(['--facts'])).ms);
    noUpdate.push((await remote(['--no-update'], 'no-update.jsonl')).ms);
    withUpdate.push((await remote([], 'update.jsonl')).ms);
  }
  const trips = async (file: string) => {
    const rows = (await readFile(join(statsDir, file), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { execs: number; channels: number });
    return { execs: Math.max(...rows.map((r) => r.execs)), channels: Math.max(...rows.map((r) => r.channels)) };
  };
  const a = await trips('no-update.jsonl');
  const b = await trips('update.jsonl');
  const floorMs = median(fw);
  const nu = median(noUpdate);
  console.log(
    `no-op re-run vs floor (${RUNS} runs each, interleaved, medians; every run a fresh node process timed spawn → exit; Linux guest, Hermes G1 token mode; load ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)})`,
  );
  console.log('| run | wall ms | ratio to floor | SSH round trips after connect (most in any run) |');
  console.log('|---|---|---|---|');
  console.log(`| floor: connect + \`true\` + WS probe | ${floorMs.toFixed(0)} | 1.00 | 2 (1 exec + 1 probe channel) |`);
  console.log(
    `| floor with the facts script as its exec | ${median(ffw).toFixed(0)} | ${(median(ffw) / floorMs).toFixed(2)} | 2 |`,
  );
  console.log(
    `| remote --no-update (no-op) | ${nu.toFixed(0)} | **${(nu / floorMs).toFixed(2)}** | ${a.execs + a.channels} (${a.execs} exec + ${a.channels} probe channel) |`,
  );
  console.log(
    `| remote (no-op, runs hermes update) | ${median(withUpdate).toFixed(0)} | ${(median(withUpdate) / floorMs).toFixed(2)} | ${b.execs + b.channels} (${b.execs} exec + ${b.channels} probe channel) |`,
  );
  console.log(
    `floor in-process (after its imports, the old definition): ${median(fin).toFixed(0)} ms; remote --no-update ÷ that: ${(nu / median(fin)).toFixed(2)}`,
  );
  console.log(
    `targets: round trips ${a.execs + a.channels} (≤ 2: ${a.execs + a.channels <= 2 ? 'met' : 'MISSED'}); remote --no-update ÷ floor ${(nu / floorMs).toFixed(2)} (≤ 1.5: ${nu / floorMs <= 1.5 ? 'met' : 'MISSED'})`,
  );
  await rm(statsDir, { recursive: true, force: true });
  await rm(p.cliHome, { recursive: true, force: true });
} finally {
  await host.teardown();
}
