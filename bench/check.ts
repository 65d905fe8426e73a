// bench/check: a healthy `hermes-setup check` (fresh node process: connect, facts exec, one WS probe) on a
// real systemd test host, against the target of 1 s. Run: BENCH=check npm run bench (needs root).
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { $ } from 'zx';
import { bootLinuxHost } from '../test/hosts/linux-host.js';
import { prepareLinuxHost } from '../test/support/prepare-host.js';

$.verbose = false;
const RUNS = Number(process.env.BENCH_RUNS ?? 9);
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

const host = await bootLinuxHost();
try {
  const p = await prepareLinuxHost(host, { generation: 'G1' });
  const env = { ...process.env, HOME: p.cliHome, NO_COLOR: '1', SSH_AUTH_SOCK: '' };
  await $({ env })`node ${cli} remote ${p.args} --json --no-update`;
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await $({ env })`node ${cli} check ${p.args}`;
    ms.push(performance.now() - t0);
  }
  const s = sorted(ms);
  const median = s[Math.floor(s.length / 2)]!;
  console.log(`healthy check (${RUNS} runs, fresh node process each, Linux guest, Hermes G1 token mode on the tailnet IP)`);
  console.log('| min ms | median ms | max ms | target |');
  console.log('|---|---|---|---|');
  console.log(`| ${s[0]!.toFixed(0)} | ${median.toFixed(0)} | ${s[s.length - 1]!.toFixed(0)} | ≤ 1000 ms: ${median <= 1000 ? 'met' : 'MISSED'} |`);
  await rm(p.cliHome, { recursive: true, force: true });
} finally {
  await host.teardown();
}
