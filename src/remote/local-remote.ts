// The same Remote operations on this machine (used by --local), through execa.
import { execa } from 'execa';
import { ShellRemote, type ExecOptions, type ExecResult } from './remote.js';

export class LocalRemote extends ShellRemote {
  readonly label = 'local';

  /** `env` overrides this process's environment (tests point HOME at a scratch directory). */
  constructor(private readonly env?: NodeJS.ProcessEnv) {
    super();
  }

  async exec(command: string, opts: ExecOptions = {}): Promise<ExecResult> {
    const child = execa('/bin/sh', ['-c', command], {
      input: opts.stdin ?? '',
      reject: false,
      timeout: opts.timeoutMs,
      stripFinalNewline: false,
      encoding: 'utf8',
      env: this.env,
    });
    if (opts.onStdout) child.stdout?.on('data', (b: Buffer) => opts.onStdout?.(b.toString('utf8')));
    const r = await child;
    return { code: r.exitCode ?? (r.timedOut ? 124 : 255), stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
  }

  async close(): Promise<void> {
    /* nothing to release */
  }
}
