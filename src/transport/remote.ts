// The transport: one interface, two implementations (SSH via node-ssh, local via execa).
// File operations are shell scripts run through exec, so both implementations behave the same.
import { READ_SCRIPT, STAT_SCRIPT, WHICH_SCRIPT, WRITE_ATOMIC_SCRIPT, shCommand } from './shell.js';
import type { Duplex } from 'node:stream';
import type { HeldRun, HoldOptions } from './held-run.js';
import { remoteCommandError } from '../errors.js';
import { triggerFault, writeFault, type FaultAction } from '../fault-injection.js';

export interface ExecOptions {
  stdin?: string | Buffer;
  timeoutMs?: number;
  /** Called with each stdout chunk as it arrives (progress streaming). */
  onStdout?: (chunk: string) => void;
  /** Fault injection only: called once stdin was sent, before it is closed. */
  onStdinSent?: () => void;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface FileStat {
  type: 'file' | 'dir' | 'symlink' | 'other';
  /** Permission bits, e.g. 0o600. */
  mode: number;
  uid: number;
  size: number;
  mtimeSec: number;
}

export interface WhichResult {
  path: string;
  via: 'login-shell' | 'candidate';
}

export interface Remote {
  /** e.g. deploy@10.0.0.5:22, or "local". */
  readonly label: string;
  exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  /** undefined when the file does not exist. `~/` paths are relative to the remote home. */
  readFile(path: string): Promise<Buffer | undefined>;
  /** Temp file in the same directory + rename; parent created with 0700 if missing. */
  writeFileAtomic(path: string, content: string | Buffer, mode: number): Promise<void>;
  stat(path: string): Promise<FileStat | undefined>;
  which(name: string, candidates: string[]): Promise<WhichResult | undefined>;
  /** Runs `command` with `stdin` sent and kept open; resolves at the `until` line (or when the process ends). */
  holdUntil(command: string, o: HoldOptions): Promise<HeldRun>;
  /** A TCP stream to host:port as seen from the remote host (SSH: a direct-tcpip channel). */
  dial(host: string, port: number): Promise<Duplex>;
  /** Fault injection only: cut the transport abruptly. */
  dropConnection(): void;
  close(): Promise<void>;
}

export function parseStat(line: string): FileStat | undefined {
  const [type, mode, uid, size, mtime] = line.trim().split(/\s+/);
  if (type === 'missing' || !type) return undefined;
  if (type !== 'file' && type !== 'dir' && type !== 'symlink' && type !== 'other')
    throw new Error(`unexpected stat output: ${line}`);
  return { type, mode: parseInt(mode ?? '0', 8), uid: Number(uid), size: Number(size), mtimeSec: Number(mtime) };
}

export function parseWhich(line: string): WhichResult | undefined {
  const m = /^(login-shell|candidate) (\/.*)$/.exec(line.trim());
  return m ? { via: m[1] as WhichResult['via'], path: m[2]! } : undefined;
}

/** Shared file operations on top of an exec primitive. */
export abstract class ShellRemote implements Remote {
  abstract readonly label: string;
  abstract exec(command: string, opts?: ExecOptions): Promise<ExecResult>;
  abstract close(): Promise<void>;
  abstract dial(host: string, port: number): Promise<Duplex>;
  abstract holdUntil(command: string, o: HoldOptions): Promise<HeldRun>;

  protected async run(script: string, args: string[], opts?: ExecOptions): Promise<ExecResult> {
    return this.exec(shCommand(script, args), opts);
  }

  protected fail(what: string, r: ExecResult): never {
    throw remoteCommandError(
      'E_REMOTE_IO',
      `${what} on ${this.label}`,
      r,
      'check permissions and free space on the host; rerun with --debug for details',
    );
  }

  async readFile(path: string): Promise<Buffer | undefined> {
    const r = await this.run(READ_SCRIPT, [path]);
    if (r.code !== 0) this.fail(`reading ${path}`, r);
    const [head, ...rest] = r.stdout.split('\n');
    if (head === 'MISSING') return undefined;
    return Buffer.from(rest.join(''), 'base64');
  }

  async writeFileAtomic(path: string, content: string | Buffer, mode: number): Promise<void> {
    const bytes = Buffer.from(content);
    const args = [path, mode.toString(8).padStart(4, '0'), String(bytes.length)];
    const fault = writeFault(path);
    const r = fault
      ? await this.execWithFault(shCommand(WRITE_ATOMIC_SCRIPT, args), bytes, fault)
      : await this.run(WRITE_ATOMIC_SCRIPT, args, { stdin: bytes });
    if (r.code !== 0) this.fail(`writing ${path}`, r);
  }

  /** Test fault injection (HERMES_SETUP_FAULT=write:<file>:kill|drop): send half the bytes, then die or drop. */
  protected async execWithFault(command: string, bytes: Buffer, action: FaultAction): Promise<ExecResult> {
    return this.exec(command, {
      stdin: bytes.subarray(0, Math.floor(bytes.length / 2)),
      onStdinSent: () => triggerFault(action, this),
    });
  }

  /** Drops the transport (fault injection); the local transport has none. */
  dropConnection(): void {
    /* no connection to drop */
  }

  async stat(path: string): Promise<FileStat | undefined> {
    const r = await this.run(STAT_SCRIPT, [path]);
    if (r.code !== 0) this.fail(`stat ${path}`, r);
    return parseStat(r.stdout);
  }

  async which(name: string, candidates: string[]): Promise<WhichResult | undefined> {
    const r = await this.run(WHICH_SCRIPT, [name, ...candidates]);
    return parseWhich(r.stdout);
  }
}
