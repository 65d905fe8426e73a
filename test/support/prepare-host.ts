// Puts Hermes (the simulator) and Tailscale (the emulator) on a test host, and builds the CLI arguments
// that reach it: the user's known_hosts with the host's key, its client key, its address.
import { readFile, writeFile, mkdtemp, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LinuxHost } from '../hosts/linux-host.js';
import type { MacHost } from '../hosts/mac-host.js';
import {
  TAILSCALE_EMULATOR_PATH,
  DEFAULT_TAILSCALE_STATE_PATH,
  presetTailscaleState,
  renderTailscaleState,
  type TailscaleEmuState,
} from '../hosts/emulators/tailscale-state.js';
import { installSimulator, type Generation } from '../simulator/install.js';

export interface PreparedHost {
  kind: 'linux' | 'mac';
  target: string;
  /** CLI flags that reach the host with strict host-key checking. */
  args: string[];
  /** HOME for the CLI (holds .ssh/known_hosts). */
  cliHome: string;
  ssh: (cmd: string, stdin?: string) => Promise<{ code: number; stdout: string; stderr: string }>;
  tailnetIp: string;
  setTailscale(state: TailscaleEmuState): Promise<void>;
}

async function cliHomeWith(knownHostsLine: string): Promise<string> {
  const home = await mkdtemp('/var/tmp/hs-cli-home-');
  await mkdir(join(home, '.ssh'), { mode: 0o700 });
  await writeFile(join(home, '.ssh', 'known_hosts'), `${knownHostsLine}\n`);
  return home;
}

export async function setLinuxTailscale(host: LinuxHost, state: TailscaleEmuState): Promise<void> {
  const r = await host.root(
    `mkdir -p /var/lib/tailscale-emu && cat > ${DEFAULT_TAILSCALE_STATE_PATH} && chmod 644 ${DEFAULT_TAILSCALE_STATE_PATH}`,
    { stdin: renderTailscaleState(state) },
  );
  if (r.code !== 0) throw new Error(`tailscale state: ${r.stderr}`);
}

export async function prepareLinuxHost(
  host: LinuxHost,
  o: { generation: Generation; updateTo?: Generation; tailscale?: TailscaleEmuState | 'absent' },
): Promise<PreparedHost> {
  await installSimulator((cmd, stdin) => host.ssh(cmd, { stdin: stdin?.toString() }), {
    generation: o.generation,
    home: '/home/deploy',
    ...(o.updateTo ? { updateTo: o.updateTo } : {}),
  });
  if (o.tailscale !== 'absent') {
    const emu = await readFile(TAILSCALE_EMULATOR_PATH, 'utf8');
    const r = await host.root('cat > /usr/local/bin/tailscale && chmod 755 /usr/local/bin/tailscale', { stdin: emu });
    if (r.code !== 0) throw new Error(`tailscale emulator: ${r.stderr}`);
    await setLinuxTailscale(
      host,
      o.tailscale ?? presetTailscaleState('Running', { ipv4: host.tailnetIp, hostName: host.name }),
    );
  }
  const cliHome = await cliHomeWith(host.knownHostsLine);
  return {
    kind: 'linux',
    target: `deploy@${host.ip}`,
    args: [`deploy@${host.ip}`, '-i', host.keyPath],
    cliHome,
    tailnetIp: host.tailnetIp,
    ssh: (cmd, stdin) => host.ssh(cmd, stdin === undefined ? {} : { stdin }),
    setTailscale: (s) => setLinuxTailscale(host, s),
  };
}

export async function prepareMacHost(
  mac: MacHost,
  o: { generation: Generation; updateTo?: Generation },
): Promise<PreparedHost> {
  await installSimulator((cmd, stdin) => mac.ssh(cmd, stdin === undefined ? {} : { stdin: stdin.toString() }), {
    generation: o.generation,
    home: mac.home,
    nodePath: mac.nodePath,
    ...(o.updateTo ? { updateTo: o.updateTo } : {}),
  });
  const cliHome = await cliHomeWith(mac.knownHostsLine);
  return {
    kind: 'mac',
    target: `${mac.user}@${mac.ip}`,
    args: [`${mac.user}@${mac.ip}`, '-i', mac.keyPath],
    cliHome,
    tailnetIp: mac.tailnetIp,
    ssh: (cmd, stdin) => mac.ssh(cmd, stdin === undefined ? {} : { stdin }),
    setTailscale: (s) => mac.setTailscale(s),
  };
}
