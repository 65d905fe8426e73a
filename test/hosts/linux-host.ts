// Real Debian/systemd test hosts: systemd-nspawn guests reachable over SSH (see ./README.md).
// Low-level work is done by ./scripts/*.sh; this module reserves indexes, waits, and wraps SSH/nsenter.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface LinuxHost {
  name: string;
  idx: number;
  ip: string;
  tailnetIp: string;
  port: 22;
  user: 'deploy';
  keyPath: string;
  knownHostsLine: string;
  /** `ssh-ed25519 AAAA…` of the guest, for building known_hosts lines for other addresses (tailnetIp). */
  hostKey: string;
  ssh(cmd: string, opts?: { stdin?: string; timeoutMs?: number }): Promise<ExecResult>;
  root(cmd: string, opts?: { stdin?: string }): Promise<ExecResult>;
  bootId(): Promise<string>;
  reboot(): Promise<void>;
  powerCycle(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  teardown(): Promise<void>;
}

const SCRIPTS = fileURLToPath(new URL('./scripts/', import.meta.url));
const RUN_BASE = process.env.RUN_BASE ?? '/run/hermes-setup-test-hosts';
const BOOT_TIMEOUT_MS = 60_000;
const SSH_OPTS = [
  '-o',
  'BatchMode=yes',
  '-o',
  'IdentitiesOnly=yes',
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
  '-o',
  'ConnectTimeout=5',
];

/** Hosts booted by this process and not torn down yet (see startDetachedCleanup). */
const liveHosts = new Map<string, number>();
let clientKey: string | undefined;
let rootfsPromise: Promise<string> | undefined;

function hasCommand(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

export function hostsAvailable(): boolean {
  return (
    process.platform === 'linux' &&
    process.getuid?.() === 0 &&
    ['systemd-nspawn', 'debootstrap', 'nsenter', 'ssh', 'ssh-keygen', 'ip', 'flock'].every(hasCommand)
  );
}

function assertHostsAvailable(): void {
  if (!hostsAvailable()) {
    throw new Error(
      'Linux test hosts need root plus systemd-nspawn (systemd-container), debootstrap, nsenter, ssh, ip ' +
        'and flock on this machine; see test/hosts/README.md',
    );
  }
}

async function runScript(
  script: string,
  args: string[],
  opts: { input?: string; env?: Record<string, string> } = {},
): Promise<ExecResult> {
  const r = await execa(join(SCRIPTS, script), args, {
    reject: false,
    input: opts.input,
    env: opts.env,
    stdin: opts.input === undefined ? 'ignore' : 'pipe',
    stripFinalNewline: false,
  });
  return { code: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
}

async function runScriptOrThrow(
  script: string,
  args: string[],
  opts: { env?: Record<string, string> } = {},
): Promise<string> {
  const r = await runScript(script, args, opts);
  if (r.code !== 0) throw new Error(`${script} ${args.join(' ')} failed (rc ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/** Builds the golden rootfs once (flock-serialised across processes); progress goes to stderr. */
export async function ensureRootfs(): Promise<string> {
  assertHostsAvailable();
  rootfsPromise ??= execa(join(SCRIPTS, 'build-rootfs.sh'), [], { stdin: 'ignore', stderr: 'inherit' }).then((r) =>
    r.stdout.trim(),
  );
  try {
    return await rootfsPromise;
  } catch (err) {
    rootfsPromise = undefined;
    throw err;
  }
}

const KEY_DIR_PREFIX = 'hermes-test-hosts-key-';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** One client key pair per test process; key dirs of dead test processes are removed. */
function ensureClientKey(): string {
  if (clientKey) return clientKey;
  for (const d of readdirSync(tmpdir())) {
    const pid = d.startsWith(KEY_DIR_PREFIX) ? Number.parseInt(d.slice(KEY_DIR_PREFIX.length), 10) : 0;
    if (pid && !isAlive(pid)) rmSync(join(tmpdir(), d), { recursive: true, force: true });
  }
  const dir = mkdtempSync(join(tmpdir(), `${KEY_DIR_PREFIX}${process.pid}-`));
  const key = join(dir, 'id_ed25519');
  const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'hermes-setup-tests', '-f', key]);
  if (r.status !== 0) throw new Error(`ssh-keygen failed: ${r.stderr.toString()}`);
  clientKey = key;
  return key;
}

/** Atomically reserves an index (reaping reservations of dead test processes): [idx, name]. */
async function reserveIdx(wanted: number | undefined, name: string | undefined): Promise<[number, string]> {
  const r = await runScript('reserve-idx.sh', [
    String(process.pid),
    name ?? '-',
    ...(wanted === undefined ? [] : [String(wanted)]),
  ]);
  process.stderr.write(r.stderr); // "reaping stale test host …" notes
  if (r.code !== 0) throw new Error(`cannot reserve a test-host index: ${r.stderr.trim()}`);
  const out = r.stdout;
  const [idx, reserved] = out.trim().split(' ');
  if (!idx || !reserved) throw new Error(`reserve-idx.sh printed '${out}'`);
  return [Number(idx), reserved];
}

const sleep = (ms: number): Promise<void> => new Promise((res) => setTimeout(res, ms));

/** True when something on ip:22 sends an SSH banner (no login, so no logind session is created). */
function readSshBanner(ip: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: ip, port: 22, timeout: 1000 });
    const done = (ok: boolean): void => {
      sock.destroy();
      resolve(ok);
    };
    sock.once('data', (d) => done(d.toString().startsWith('SSH-2.0-')));
    sock.once('timeout', () => done(false));
    sock.once('error', () => done(false));
  });
}

async function pollUntil(what: string, deadline: number, check: () => Promise<boolean>): Promise<void> {
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function listLeftovers(name: string, idx: number): Promise<string[]> {
  const out = await runScriptOrThrow('leftovers.sh', [name, String(idx)]);
  return out.split('\n').filter((l) => l.trim() !== '');
}

export async function bootLinuxHost(opts: { name?: string; idx?: number } = {}): Promise<LinuxHost> {
  await ensureRootfs();
  const keyPath = ensureClientKey();
  if (opts.name !== undefined && existsSync(join(RUN_BASE, opts.name))) {
    throw new Error(`test host ${opts.name} already exists (${RUN_BASE}/${opts.name}); tear it down first`);
  }
  const [idx, name] = await reserveIdx(opts.idx, opts.name);
  const ip = `10.231.${idx}.2`;
  liveHosts.set(name, idx);

  const root = async (cmd: string, o: { stdin?: string } = {}): Promise<ExecResult> =>
    runScript('guest-root.sh', [name, '/bin/sh', '-c', cmd], { input: o.stdin });

  const ssh = async (cmd: string, o: { stdin?: string; timeoutMs?: number } = {}): Promise<ExecResult> => {
    const r = await execa('ssh', ['-i', keyPath, ...SSH_OPTS, `deploy@${ip}`, cmd], {
      reject: false,
      input: o.stdin,
      stdin: o.stdin === undefined ? 'ignore' : 'pipe',
      timeout: o.timeoutMs,
      stripFinalNewline: false,
    });
    const stderr = r.timedOut ? `${r.stderr}\n[ssh timed out after ${o.timeoutMs} ms]` : r.stderr;
    return { code: r.exitCode ?? -1, stdout: r.stdout, stderr };
  };

  const bootId = async (): Promise<string> => {
    const r = await root('cat /proc/sys/kernel/random/boot_id');
    if (r.code !== 0) throw new Error(`bootId(${name}): ${r.stderr.trim()}`);
    return r.stdout.trim();
  };

  const consoleTail = (): string => {
    try {
      return readFileSync(join(RUN_BASE, name, 'console.log'), 'utf8')
        .split('\n')
        .slice(-30)
        .join('\n');
    } catch {
      return '(no console.log)';
    }
  };

  /** Waits for a new boot (boot_id != previous), finished startup, and sshd answering; never logs in. */
  const waitBooted = async (previousBootId: string | undefined): Promise<void> => {
    const deadline = Date.now() + BOOT_TIMEOUT_MS;
    try {
      await pollUntil('a new boot_id', deadline, async () => {
        const id = await bootId();
        return id !== '' && id !== previousBootId;
      });
      await pollUntil('systemctl is-system-running --wait', deadline, async () =>
        /^(running|degraded)/.test((await root('systemctl is-system-running --wait')).stdout),
      );
      await pollUntil(`an SSH banner from ${ip}:22`, deadline, () => readSshBanner(ip));
    } catch (err) {
      throw new Error(`${name}: ${(err as Error).message}\n--- console.log ---\n${consoleTail()}`, { cause: err });
    }
  };

  const start = async (): Promise<void> => {
    await runScriptOrThrow('boot.sh', [name, String(idx), `${keyPath}.pub`]);
    await waitBooted(undefined);
  };
  const stop = async (): Promise<void> => {
    await runScriptOrThrow('stop.sh', [name]);
  };
  let tornDown = false;
  const teardown = async (): Promise<void> => {
    if (tornDown) return; // idempotent: a second run must not release an idx another worker reserved since
    await runScriptOrThrow('teardown.sh', [name, String(idx)], { env: { OWNER_PID: String(process.pid) } });
    tornDown = true;
    liveHosts.delete(name);
  };

  try {
    await start();
    // first boot: also prove that a key login as deploy works
    await pollUntil(
      `SSH login deploy@${ip}`,
      Date.now() + BOOT_TIMEOUT_MS,
      async () => (await ssh('true', { timeoutMs: 10_000 })).code === 0,
    );
  } catch (err) {
    await teardown().catch(() => undefined);
    throw err;
  }
  const pub = await root('cat /etc/ssh/ssh_host_ed25519_key.pub');
  const hostKey = pub.stdout.trim().split(/\s+/).slice(0, 2).join(' ');
  if (pub.code !== 0 || !hostKey.startsWith('ssh-ed25519 ')) {
    await teardown().catch(() => undefined);
    throw new Error(`${name}: cannot read the guest host key: ${pub.stderr}`);
  }

  return {
    name,
    idx,
    ip,
    tailnetIp: `100.100.${idx}.2`,
    port: 22,
    user: 'deploy',
    keyPath,
    knownHostsLine: `${ip} ${hostKey}`,
    hostKey,
    ssh,
    root,
    bootId,
    start,
    stop,
    teardown,
    async reboot() {
      const before = await bootId();
      await root('systemctl reboot'); // nspawn exits 133; the supervisor in boot.sh starts it again
      await waitBooted(before);
    },
    async powerCycle() {
      const before = await bootId();
      await stop();
      await runScriptOrThrow('boot.sh', [name, String(idx), `${keyPath}.pub`]);
      await waitBooted(before);
    },
  };
}

/**
 * Leaves a host running after this process exits (npm run demo --keep): the exit handler forgets it, its index
 * reservation passes to its supervisor process (so a later run does not reap it as stale), and the client key is
 * copied into its run dir (removed with it). Returns the key and the command that removes the host.
 */
export function keepLinuxHost(h: LinuxHost): { keyPath: string; teardownCommand: string } {
  const run = join(RUN_BASE, h.name);
  const supervisor = readFileSync(join(run, 'supervisor.pid'), 'utf8').trim();
  writeFileSync(join(RUN_BASE, '.idx', String(h.idx), 'owner'), `${h.name} pid=${supervisor}\n`);
  const keyPath = join(run, 'id_ed25519');
  copyFileSync(h.keyPath, keyPath);
  chmodSync(keyPath, 0o600);
  liveHosts.delete(h.name);
  return { keyPath, teardownCommand: `${join(SCRIPTS, 'teardown.sh')} ${h.name} ${h.idx}` };
}

/**
 * Safety net when a test forgets teardown() or the worker is stopped: vitest stops fork workers with SIGTERM
 * (SIGKILL 500 ms later), too soon for a clean guest poweroff, so the teardown runs in a detached process.
 */
function startDetachedCleanup(): void {
  const cmds = [...liveHosts].map(
    ([name, idx]) => `OWNER_PID=${process.pid} '${join(SCRIPTS, 'teardown.sh')}' ${name} ${idx}`,
  );
  if (clientKey) cmds.push(`rm -rf '${dirname(clientKey)}'`);
  liveHosts.clear();
  clientKey = undefined;
  if (cmds.length === 0) return;
  spawn('bash', ['-c', cmds.join('; ')], { detached: true, stdio: 'ignore' }).unref();
}

process.once('exit', startDetachedCleanup);
process.once('SIGTERM', () => {
  startDetachedCleanup();
  process.kill(process.pid, 'SIGTERM'); // our listener is gone (once): default action terminates as before
});
