// What the test suite needs on this machine (Debian packages, root) and the one action that gets it: run, install
// the missing packages (root with apt), or stop with one line naming what is missing and the command that fixes it.
// Pure; scripts/test-prereqs.ts does the I/O. The list is the single source (docs/testing.md explains each package).
import { layerCommand, type TestLayer } from './test-layer.js';

/**
 * The unit layer (no root): python3 `plistlib` and real python-dotenv as oracles, `systemd-analyze verify`
 * (systemd), `ssh-keygen` (openssh-client), `openssl` (relay certificate pins).
 */
export const UNIT_PACKAGES = ['python3', 'python3-dotenv', 'systemd', 'openssh-client', 'openssl'] as const;

/**
 * Every layer: the unit layer's packages, plus a real sshd on loopback and for the emulated Mac (openssh-server),
 * nspawn guests and their debootstrap image (systemd-container, debootstrap, debian-archive-keyring so Ubuntu can
 * verify a Debian suite), `ip`/netns (iproute2), `nsenter`/`unshare`/`flock` (util-linux), `ps`/`pgrep` (procps),
 * `lsof` and `sudo` for the emulated Mac, HTTPS for apt/debootstrap (ca-certificates), and Ansible for the exported
 * role (ansible-core, ansible-lint), the real `crontab` the cron tests edit for a user they create (cron), and the shells whose completion scripts
 * `completion` generates (zsh, fish; bash is always there).
 */
export const SUITE_PACKAGES = [
  ...UNIT_PACKAGES,
  'openssh-server',
  'systemd-container',
  'debootstrap',
  'debian-archive-keyring',
  'iproute2',
  'util-linux',
  'procps',
  'lsof',
  'sudo',
  'ca-certificates',
  'ansible-core',
  'ansible-lint',
  'cron',
  'zsh',
  'fish',
] as const;

export function packagesFor(layer: TestLayer): readonly string[] {
  return layer === 'unit' ? UNIT_PACKAGES : SUITE_PACKAGES;
}

/** Names of the packages dpkg reports as installed ("Status: install ok installed") in /var/lib/dpkg/status text. */
export function parseDpkgStatus(text: string): Set<string> {
  const installed = new Set<string>();
  for (const stanza of text.split(/\n\s*\n/)) {
    const name = /^Package:\s*(\S+)/m.exec(stanza)?.[1];
    const status = /^Status:\s*(.+?)\s*$/m.exec(stanza)?.[1];
    if (name && status === 'install ok installed') installed.add(name);
  }
  return installed;
}

export interface Machine {
  platform: NodeJS.Platform;
  uid: number;
  /** Installed Debian packages; null when this machine has no dpkg/apt-get (not Debian or Ubuntu). */
  installed: Set<string> | null;
}

export type PrereqPlan =
  { action: 'run' } | { action: 'install'; packages: string[] } | { action: 'stop'; message: string };

export function renderAptInstall(packages: readonly string[]): string {
  return `apt-get install --no-install-recommends ${packages.join(' ')}`;
}

const ROOT_WHY = 'needs root (it boots systemd-nspawn test hosts, creates users and network namespaces)';

export function planPrereqs(layer: TestLayer, m: Machine): PrereqPlan {
  const cmd = layerCommand(layer);
  const wanted = packagesFor(layer);
  if (m.platform !== 'linux' || m.installed === null) {
    return {
      action: 'stop',
      message: `${cmd}: needs Debian or Ubuntu (apt-get and dpkg; this machine has none) for the packages ${wanted.join(' ')} — run it there: ${layer === 'unit' ? cmd : `sudo ${cmd}`}`,
    };
  }
  const installed = m.installed;
  const missing = wanted.filter((p) => !installed.has(p));
  const root = m.uid === 0;
  if (layer === 'all' && !root) {
    const also = missing.length > 0 ? ` and the Debian packages ${missing.join(' ')}` : '';
    return {
      action: 'stop',
      message: `${cmd}: ${ROOT_WHY}${also} — run: sudo ${cmd}${missing.length > 0 ? ' (it installs them)' : ''}, or npm run test:unit for the unit layer without root`,
    };
  }
  if (missing.length === 0) return { action: 'run' };
  if (root) return { action: 'install', packages: missing };
  return {
    action: 'stop',
    message: `${cmd}: missing the Debian packages ${missing.join(' ')} — install them: sudo ${renderAptInstall(missing)}`,
  };
}

/** After an install: the packages apt-get was asked for and dpkg still does not list. */
export function stillMissing(packages: readonly string[], installed: Set<string>): string[] {
  return packages.filter((p) => !installed.has(p));
}
