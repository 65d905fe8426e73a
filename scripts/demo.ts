// npm run demo — "try it without a server": boots a throw-away Debian systemd test host with the Hermes
// simulator (a G2 build) and a Tailscale emulator, runs `hermes-setup remote` against it twice (the second run
// is all ok: idempotent), then tears the host down. Needs root (systemd-nspawn).
import { join } from 'node:path';
import { $ } from 'zx';
import { bootLinuxHost, hostsAvailable } from '../test/hosts/linux-host.js';
import { prepareLinuxHost } from '../test/support/prepare-host.js';

if (!hostsAvailable()) {
  console.error('E_DEMO: the demo boots a systemd-nspawn test host and needs root with systemd-container and debootstrap — hint: run it as root on Debian/Ubuntu (apt-get install systemd-container debootstrap)');
  process.exit(2);
}
$.verbose = false;
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');
console.log('Booting a Debian test host (the first time builds a ~300 MB image, about a minute)…');
const host = await bootLinuxHost();
try {
  const p = await prepareLinuxHost(host, { generation: 'G2' });
  const env = { ...process.env, HOME: p.cliHome };
  for (const run of ['First run (converges)', 'Second run (changes nothing)']) {
    console.log(`\n$ hermes-setup remote ${p.target}    # ${run}`);
    const r = await $({ env, nothrow: true, stdio: ['ignore', 'inherit', 'inherit'] })`node ${cli} remote ${p.args}`;
    if (r.exitCode !== 0) process.exitCode = r.exitCode ?? 1;
  }
} finally {
  await host.teardown();
}
