// npm run demo [-- --keep] — "try it without a server": boots a throw-away Debian systemd test host with the Hermes
// simulator (a G2 build) and a Tailscale emulator, runs `hermes-setup remote` against it twice (the second run changes
// nothing), then removes the host and every file made for it. --keep leaves the host running and prints how to reach
// it and how to remove it. Needs root (systemd-nspawn).
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { $ } from 'zx';
import {
  bootLinuxHost,
  ensureRootfs,
  hostsAvailable,
  keepLinuxHost,
  type LinuxHost,
} from '../test/hosts/linux-host.js';
import { prepareLinuxHost, type PreparedHost } from '../test/support/prepare-host.js';

const keep = process.argv.slice(2).includes('--keep');
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
const REAL = 'npx hermes-setup remote you@your-box';

if (!hostsAvailable()) {
  console.error(
    'E_DEMO: the demo boots a systemd-nspawn test host and needs root with systemd-container and debootstrap — hint: run it as root on Debian/Ubuntu (apt-get install systemd-container debootstrap)',
  );
  process.exit(2);
}

/** Runs `work`, saying what it does and, every 10 s, that it still does it. */
async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
  const t0 = Date.now();
  console.log(`• ${what}…`);
  const ticker = setInterval(() => console.log(`  … ${Math.round((Date.now() - t0) / 1000)} s`), 10_000);
  try {
    const r = await work();
    console.log(`  done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    return r;
  } finally {
    clearInterval(ticker);
  }
}

async function runs(p: PreparedHost): Promise<void> {
  const env = { ...process.env, HOME: p.cliHome };
  for (const run of ['first run: converges the host', 'second run: changes nothing']) {
    console.log(`\n$ hermes-setup remote ${p.target}    # ${run}`);
    const r = await $({ env, nothrow: true, stdio: ['inherit', 'inherit', 'inherit'] })`node ${cli} remote ${p.args}`;
    if (r.exitCode !== 0) process.exitCode = r.exitCode ?? 1;
  }
}

function keptLines(h: LinuxHost, p: PreparedHost): string[] {
  const k = keepLinuxHost(h);
  return [
    `\nThe demo host ${h.name} is still running (--keep). Reach it:`,
    `  ssh -i ${k.keyPath} deploy@${h.ip}`,
    `  HOME=${p.cliHome} node ${cli} check deploy@${h.ip} -i ${k.keyPath}`,
    'Remove it (the host, its network and these files):',
    `  ${k.teardownCommand} && rm -rf ${p.cliHome}`,
  ];
}

$.verbose = false;
await step(
  'Preparing the test-host image (the first time: debootstrap of Debian 12, about a minute; cached after)',
  () => ensureRootfs(),
);
const host = await step('Booting a Debian 12 systemd host (systemd-nspawn)', () => bootLinuxHost());
console.log(`  ${host.name}: deploy@${host.ip}, tailnet ${host.tailnetIp}`);
let prepared: PreparedHost | undefined;
let closing: string[] = [];
try {
  prepared = await step('Installing the Hermes simulator (a G2 build) and a Tailscale emulator on it', () =>
    prepareLinuxHost(host, { generation: 'G2' }),
  );
  await runs(prepared);
  if (keep) closing = keptLines(host, prepared);
} finally {
  if (!closing.length) {
    await host.teardown();
    if (prepared) rmSync(prepared.cliHome, { recursive: true, force: true });
    closing = [
      `\nThe demo host ${host.name} is gone (removed with its files; nothing is left on this machine).`,
      `On a real box (Linux with systemd, or a Mac) over SSH: ${REAL}`,
    ];
  }
  console.log(closing.join('\n'));
}
