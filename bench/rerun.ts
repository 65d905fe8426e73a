// bench/rerun: the no-op re-run of `hermes-setup remote` against its floor (one SSH connect + one exec +
// one WS probe, same library, same host), both as fresh node processes, in one run. Prints figures and ratios.
// Run: npm run bench (needs root: it boots a real systemd test host).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { $ } from 'zx';
import { bootLinuxHost } from '../test/hosts/linux-host.js';
import { prepareLinuxHost } from '../test/support/prepare-host.js';

$.verbose = false;
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeCli(args: string[], env: Record<string, string>): Promise<number> {
  const t0 = performance.now();
  await $({ env: { ...process.env, ...env } })`node ${cli} ${args}`;
  return performance.now() - t0;
}

const host = await bootLinuxHost();
try {
  const p = await prepareLinuxHost(host, { generation: 'G1' });
  const env = { HOME: p.cliHome, NO_COLOR: '1', SSH_AUTH_SOCK: '' };
  await $({ env: { ...process.env, ...env } })`node ${cli} remote ${p.args} --json`;
  const token = /^HERMES_DASHBOARD_SESSION_TOKEN=(\S+)$/m.exec((await p.ssh('cat ~/.hermes/.env')).stdout)![1]!;
  const statsDir = await mkdtemp('/var/tmp/hs-bench-');
  const noUpdate: number[] = []; const withUpdate: number[] = []; const floor: number[] = []; const floorFacts: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    floor.push(JSON.parse((await $({ input: token })`node bench/floor.mjs ${p.target} ${host.keyPath} ${host.tailnetIp} 9119`).stdout).ms);
    floorFacts.push(JSON.parse((await $({ input: token })`node bench/floor.mjs ${p.target} ${host.keyPath} ${host.tailnetIp} 9119 --facts`).stdout).ms);
    noUpdate.push(await timeCli(['remote', ...p.args, '--json', '--no-update'], { ...env, HERMES_SETUP_STATS: join(statsDir, 'no-update.jsonl') }));
    withUpdate.push(await timeCli(['remote', ...p.args, '--json'], { ...env, HERMES_SETUP_STATS: join(statsDir, 'update.jsonl') }));
  }
  const trips = async (f: string) => JSON.parse((await readFile(join(statsDir, f), 'utf8')).trim().split('\n')[0]!) as { execs: number; channels: number };
  const a = await trips('no-update.jsonl'); const b = await trips('update.jsonl');
  const f = median(floor);
  console.log(`no-op re-run vs floor (${RUNS} runs each, medians, fresh node process each, Linux guest, Hermes G1 token mode)`);
  console.log('| run | wall ms | ratio to floor | SSH round trips after connect |');
  console.log('|---|---|---|---|');
  console.log(`| floor: connect + exec + WS probe | ${f.toFixed(0)} | 1.00 | 2 |`);
  const ff = median(floorFacts);
  console.log(`| floor with the facts script as its exec | ${ff.toFixed(0)} | ${(ff / f).toFixed(2)} | 2 |`);
  console.log(`| remote --no-update (no-op) | ${median(noUpdate).toFixed(0)} | ${(median(noUpdate) / f).toFixed(2)} | ${a.execs + a.channels} (${a.execs} exec + ${a.channels} probe channel) |`);
  console.log(`| remote (no-op, runs hermes update) | ${median(withUpdate).toFixed(0)} | ${(median(withUpdate) / f).toFixed(2)} | ${b.execs + b.channels} (${b.execs} exec + ${b.channels} probe channel) |`);
  console.log(`overhead of the tool beyond the same exec + probe: ${(median(noUpdate) - ff).toFixed(0)} ms (ratio to the facts floor ${(median(noUpdate) / ff).toFixed(2)})`);
  await rm(statsDir, { recursive: true, force: true });
  await rm(p.cliHome, { recursive: true, force: true });
} finally {
  await host.teardown();
}
