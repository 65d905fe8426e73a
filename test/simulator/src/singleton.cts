/** G3 host singleton: `host-serve.json` + `host-serve.token` rendezvous (§4.4, §6.4). */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isAlive } from './process-table.cjs';

export interface HostOwner {
  pid: number;
  host: string;
  port: number;
  kind: 'dashboard' | 'serve';
  version: string;
  started_at: number;
}

export function resolveLockDir(env: NodeJS.ProcessEnv): string {
  const explicit = env['HERMES_GATEWAY_LOCK_DIR'];
  if (explicit) return explicit;
  const state = env['XDG_STATE_HOME'] || path.join(os.homedir(), '.local', 'state');
  return path.join(state, 'hermes', 'gateway-locks');
}

export function readLiveOwner(lockDir: string): HostOwner | null {
  try {
    const owner = JSON.parse(fs.readFileSync(path.join(lockDir, 'host-serve.json'), 'utf8')) as HostOwner;
    return typeof owner.pid === 'number' && owner.pid !== process.pid && isAlive(owner.pid) ? owner : null;
  } catch {
    return null;
  }
}

export function writeOwner(lockDir: string, owner: HostOwner, token: string): void {
  fs.mkdirSync(lockDir, { recursive: true, mode: 0o700 });
  const tokenPath = path.join(lockDir, 'host-serve.token');
  const tmpToken = `${tokenPath}.${process.pid}.tmp`;
  fs.writeFileSync(tmpToken, token, { mode: 0o600 });
  fs.chmodSync(tmpToken, 0o600);
  fs.renameSync(tmpToken, tokenPath);
  const jsonPath = path.join(lockDir, 'host-serve.json');
  fs.writeFileSync(`${jsonPath}.${process.pid}.tmp`, JSON.stringify(owner) + '\n', { mode: 0o600 });
  fs.renameSync(`${jsonPath}.${process.pid}.tmp`, jsonPath);
}

export function removeOwnerIfMine(lockDir: string): void {
  try {
    const owner = JSON.parse(fs.readFileSync(path.join(lockDir, 'host-serve.json'), 'utf8')) as HostOwner;
    if (owner.pid !== process.pid) return;
    fs.rmSync(path.join(lockDir, 'host-serve.json'), { force: true });
    fs.rmSync(path.join(lockDir, 'host-serve.token'), { force: true });
  } catch {
    /* nothing to clean */
  }
}

export interface AttachDecision {
  exitCode: number;
  stream: 'stdout' | 'stderr';
  message: string;
}

/** Decides attach (0) / conflict (78) against a live owner. */
export function decideAttach(
  owner: HostOwner,
  command: 'dashboard' | 'serve',
  wanted: { host?: string; port?: number },
): AttachDecision {
  const where = `http://${owner.host}:${owner.port}`;
  if (command === 'dashboard' && owner.kind === 'serve') {
    return {
      exitCode: 78,
      stream: 'stderr',
      message: `Hermes backend already running on this host: PID ${owner.pid} (${where}) is a headless \`hermes serve\`; \`hermes dashboard\` will not attach to it. Stop it or pass --isolated.`,
    };
  }
  const portConflict = wanted.port !== undefined && wanted.port !== 0 && wanted.port !== owner.port;
  const hostConflict = wanted.host !== undefined && wanted.host !== owner.host;
  if (portConflict || hostConflict) {
    return {
      exitCode: 78,
      stream: 'stderr',
      message: `Configuration error: Hermes backend already running on this host: PID ${owner.pid} (${where}), which conflicts with the requested --host/--port. Pass --isolated to run a separate server.`,
    };
  }
  return {
    exitCode: 0,
    stream: 'stdout',
    message: `Hermes backend already running on this host: PID ${owner.pid} (${where}). Attaching instead of starting a second backend.`,
  };
}
