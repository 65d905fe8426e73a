// An emulated macOS host: a real OpenSSH login in its own network + mount + UTS namespace whose PATH
// provides macOS userland (BSD wrappers, uname/sw_vers/sysctl/launchctl/tailscale emulators) and a per-host
// launchd emulator daemon. See test/hosts/emulators/README.md for what is and is not faithful.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startSshd } from './sshd.js';
import {
  EMULATOR_DIR,
  cleanupHost,
  createNetns,
  createTree,
  createUser,
  emulatorNode,
  hostNames,
  killPids,
  listHostPids,
  mntNs,
  releaseIdx,
  reserveIdx,
  sh,
  sleep,
} from './emulators/mac-host-sys.js';
import { MACOS_VERSIONS, renderHostEnv, renderMountScript } from './emulators/mac-tools.js';
import { hostNodePath, type MacNodeLayout } from './emulators/mac-userland.js';
import { runSsh, startControlMaster, stopControlMaster, type SshResult, type SshTarget } from './emulators/mac-ssh.js';
import {
  installTailscaleEmulator,
  presetTailscaleState,
  withoutUndefined,
  writeTailscaleState,
  type TailscaleEmuState,
} from './emulators/tailscale-state.js';

export type { TailscaleEmuState } from './emulators/tailscale-state.js';
export type { SshResult } from './emulators/mac-ssh.js';
export type { MacNodeLayout } from './emulators/mac-userland.js';

export interface MacHost {
  name: string;
  idx: number;
  ip: string;
  tailnetIp: string;
  port: 22;
  user: string;
  uid: number;
  home: string;
  keyPath: string;
  knownHostsLine: string;
  /** Path (on the test machine) of a known_hosts file holding knownHostsLine. */
  knownHostsPath: string;
  /** Per-host directory tree on the test machine (e.g. `<root>/Users/<user>` is the home). */
  root: string;
  /** Inside the host: a node binary for fixtures (e.g. the simulator's `nodePath`), wherever the layout put it. */
  nodePath: string;
  /** As the user over real ssh. Multiplexed over one connection unless `fresh` (a whole new TCP/SSH login). */
  ssh(cmd: string, opts?: { stdin?: string; fresh?: boolean }): Promise<SshResult>;
  setGuiSession(present: boolean): Promise<void>;
  loginCycle(): Promise<void>;
  /**
   * Power cut and boot: every process dies, a new boot time. Without FileVault launchd starts at once and loads
   * LaunchDaemons (and LaunchAgents into gui/ only with `autoLogin`). With FileVault nothing runs and the host
   * does not answer on the network until `unlockDisk()`.
   */
  powerCycle(opts?: { autoLogin?: boolean }): Promise<void>;
  /** The FileVault unlock at the pre-boot screen: the network comes up, launchd boots, the unlocking user is logged in (GUI). */
  unlockDisk(): Promise<void>;
  setTailscale(state: TailscaleEmuState): Promise<void>;
  /** Raw launchctl as root inside the host (bypasses SSH; for fixtures). */
  launchctl(args: string[], uid?: number): Promise<SshResult>;
  teardown(): Promise<void>;
}

export interface MacHostOptions {
  idx?: number;
  /** How long a booted-out label keeps blocking bootstrap (launchd drain), default 1500 ms. */
  drainMs?: number;
  /** How long `launchctl bootout` waits for the job to exit before answering 36 (EINPROGRESS), default 1000 ms. */
  bootoutWaitMs?: number;
  /** Probability (0..1) that a bootout answers 36 even when the job exited in time. Default 0. */
  bootoutEinprogressChance?: number;
  /** Initial GUI (Aqua) session, default true. */
  gui?: boolean;
  /** Initial tailscale state, default Running on tailnetIp with the CLI in /usr/local/bin. */
  tailscale?: TailscaleEmuState;
  /** 15 (default) or 26: sw_vers/uname/sysctl report it; 26 also defaults guiBootstrapFails to 5. */
  macosVersion?: 15 | 26;
  /** `bootstrap gui/<uid>` fails with this code (and `kickstart gui/…` with 125) even with a GUI session. */
  guiBootstrapFails?: 5 | 125 | false;
  /** A plist without LimitLoadToSessionType fails `bootstrap user/<uid>` with 5. Default true. */
  strictSessionType?: boolean;
  /** FileVault on: `fdesetup status` says so and a power cycle stops at the unlock screen. Default false. */
  fileVault?: boolean;
  /** Where node/npm are (issue 13 item 6). Default `system` (/usr/bin/node, the test machine's). */
  node?: MacNodeLayout;
}

const TS_STATE_INSIDE = '/Library/TailscaleEmu/state.json';
/** A Mac login shell's PATH (path_helper); the SSH session gets it so /usr/sbin tools (sysctl, lsof) are found. */
const SSH_PATH = '/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin';

/** One request to the host's launchd emulator socket, as if from `uid`. */
function launchdRequest(root: string, argv: string[], uid = 0): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(join(root, 'launchd', 'emu.sock'));
    s.on('connect', () => s.end(`${JSON.stringify({ argv, uid, gid: uid, cwd: '/', ssh: false })}\n`));
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SshResult);
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}

async function startLaunchd(root: string, sshdPid: number, mode: '--login' | '--boot'): Promise<void> {
  const out = openSync(join(root, 'launchd', 'daemon.out'), 'a');
  const argv = [
    '-t',
    String(sshdPid),
    '-m',
    '-n',
    '-u',
    '--',
    emulatorNode(root),
    join(EMULATOR_DIR, 'launchd-emu.cjs'),
    '--state',
    '/var/db/com.apple.xpc.launchd',
    mode,
  ];
  const child = spawn('nsenter', argv, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  closeSync(out);
  for (let i = 0; i < 300; i++) {
    const ok = await launchdRequest(root, ['__emu', 'ping']).then(
      (r) => r.code === 0,
      () => false,
    );
    if (ok) return;
    if (child.exitCode !== null) break;
    await sleep(10);
  }
  throw new Error(`launchd emulator did not start; see ${join(root, 'launchd', 'daemon.out')}`);
}

export async function startMacHost(opts: MacHostOptions = {}): Promise<MacHost> {
  const idx = await reserveIdx(opts.idx);
  try {
    return await buildMacHost(idx, opts);
  } catch (e) {
    await cleanupHost(idx).catch(() => undefined);
    await releaseIdx(idx);
    throw e;
  }
}

async function buildMacHost(idx: number, opts: MacHostOptions): Promise<MacHost> {
  const n = hostNames(idx);
  const home = `/Users/${n.name}`;
  const version = MACOS_VERSIONS[opts.macosVersion ?? 15];
  const node = opts.node ?? 'system';
  const { uid, gid } = await createUser(n.name, home);
  const root = await createTree(idx, { name: n.name, uid, gid }, { version, node });
  const guiBootstrapFails = opts.guiBootstrapFails ?? (opts.macosVersion === 26 ? 5 : false);
  await writeFile(
    join(root, 'launchd', 'config.json'),
    JSON.stringify({
      users: [{ uid, gid, name: n.name, home, shell: '/bin/bash' }],
      drainMs: opts.drainMs ?? 1500,
      ownerPid: process.pid,
      bootoutWaitMs: opts.bootoutWaitMs ?? 1000,
      bootoutEinprogressChance: opts.bootoutEinprogressChance ?? 0,
      strictSessionType: opts.strictSessionType !== false,
      guiBootstrapFails,
    }),
  );
  const writeHostEnv = () =>
    writeFile(
      join(root, 'launchd', 'host.env'),
      renderHostEnv({ version, bootMs: Date.now(), fileVault: opts.fileVault === true }),
      { mode: 0o644 },
    );
  await writeHostEnv();
  const setGuiFile = (on: boolean) => writeFile(join(root, 'launchd', 'gui-session'), on ? '1\n' : '0\n');
  await setGuiFile(opts.gui !== false);
  await createNetns(idx);
  const wrap = [
    'ip',
    'netns',
    'exec',
    n.netns,
    'unshare',
    '-m',
    '-u',
    '--propagation',
    'private',
    'sh',
    '-c',
    renderMountScript(root, n.name),
    'sh',
  ];
  const sshd = await startSshd({
    user: n.name,
    home,
    listen: n.ip,
    port: 22,
    wrap,
    extraConfig: [`SetEnv PATH=${SSH_PATH}`],
  });
  await writeFile(join(root, 'sshd-dir'), `${sshd.dir}\n`);
  const sshdPid = Number(readFileSync(join(sshd.dir, 'sshd.pid'), 'utf8').trim());
  const ns = mntNs(sshdPid);
  if (!ns) throw new Error('mac host: sshd vanished');
  await writeFile(join(root, 'mntns'), `${ns}\n`);
  const knownHostsPath = join(root, 'known_hosts');
  await writeFile(knownHostsPath, `${sshd.knownHostsLine}\n`);
  const target: SshTarget = {
    ip: n.ip,
    user: n.name,
    keyPath: sshd.keyPath,
    knownHostsPath,
    controlPath: join(root, 'ssh-mux'),
  };

  const setTailscale = async (state: TailscaleEmuState): Promise<void> => {
    const full: TailscaleEmuState = {
      platform: 'macos',
      hostName: n.name,
      ipv4: n.tailnetIp,
      install: 'path',
      ...withoutUndefined(state),
    };
    await writeTailscaleState(join(root, 'Library', 'TailscaleEmu', 'state.json'), full);
    const places = {
      path: join(root, 'usr-local-bin', 'tailscale'),
      homebrew: join(root, 'homebrew', 'bin', 'tailscale'),
      'app-bundle': join(root, 'Applications', 'Tailscale.app', 'Contents', 'MacOS', 'Tailscale'),
    } as const;
    for (const p of Object.values(places)) await rm(p, { force: true });
    if (full.install === 'app-bundle')
      await rm(join(root, 'Applications', 'Tailscale.app'), { recursive: true, force: true });
    const where = full.install ?? 'path';
    if (where !== 'none') await installTailscaleEmulator(places[where], TS_STATE_INSIDE, 'macos');
  };
  await setTailscale(opts.tailscale ?? presetTailscaleState('Running'));
  await startLaunchd(root, sshdPid, '--login');
  await startControlMaster(target);

  /** Like a shutdown: launchd stops (and reaps) its jobs, then every other process of the host dies. */
  const stopAll = async (): Promise<void> => {
    await launchdRequest(root, ['__emu', 'shutdown']).catch(() => undefined);
    await killPids(listHostPids(ns, uid).filter((p) => p !== sshdPid));
  };
  // The Mac's own interface down: like a powered-off machine on the LAN, connects time out (no ARP answer).
  const link = (state: 'up' | 'down') => sh('ip', ['netns', 'exec', n.netns, 'ip', 'link', 'set', 'en0', state]);
  let locked = false;

  const host: MacHost = {
    name: n.name,
    idx,
    ip: n.ip,
    tailnetIp: n.tailnetIp,
    port: 22,
    user: n.name,
    uid,
    home,
    keyPath: sshd.keyPath,
    knownHostsLine: sshd.knownHostsLine,
    knownHostsPath,
    root,
    nodePath: hostNodePath(node, home, root),
    ssh: (cmd, o) => runSsh(target, cmd, o?.stdin, o?.fresh),
    async setGuiSession(present) {
      const r = await launchdRequest(root, ['__emu', 'set-gui', present ? '1' : '0']);
      if (r.code !== 0) throw new Error(`set-gui failed: ${r.stderr}`);
    },
    async loginCycle() {
      await stopAll();
      await startLaunchd(root, sshdPid, '--login');
      await startControlMaster(target);
    },
    async powerCycle(o = {}) {
      await stopControlMaster(target);
      await stopAll();
      await writeHostEnv();
      if (opts.fileVault) {
        // FileVault: the Mac waits at the pre-boot unlock screen; no launchd, no sshd answering, no auto-login.
        await setGuiFile(false);
        await link('down');
        locked = true;
        return;
      }
      await setGuiFile(o.autoLogin === true);
      await startLaunchd(root, sshdPid, '--boot');
      await startControlMaster(target);
    },
    async unlockDisk() {
      if (!locked) throw new Error('unlockDisk: the disk is not locked (fileVault off, or no powerCycle)');
      locked = false;
      await link('up');
      await setGuiFile(true);
      await startLaunchd(root, sshdPid, '--boot');
      await startControlMaster(target);
    },
    setTailscale,
    launchctl: (args, asUid = 0) => launchdRequest(root, args, asUid),
    async teardown() {
      await stopControlMaster(target);
      await cleanupHost(idx);
      await releaseIdx(idx);
    },
  };
  return host;
}
