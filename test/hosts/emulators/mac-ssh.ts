// SSH to the emulated mac host from the test machine: a multiplexing master and one session per command.
import { spawn } from 'node:child_process';

export interface SshResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface SshTarget {
  ip: string;
  user: string;
  keyPath: string;
  knownHostsPath: string;
  controlPath: string;
}

// ssh keeps the first value of an option, so ControlPath is given exactly once.
const sshBaseArgs = (h: SshTarget, controlPath = h.controlPath): string[] => [
  '-i',
  h.keyPath,
  '-o',
  `UserKnownHostsFile=${h.knownHostsPath}`,
  '-o',
  'StrictHostKeyChecking=yes',
  '-o',
  'BatchMode=yes',
  '-o',
  'LogLevel=ERROR',
  '-o',
  'ConnectTimeout=10',
  '-o',
  `ControlPath=${controlPath}`,
  '-p',
  '22',
];

/** A multiplexing master so each ssh() is a new session on one connection (~20 ms instead of ~200 ms). */
export async function startControlMaster(h: SshTarget): Promise<void> {
  await new Promise<void>((resolve) => {
    const p = spawn('ssh', [...sshBaseArgs(h), '-M', '-N', '-f', '-o', 'ControlPersist=120', `${h.user}@${h.ip}`], {
      stdio: 'ignore',
    });
    p.on('exit', () => resolve());
    p.on('error', () => resolve());
  });
}

export function stopControlMaster(h: SshTarget): Promise<void> {
  return new Promise((resolve) => {
    const p = spawn('ssh', [...sshBaseArgs(h), '-O', 'exit', `${h.user}@${h.ip}`], { stdio: 'ignore' });
    p.on('exit', () => resolve());
    p.on('error', () => resolve());
  });
}

export function runSsh(h: SshTarget, cmd: string, stdin?: string, fresh = false): Promise<SshResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(
      'ssh',
      [...sshBaseArgs(h, fresh ? 'none' : h.controlPath), '-o', 'ControlMaster=no', `${h.user}@${h.ip}`, cmd],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? 255, stdout, stderr }));
    p.stdin.on('error', () => {
      /* EPIPE: it exited before reading stdin; its exit code and stderr tell */
    });
    p.stdin.end(stdin ?? '');
  });
}
