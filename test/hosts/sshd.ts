// A real OpenSSH sshd started by the test suite, with its own host key and a dedicated test user.
// Loopback by default; `wrap` lets a caller run it inside a network/mount namespace.
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir, chmod } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SshdOptions {
  user: string;
  /** Home directory for a user that does not exist yet (default /home/<user>). */
  home?: string;
  listen?: string;
  port?: number;
  /** Command prefix, e.g. ['ip', 'netns', 'exec', 'ns1']: sshd runs as `[...wrap, sshd, ...]`. */
  wrap?: string[];
  /** Extra sshd_config lines. */
  extraConfig?: string[];
}

export interface Sshd {
  host: string;
  port: number;
  user: string;
  home: string;
  dir: string;
  /** Private key (ed25519, no passphrase) authorised for `user`. */
  keyPath: string;
  /** `ssh-ed25519 AAAA…` of the host key. */
  hostKeyPub: string;
  /** A known_hosts line for this server (uses [host]:port when port != 22). */
  knownHostsLine: string;
  logPath: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (race-tolerant enough for tests). */
export async function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Creates (if missing) an unlocked test user: `usermod -p '*'` so sshd without PAM accepts keys. */
export async function ensureTestUser(user: string, home?: string): Promise<string> {
  const exists = await run('id', ['-u', user]).then(
    () => true,
    () => false,
  );
  if (!exists) {
    const args = ['-m', '-s', '/bin/bash'];
    if (home) args.push('-d', home);
    await mkdir(join(home ?? '/home', '..'), { recursive: true }).catch(() => undefined);
    await run('useradd', [...args, user]);
  }
  await run('usermod', ['-p', '*', user]);
  const { stdout } = await run('getent', ['passwd', user]);
  return stdout.split(':')[5] ?? `/home/${user}`;
}

export function renderSshdConfig(o: {
  port: number;
  listen: string;
  dir: string;
  hostKey: string;
  extra?: string[];
}): string {
  return [
    `Port ${o.port}`,
    `ListenAddress ${o.listen}`,
    `HostKey ${o.hostKey}`,
    `PidFile ${join(o.dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(o.dir, 'ak', '%u')}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'AllowAgentForwarding yes',
    'AllowTcpForwarding yes',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    'LogLevel VERBOSE',
    ...(o.extra ?? []),
    '',
  ].join('\n');
}

async function keygen(path: string, comment: string): Promise<void> {
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
}

async function waitForPort(host: string, port: number, wrap: string[], ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = wrap.length
      ? await run(wrap[0]!, [...wrap.slice(1), 'bash', '-c', `exec 3<>/dev/tcp/${host}/${port}`]).then(
          () => true,
          () => false,
        )
      : await new Promise<boolean>((res) => {
          const s = connect(port, host, () => {
            s.destroy();
            res(true);
          });
          s.once('error', () => res(false));
        });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`sshd did not accept on ${host}:${port} within ${ms} ms`);
}

export async function startSshd(opts: SshdOptions): Promise<Sshd> {
  const home = await ensureTestUser(opts.user, opts.home);
  const dir = await mkdtemp('/var/tmp/hs-sshd-');
  await chmod(dir, 0o755);
  await mkdir(join(dir, 'ak'));
  await keygen(join(dir, 'host_ed25519'), 'hermes-setup-test-host');
  await keygen(join(dir, 'client_ed25519'), 'hermes-setup-test-client');
  const clientPub = await readFile(join(dir, 'client_ed25519.pub'), 'utf8');
  await writeFile(join(dir, 'ak', opts.user), clientPub, { mode: 0o644 });
  const listen = opts.listen ?? '127.0.0.1';
  const port = opts.port ?? (await findFreePort());
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
  const cfg = join(dir, 'sshd_config');
  await writeFile(
    cfg,
    renderSshdConfig({ port, listen, dir, hostKey: join(dir, 'host_ed25519'), extra: opts.extraConfig }),
  );
  const logPath = join(dir, 'sshd.log');
  const wrap = opts.wrap ?? [];
  const argv = [...wrap, '/usr/sbin/sshd', '-f', cfg, '-E', logPath];
  await new Promise<void>((resolve, reject) => {
    const p = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
    p.once('error', reject);
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`sshd exited ${code}; see ${logPath}`))));
  });
  await waitForPort(listen, port, wrap);
  const hostKeyPub = (await readFile(join(dir, 'host_ed25519.pub'), 'utf8')).trim().split(' ').slice(0, 2).join(' ');
  const hostPart = port === 22 ? listen : `[${listen}]:${port}`;
  return {
    host: listen,
    port,
    user: opts.user,
    home,
    dir,
    keyPath: join(dir, 'client_ed25519'),
    hostKeyPub,
    knownHostsLine: `${hostPart} ${hostKeyPub}`,
    logPath,
    stop: () => stopSshd(dir),
  };
}

async function stopSshd(dir: string): Promise<void> {
  const pidFile = join(dir, 'sshd.pid');
  if (existsSync(pidFile)) {
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    for (let i = 0; i < 50; i++) {
      try {
        process.kill(pid, 0);
      } catch {
        break;
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  await rm(dir, { recursive: true, force: true });
}
