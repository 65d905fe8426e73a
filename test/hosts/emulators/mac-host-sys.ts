// System plumbing for the emulated macOS host: index reservation, user, netns/veth, per-host
// directory tree, processes inside the host's mount namespace, and cleanup.
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { MAC_ETC_PROFILE, renderSwVersScript, renderUnameScript, type MacVersion } from './mac-tools.js';
import { installMacUserland, installNodeLayout, type MacNodeLayout } from './mac-userland.js';

const run = promisify(execFile);
export const EMULATOR_DIR = dirname(fileURLToPath(import.meta.url));
export const BASE = '/var/tmp/hsmac';
/** Mount points the private namespace covers; created empty on the test machine once. */
export const MOUNT_POINTS = ['/Applications', '/Users', '/Library', '/var/db/com.apple.xpc.launchd'];

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const hostRoot = (idx: number) => join(BASE, String(idx));
export const hostNames = (idx: number) => ({
  name: `hsmac${idx}`,
  netns: `hsmac${idx}`,
  vethHost: `hsm${idx}-h`,
  vethNs: `hsm${idx}-n`,
  hostIp: `10.232.${idx}.1`,
  ip: `10.232.${idx}.2`,
  tailnetIp: `100.101.${idx}.2`,
});

export async function sh(cmd: string, args: string[]): Promise<string> {
  return (await run(cmd, args, { maxBuffer: 16 << 20 })).stdout;
}
const quiet = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    () => undefined,
  );

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** Reserves an index atomically (mkdir), reclaiming ones whose owner process died. */
export async function reserveIdx(wanted?: number): Promise<number> {
  await mkdir(BASE, { recursive: true });
  const candidates = wanted !== undefined ? [wanted] : Array.from({ length: 200 }, (_, i) => i + 1);
  for (const idx of candidates) {
    const lock = join(BASE, `${idx}.lock`);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        await mkdir(lock);
        await writeFile(join(lock, 'owner'), `${process.pid}\n`);
        return idx;
      } catch {
        const owner = Number(await readFile(join(lock, 'owner'), 'utf8').catch(() => '0'));
        if (owner === 0 || alive(owner)) break;
        // Stale: take over by renaming the lock (atomic), clean the leftovers, retry once.
        const grave = `${lock}.stale.${process.pid}`;
        const took = await run('mv', ['-T', lock, grave]).then(
          () => true,
          () => false,
        );
        if (!took) break;
        await cleanupHost(idx).catch(() => undefined);
        await rm(grave, { recursive: true, force: true });
      }
    }
  }
  throw new Error(`mac host: no free index (${wanted ?? '1..200'})`);
}

export async function releaseIdx(idx: number): Promise<void> {
  await rm(join(BASE, `${idx}.lock`), { recursive: true, force: true });
}

/** useradd/userdel serialise on /etc/passwd locks; parallel workers retry. */
async function retryLocked(cmd: string, args: string[]): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      await run(cmd, args);
      return;
    } catch (e) {
      const msg = String((e as { stderr?: string }).stderr ?? e);
      if (i > 60 || !/lock|try again/i.test(msg)) throw e;
      await sleep(50 + Math.random() * 100);
    }
  }
}

export async function createUser(name: string, home: string): Promise<{ uid: number; gid: number }> {
  const exists = await run('id', ['-u', name]).then(
    () => true,
    () => false,
  );
  if (!exists) await retryLocked('useradd', ['-M', '-U', '-d', home, '-s', '/bin/bash', name]);
  await retryLocked('usermod', ['-p', '*', name]);
  const uid = Number((await sh('id', ['-u', name])).trim());
  const gid = Number((await sh('id', ['-g', name])).trim());
  return { uid, gid };
}

export async function deleteUser(name: string): Promise<void> {
  if (
    await run('id', ['-u', name]).then(
      () => true,
      () => false,
    )
  )
    await retryLocked('userdel', [name]);
}

/** The node the emulator's own node scripts run with inside the host (the test machine's, reachable even when hidden). */
export function emulatorNode(root: string): string {
  return process.execPath.startsWith('/usr/bin/')
    ? join(root, 'gnu-bin', process.execPath.slice('/usr/bin/'.length))
    : process.execPath;
}

/** Per-host tree under /var/tmp/hsmac/<idx>, mounted over the mac paths inside the namespace. */
export async function createTree(
  idx: number,
  user: { name: string; uid: number; gid: number },
  o: { version: MacVersion; node: MacNodeLayout },
): Promise<string> {
  const root = hostRoot(idx);
  await rm(root, { recursive: true, force: true });
  for (const m of MOUNT_POINTS) await mkdir(m, { recursive: true });
  const dirs = [
    'gnu-bin',
    'usr-local-bin',
    'usr-bin',
    'usr-sbin',
    'opt/homebrew',
    'homebrew/bin',
    'Applications',
    'Users',
    'Library/LaunchDaemons',
    'Library/LaunchAgents',
    'Library/Logs',
    'Library/Preferences',
    'Library/TailscaleEmu',
    'launchd',
  ];
  for (const d of dirs) await mkdir(join(root, d), { recursive: true, mode: 0o755 });
  await chmod(root, 0o755);
  const home = join(root, 'Users', user.name);
  for (const d of ['', 'Library', 'Library/Logs', 'Library/Preferences', 'Library/Application Support']) {
    await mkdir(join(home, d), { recursive: true, mode: 0o755 });
    await chown(join(home, d), user.uid, user.gid);
  }
  const exe = async (p: string, text: string) => {
    await writeFile(p, text, { mode: 0o755 });
    await chmod(p, 0o755);
  };
  // In /usr/bin too, where a Mac has it: a launchd job's PATH (/usr/bin:/bin:/usr/sbin:/sbin) lacks /usr/local/bin.
  for (const dest of ['usr-local-bin', 'usr-bin'])
    await exe(join(root, dest, 'uname'), renderUnameScript(o.version, join(root, 'gnu-bin', 'uname')));
  await exe(join(root, 'usr-bin', 'sw_vers'), renderSwVersScript(o.version));
  await writeFile(join(root, 'etc-profile'), MAC_ETC_PROFILE, { mode: 0o644 });
  // The client runs with the test machine's node by absolute path, so it works whatever node the "Mac" has.
  const client = (await readFile(join(EMULATOR_DIR, 'launchctl.cjs'), 'utf8')).replace(
    '#!/usr/bin/env node',
    `#!${emulatorNode(root)}`,
  );
  for (const dest of ['usr-local-bin', 'usr-bin']) await exe(join(root, dest, 'launchctl'), client);
  await symlink('/usr/bin/lsof', join(root, 'usr-sbin', 'lsof'));
  await installMacUserland(root, EMULATOR_DIR, { hideNode: o.node !== 'system' });
  await installNodeLayout(o.node, { root, homeOnHost: home, home: `/Users/${user.name}`, user });
  return root;
}

export async function createNetns(idx: number): Promise<void> {
  const n = hostNames(idx);
  await quiet(run('ip', ['link', 'del', n.vethHost]));
  await quiet(run('ip', ['netns', 'del', n.netns]));
  const ns = (...a: string[]) => sh('ip', ['netns', 'exec', n.netns, 'ip', ...a]);
  await sh('ip', ['netns', 'add', n.netns]);
  await sh('ip', ['link', 'add', n.vethHost, 'type', 'veth', 'peer', 'name', n.vethNs]);
  await sh('ip', ['link', 'set', n.vethNs, 'netns', n.netns]);
  await sh('ip', ['addr', 'add', `${n.hostIp}/24`, 'dev', n.vethHost]);
  await sh('ip', ['link', 'set', n.vethHost, 'up']);
  await ns('link', 'set', n.vethNs, 'name', 'en0');
  await ns('addr', 'add', `${n.ip}/24`, 'dev', 'en0');
  await ns('addr', 'add', `${n.tailnetIp}/32`, 'dev', 'en0');
  await ns('link', 'set', 'en0', 'up');
  await ns('link', 'set', 'lo', 'up');
  await sh('ip', ['route', 'replace', `${n.tailnetIp}/32`, 'via', n.ip, 'dev', n.vethHost]);
}

export async function deleteNetns(idx: number): Promise<void> {
  const n = hostNames(idx);
  await quiet(run('ip', ['link', 'del', n.vethHost]));
  await quiet(run('ip', ['netns', 'del', n.netns]));
}

/** The mount-namespace id (`mnt:[…]`) of a process, or null. */
export function mntNs(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return null;
  }
}

/** Live pids inside mount namespace `ns`, or owned by `uid`. */
export function listHostPids(ns: string | null, uid: number | null): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid === process.pid || !alive(pid)) continue;
    let owned = false;
    if (ns && mntNs(pid) === ns) owned = true;
    if (!owned && uid !== null) {
      try {
        owned = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] === String(uid);
      } catch {
        /* gone */
      }
    }
    if (owned) out.push(pid);
  }
  return out;
}

/** SIGKILLs the pids and waits until they are gone (zombies count as gone). */
export async function killPids(pids: number[]): Promise<void> {
  for (const p of pids) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (let i = 0; i < 200 && pids.some(alive); i++) await sleep(10);
}

/** Everything a host leaves behind, found from its index alone (also used for stale reservations). */
export async function cleanupHost(idx: number): Promise<void> {
  const root = hostRoot(idx);
  const n = hostNames(idx);
  const ns = existsSync(join(root, 'mntns')) ? readFileSync(join(root, 'mntns'), 'utf8').trim() : null;
  const uid = await sh('id', ['-u', n.name]).then(
    (s) => Number(s.trim()),
    () => null,
  );
  const netnsPids = await sh('ip', ['netns', 'pids', n.netns]).then(
    (s) => s.split(/\s+/).filter(Boolean).map(Number),
    () => [],
  );
  await killPids([...listHostPids(ns, uid), ...netnsPids]);
  await deleteNetns(idx);
  await deleteUser(n.name).catch(() => undefined);
  const sshdDir = existsSync(join(root, 'sshd-dir')) ? readFileSync(join(root, 'sshd-dir'), 'utf8').trim() : '';
  if (sshdDir.startsWith('/var/tmp/hs-sshd-')) await rm(sshdDir, { recursive: true, force: true });
  await rm(root, { recursive: true, force: true });
}
