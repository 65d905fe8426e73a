// bench/probe-ssh: the WebSocket probe and the basic-auth ticket login through an ssh2 forwardOut channel (a real
// loopback OpenSSH sshd, the simulator on G2), in process, after one warm-up; plus the CPU cost of importing the
// probe modules in a fresh node process (what every CLI run that probes pays). Run: BENCH=probe-ssh npm run bench.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { $ } from 'zx';
import { SshRemote } from '../src/transport/ssh-remote.js';
import { startSshd } from '../test/hosts/sshd.js';
import { createSim, removeSim, startHermes } from '../test/simulator/helpers/harness.js';
import { BASIC_PASSWORD, BASIC_USER, basicAuthEnv } from '../test/simulator/helpers/gated.js';
import { fetchWsTicket } from '../src/probe/password-login.js';
import { probeWebSocket } from '../src/probe/ws-probe.js';

$.verbose = false;
const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const PIN = 'bench-probe-ssh-token';
/** The login answers 429 after 10 attempts per client IP in 60 s (hermes-behaviour.md §18.1): warm-up + 8 stay under. */
const LOGIN_RUNS = Math.min(RUNS, 8);
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const row = (name: string, xs: number[]): string => {
  const s = sorted(xs);
  const median = ((s[Math.floor((s.length - 1) / 2)] ?? 0) + (s[Math.ceil((s.length - 1) / 2)] ?? 0)) / 2;
  return `| ${name} | ${s[0]!.toFixed(1)} | ${median.toFixed(1)} | ${s[s.length - 1]!.toFixed(1)} |`;
};

/** Each run starts on an idle SSH connection (the previous run's close handshake done), as a CLI probe does. */
async function timed(fn: () => Promise<{ ok: boolean }>, runs = RUNS): Promise<number[]> {
  if (!(await fn()).ok) throw new Error('warm-up run failed');
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const t0 = performance.now();
    const r = await fn();
    ms.push(performance.now() - t0);
    if (!r.ok) throw new Error(`run ${i} failed: ${JSON.stringify(r)}`);
  }
  return ms;
}

const sshd = await startSshd({ user: 'hs-bench' });
const home = mkdtempSync('/var/tmp/hs-bench-home-');
const sim = await createSim({ generation: 'G2' });
const loop = await startHermes(sim, ['dashboard', '--port', '0', '--isolated'], {
  HERMES_DASHBOARD_SESSION_TOKEN: PIN,
});
const gated = await startHermes(sim, ['dashboard', '--port', '0', '--isolated', '--host', '0.0.0.0'], {
  HERMES_DASHBOARD_SESSION_TOKEN: PIN,
  ...basicAuthEnv(),
});
let remote: SshRemote | undefined;
try {
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(join(home, '.ssh/known_hosts'), `${sshd.knownHostsLine}\n`);
  remote = await SshRemote.connect({
    host: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    auth: { home, explicit: [sshd.keyPath], fromConfig: [] },
    hostKeys: { knownHostsPath: join(home, '.ssh/known_hosts'), acceptNew: false },
  });
  const r = remote;
  const dial = (h: string, p: number): ReturnType<SshRemote['dial']> => r.dial(h, p);
  const token = await timed(() => probeWebSocket({ dial, host: '127.0.0.1', port: loop.port, token: PIN }));
  const ticket = await timed(async () => {
    const t = await fetchWsTicket({
      dial,
      host: '127.0.0.1',
      port: gated.port,
      username: BASIC_USER,
      password: BASIC_PASSWORD,
    });
    return t.ok ? probeWebSocket({ dial, host: '127.0.0.1', port: gated.port, ticket: t.ticket }) : t;
  }, LOGIN_RUNS);
  const imports: number[] = [];
  // CPU time, not wall time (steadier on a shared machine), after node-ssh is loaded as it is in the CLI.
  const load =
    "await import('node-ssh');const c=process.cpuUsage();await import('./dist/probe/ws-probe.js');" +
    "await import('./dist/probe/password-login.js');const u=process.cpuUsage(c);console.log((u.user+u.system)/1000)";
  for (let i = 0; i < RUNS; i++) imports.push(Number((await $`node --input-type=module -e ${load}`).stdout.trim()));
  console.log(
    `probe through ssh2 forwardOut (loopback sshd, simulator G2; ${RUNS} runs after one warm-up, ${LOGIN_RUNS} for the login)`,
  );
  console.log('| what | min ms | median ms | max ms |');
  console.log('|---|---|---|---|');
  console.log(row('token probe: dial + upgrade + gateway.ready', token));
  console.log(row('password: login + ws-ticket + probe (3 channels)', ticket));
  console.log(row('import of the probe modules after node-ssh, CPU ms (fresh node)', imports));
} finally {
  await remote?.close();
  await loop.stop();
  await gated.stop();
  removeSim(sim);
  await sshd.stop();
  rmSync(home, { recursive: true, force: true });
}
