// The same Remote operations on this machine (used by --local), through execa.
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { execa } from 'execa';
import { ShellRemote, type ExecOptions, type ExecResult } from './remote.js';
import { watchHeld, type HeldRun, type HoldOptions } from './held-run.js';

export class LocalRemote extends ShellRemote {
  readonly label = 'local';

  /** `env` overrides this process's environment (tests point HOME at a scratch directory). */
  constructor(private readonly env?: NodeJS.ProcessEnv) {
    super();
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const child = execa('/bin/sh', ['-c', command], {
      ...(opts.onStdinSent ? { stdin: 'pipe' as const } : { input: opts.stdin ?? '' }),
      reject: false,
      timeout: opts.timeoutMs,
      stripFinalNewline: false,
      encoding: 'utf8',
      env: this.env,
    });
    if (opts.onStdout) child.stdout?.on('data', (b: Buffer) => opts.onStdout?.(b.toString('utf8')));
    if (opts.onStdinSent) {
      child.stdin?.write(opts.stdin ?? '');
      setTimeout(() => {
        opts.onStdinSent?.();
        child.stdin?.end();
      }, 300);
    }
    const r = await child;
    return {
      code: r.exitCode ?? (r.timedOut ? 124 : 255),
      stdout: String(r.stdout ?? ''),
      stderr: String(r.stderr ?? ''),
    };
  }

  async holdUntil(command: string, o: HoldOptions): Promise<HeldRun> {
    const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'], env: this.env ?? process.env });
    const exited = new Promise<number>((res) => child.once('close', (code) => res(code ?? 255)));
    child.stdin.on('error', () => undefined);
    return watchHeld(
      {
        stdout: child.stdout,
        stderr: child.stderr,
        exited,
        write: (t) => {
          child.stdin.write(t);
        },
        end: () => child.stdin.end(),
        kill: () => child.kill('SIGKILL'),
      },
      o,
    );
  }

  async dial(host: string, port: number): Promise<Duplex> {
    return new Promise((resolve, reject) => {
      const sock = connect({ host, port });
      sock.once('connect', () => {
        sock.removeListener('error', reject);
        resolve(sock);
      });
      sock.once('error', reject);
    });
  }

  async close(): Promise<void> {
    /* nothing to release */
  }
}
