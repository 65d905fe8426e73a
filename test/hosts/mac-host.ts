// An emulated macOS host: a real OpenSSH login in its own network + mount + UTS namespace whose PATH
// provides uname/sw_vers/launchctl/tailscale emulators and a per-host launchd emulator daemon.
// See test/hosts/emulators/README.md for what is and is not faithful.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startSshd } from './sshd.js';
import {
  EMULATOR_DIR, cleanupHost, createNetns, createTree, createUser, hostNames, killPids, listHostPids, mntNs,
  releaseIdx, reserveIdx, sleep,
} from './emulators/mac-host-sys.js';
import { renderMountScript } from './emulators/mac-tools.js';
import {
  installTailscaleEmulator, presetTailscaleState, withoutUndefined, writeTailscaleState, type TailscaleEmuState,
} from './emulators/tailscale-state.js';

export type { TailscaleEmuState } from './emulators/tailscale-state.js';

export interface SshResult { code: number; stdout: string; stderr: string }

export interface MacHost {
  name: string; idx: number; ip: string; tailnetIp: string; port: 22; user: string; uid: number; home: string;
  keyPath: string; knownHostsLine: string;
  /** Path (on the test machine) of a known_hosts file holding knownHostsLine. */
  knownHostsPath: string;
  /** Per-host directory tree on the test machine (e.g. `<root>/Users/<user>` is the home). */
  root: string;
  /** As the user over real ssh. Multiplexed over one connection unless `fresh` (a whole new TCP/SSH login). */
  ssh(cmd: string, opts?: { stdin?: string; fresh?: boolean }): Promise<SshResult>;
  setGuiSession(present: boolean): Promise<void>;
  loginCycle(): Promise<void>;
  setTailscale(state: TailscaleEmuState): Promise<void>;
  /** Raw launchctl as root inside the host (bypasses SSH; for fixtures). */
  launchctl(args: string[], uid?: number): Promise<SshResult>;
  teardown(): Promise<void>;
}

export interface MacHostOptions {
  idx?: number;
  /** How long a booted-out label keeps blocking bootstrap (launchd drain), default 1500 ms. */
  drainMs?: number;
  /** Initial GUI (Aqua) session, default true. */
  gui?: boolean;
  /** Initial tailscale state, default Running on tailnetIp with the CLI in /usr/local/bin. */
  tailscale?: TailscaleEmuState;
}

const TS_STATE_INSIDE = '/Library/TailscaleEmu/state.json';

/** One request to the host's launchd emulator socket, as if from `uid`. */
function launchdRequest(root: string, argv: string[], uid = 0): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const s = connect(join(root, 'launchd', 'emu.sock'));
    s.on('connect', () => s.end(`${JSON.stringify({ argv, uid, gid: uid, cwd: '/', ssh: false })}\n`));
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', reject);
    s.on('close', () => {
      try { resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as SshResult); } catch (e) { reject(e); }
    });
  });
}

async function startLaunchd(root: string, sshdPid: number, login: boolean): Promise<void> {
  const out = openSync(join(root, 'launchd', 'daemon.out'), 'a');
  const argv = ['-t', String(sshdPid), '-m', '-n', '-u', '--', process.execPath,
    join(EMULATOR_DIR, 'launchd-emu.cjs'), '--state', '/var/db/com.apple.xpc.launchd', ...(login ? ['--login'] : [])];
  const child = spawn('nsenter', argv, { detached: true, stdio: ['ignore', out, out] });
  child.unref();
  closeSync(out);
  for (let i = 0; i < 300; i++) {
    const ok = await launchdRequest(root, ['__emu', 'ping']).then((r) => r.code === 0, () => false);
    if (ok) return;
    if (child.exitCode !== null) break;
    await sleep(10);
  }
  throw new Error(`launchd emulator did not start; see ${join(root, 'launchd', 'daemon.out')}`);
}

interface SshTarget { ip: string; user: string; keyPath: string; knownHostsPath: string; controlPath: string }

// ssh keeps the first value of an option, so ControlPath is given exactly once.
const sshBaseArgs = (h: SshTarget, controlPath = h.controlPath): string[] => ['-i', h.keyPath, '-o', `UserKnownHostsFile=${h.knownHostsPath}`,
  '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'LogLevel=ERROR', '-o', 'ConnectTimeout=10',
  '-o', `ControlPath=${controlPath}`, '-p', '22'];

/** A multiplexing master so each ssh() is a new session on one connection (~20 ms instead of ~200 ms). */
async function startControlMaster(h: SshTarget): Promise<void> {
  await new Promise<void>((resolve) => {
    const p = spawn('ssh', [...sshBaseArgs(h), '-M', '-N', '-f', '-o', 'ControlPersist=120', `${h.user}@${h.ip}`], { stdio: 'ignore' });
    p.on('exit', () => resolve());
    p.on('error', () => resolve());
  });
}

function stopControlMaster(h: SshTarget): Promise<void> {
  return new Promise((resolve) => {
    const p = spawn('ssh', [...sshBaseArgs(h), '-O', 'exit', `${h.user}@${h.ip}`], { stdio: 'ignore' });
    p.on('exit', () => resolve());
    p.on('error', () => resolve());
  });
}

function runSsh(h: SshTarget, cmd: string, stdin?: string, fresh = false): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const p = spawn('ssh', [...sshBaseArgs(h, fresh ? 'none' : h.controlPath), '-o', 'ControlMaster=no', `${h.user}@${h.ip}`, cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? 255, stdout, stderr }));
    p.stdin.end(stdin ?? '');
  });
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
  const { uid, gid } = await createUser(n.name, home);
  const root = await createTree(idx, { name: n.name, uid, gid });
  await writeFile(join(root, 'launchd', 'config.json'), JSON.stringify({
    users: [{ uid, gid, name: n.name, home, shell: '/bin/bash' }], drainMs: opts.drainMs ?? 1500, ownerPid: process.pid,
  }));
  await writeFile(join(root, 'launchd', 'gui-session'), opts.gui === false ? '0\n' : '1\n');
  await createNetns(idx);
  const wrap = ['ip', 'netns', 'exec', n.netns, 'unshare', '-m', '-u', '--propagation', 'private',
    'sh', '-c', renderMountScript(root, n.name), 'sh'];
  const sshd = await startSshd({ user: n.name, home, listen: n.ip, port: 22, wrap });
  await writeFile(join(root, 'sshd-dir'), `${sshd.dir}\n`);
  const sshdPid = Number(readFileSync(join(sshd.dir, 'sshd.pid'), 'utf8').trim());
  const ns = mntNs(sshdPid);
  if (!ns) throw new Error('mac host: sshd vanished');
  await writeFile(join(root, 'mntns'), `${ns}\n`);
  const knownHostsPath = join(root, 'known_hosts');
  await writeFile(knownHostsPath, `${sshd.knownHostsLine}\n`);
  const target: SshTarget = { ip: n.ip, user: n.name, keyPath: sshd.keyPath, knownHostsPath, controlPath: join(root, 'ssh-mux') };

  const setTailscale = async (state: TailscaleEmuState): Promise<void> => {
    const full: TailscaleEmuState = { platform: 'macos', hostName: n.name, ipv4: n.tailnetIp, install: 'path', ...withoutUndefined(state) };
    await writeTailscaleState(join(root, 'Library', 'TailscaleEmu', 'state.json'), full);
    const places = {
      path: join(root, 'usr-local-bin', 'tailscale'),
      homebrew: join(root, 'homebrew', 'bin', 'tailscale'),
      'app-bundle': join(root, 'Applications', 'Tailscale.app', 'Contents', 'MacOS', 'Tailscale'),
    } as const;
    for (const p of Object.values(places)) await rm(p, { force: true });
    if (full.install === 'app-bundle') await rm(join(root, 'Applications', 'Tailscale.app'), { recursive: true, force: true });
    const where = full.install ?? 'path';
    if (where !== 'none') await installTailscaleEmulator(places[where], TS_STATE_INSIDE, 'macos');
  };
  await setTailscale(opts.tailscale ?? presetTailscaleState('Running'));
  await startLaunchd(root, sshdPid, true);
  await startControlMaster(target);

  const host: MacHost = {
    name: n.name, idx, ip: n.ip, tailnetIp: n.tailnetIp, port: 22, user: n.name, uid, home,
    keyPath: sshd.keyPath, knownHostsLine: sshd.knownHostsLine, knownHostsPath, root,
    ssh: (cmd, o) => runSsh(target, cmd, o?.stdin, o?.fresh),
    async setGuiSession(present) {
      const r = await launchdRequest(root, ['__emu', 'set-gui', present ? '1' : '0']);
      if (r.code !== 0) throw new Error(`set-gui failed: ${r.stderr}`);
    },
    async loginCycle() {
      // Like a shutdown: launchd stops (and reaps) its jobs, then every other process of the host dies.
      await launchdRequest(root, ['__emu', 'shutdown']).catch(() => undefined);
      await killPids(listHostPids(ns, uid).filter((p) => p !== sshdPid));
      await startLaunchd(root, sshdPid, true);
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
