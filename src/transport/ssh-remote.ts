// The SSH implementation of Remote (node-ssh over ssh2), with strict host-key checking.
import { appendFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { PassThrough, Readable, type Duplex } from 'node:stream';
import { NodeSSH } from 'node-ssh';
import { unreachableError } from '../errors.js';
import { createHostKeyCheck, type HostKeyPolicy } from './host-key.js';
import { mapConnectError } from './ssh-connect-error.js';
import { ShellRemote, type ExecOptions, type ExecResult } from './remote.js';
import { watchHeld, type HeldRun, type HoldOptions } from './held-run.js';
import { planAuth, type AuthInputs } from './ssh-auth.js';
import { formatTargetHost } from './target.js';

export interface SshConnectOptions {
  host: string;
  port: number;
  user: string;
  auth: Omit<AuthInputs, 'user'>;
  hostKeys: HostKeyPolicy;
  connectTimeoutMs?: number;
  /** Called when the TCP connection is being made (for start-up overlap: transport/early-start.ts). */
  onDial?: () => void;
}

export class SshRemote extends ShellRemote {
  readonly label: string;
  /** True when this connection recorded a new host key. */
  acceptedNewHostKey = false;
  /** SSH round trips after the handshake: exec requests and direct-tcpip channels (see HERMES_SETUP_STATS). */
  readonly stats = { execs: 0, channels: 0 };

  private constructor(
    private readonly ssh: NodeSSH,
    opts: SshConnectOptions,
  ) {
    super();
    this.label = `${opts.user}@${formatTargetHost(opts.host, opts.port)}`;
  }

  static async connect(opts: SshConnectOptions): Promise<SshRemote> {
    const where = `${opts.user}@${formatTargetHost(opts.host, opts.port)}`;
    const check = await createHostKeyCheck(opts.host, opts.port, opts.hostKeys);
    const auth = await planAuth({ ...opts.auth, user: opts.user });
    if (auth.methods.length === 0) {
      throw unreachableError(
        'E_SSH_NO_IDENTITY',
        `no SSH credentials to offer ${where}${auth.notes.length ? `: ${auth.notes.join('; ')}` : ' (no ssh-agent, no key file)'}`,
        'start ssh-agent and ssh-add your key, or pass --identity ~/.ssh/KEY',
      );
    }
    const ssh = new NodeSSH();
    const timeout = opts.connectTimeoutMs ?? 10_000;
    try {
      const dialing = dialNoDelay(opts.host, opts.port, timeout);
      opts.onDial?.();
      const sock = await dialing;
      await ssh.connect({
        sock,
        host: opts.host,
        port: opts.port,
        username: opts.user,
        readyTimeout: timeout,
        timeout,
        authHandler: auth.methods,
        hostVerifier: (key: Buffer) => check.verify(key),
        algorithms: { serverHostKey: check.preferredAlgorithms() as never },
        keepaliveInterval: 5_000,
        keepaliveCountMax: 3,
      });
    } catch (err) {
      ssh.dispose();
      throw check.rejection() ?? mapConnectError(err, where, timeout, auth.notes);
    }
    const remote = new SshRemote(ssh, opts);
    remote.acceptedNewHostKey = await check.commit();
    return remote;
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    this.stats.execs++;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const r = await this.ssh.execCommand(command, {
      stdin: opts.stdin === undefined ? undefined : stdinStream(Buffer.from(opts.stdin), opts.onStdinSent),
      noTrim: true,
      onStdout: (b) => {
        out.push(b);
        opts.onStdout?.(b.toString('utf8'));
      },
      onStderr: (b) => {
        err.push(b);
      },
      onChannel: (ch) => {
        if (opts.timeoutMs)
          timer = setTimeout(() => {
            timedOut = true;
            ch.close();
          }, opts.timeoutMs);
      },
    });
    if (timer) clearTimeout(timer);
    const code = timedOut ? 124 : (r.code ?? 255);
    return { code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
  }

  async holdUntil(command: string, o: HoldOptions): Promise<HeldRun> {
    this.stats.execs++;
    const conn = this.ssh.connection;
    if (!conn) throw unreachableError('E_UNREACHABLE', `the SSH connection to ${this.label} is closed`, 'rerun');
    return new Promise((resolve, reject) =>
      conn.exec(command, (err, ch) => {
        if (err) {
          reject(err);
          return;
        }
        let code = 255;
        ch.once('exit', (c: number | null) => {
          if (typeof c === 'number') code = c;
        });
        const exited = new Promise<number>((done) => ch.once('close', () => done(code)));
        ch.on('error', () => undefined);
        resolve(
          watchHeld(
            {
              stdout: ch,
              stderr: ch.stderr,
              exited,
              write: (t) => {
                ch.write(t);
              },
              end: () => {
                if (this.ssh.connection) ch.end();
              },
              kill: () => ch.close(),
            },
            o,
          ),
        );
      }),
    );
  }

  async dial(host: string, port: number): Promise<Duplex> {
    this.stats.channels++;
    const conn = this.ssh.connection;
    if (!conn) throw unreachableError('E_UNREACHABLE', `the SSH connection to ${this.label} is closed`, 'rerun');
    return new Promise((resolve, reject) => {
      conn.forwardOut('127.0.0.1', 0, host, port, (err, stream) => {
        if (err) {
          const e = new Error(
            `connect to ${host}:${port} from ${this.label} failed: ${err.message}`,
          ) as NodeJS.ErrnoException;
          e.code = /refused/i.test(err.message) ? 'ECONNREFUSED' : 'ECONNRESET';
          reject(e);
          return;
        }
        resolve(stream);
      });
    });
  }

  override dropConnection(): void {
    const conn = this.ssh.connection;
    conn?.destroy?.();
  }

  async close(): Promise<void> {
    this.ssh.dispose();
    const file = process.env.HERMES_SETUP_STATS;
    if (file)
      await appendFile(file, `${JSON.stringify({ target: this.label, ...this.stats })}\n`).catch(() => undefined);
  }
}

/**
 * The TCP connection for SSH, with Nagle's algorithm off. SSH's request/reply packets are small: with Nagle on,
 * each one that follows an unacknowledged packet waits for the peer's delayed ACK (~40 ms on Linux), which cost
 * ~160 ms of the handshake and ~80 ms of every exec on the test guests (docs/performance.md). ssh2 only dials
 * its own socket without TCP_NODELAY, so the socket is dialled here and handed over connected.
 */
export function dialNoDelay(host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = new Socket();
    const fail = (err: Error): void => {
      clearTimeout(timer);
      sock.destroy();
      reject(err);
    };
    const timer = setTimeout(
      () => fail(Object.assign(new Error(`Timed out while connecting to ${host}:${port}`), { code: 'ETIMEDOUT' })),
      timeoutMs,
    );
    sock.once('error', fail);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeListener('error', fail);
      resolve(sock);
    });
    sock.setNoDelay(true);
    sock.connect({ host, port });
  });
}

/** stdin for one exec; with a fault hook the stream stays open after the bytes until the hook has run. */
function stdinStream(bytes: Buffer, onSent?: () => void): Readable {
  if (!onSent) return Readable.from([bytes]);
  const p = new PassThrough();
  p.write(bytes);
  setTimeout(() => {
    onSent();
    p.end();
  }, 300);
  return p;
}
