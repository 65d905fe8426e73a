/** Test harness: install the simulator into a temp HOME and drive it over loopback only. */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { resolveLayout } from '../install-layouts.js';
import { type ExecFn, type SimInstallOptions, installSimulator, loadBuildTable } from '../install.js';

export interface Sim {
  home: string;
  installDir: string;
  entry: string;
  shim: string;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const runLocal: ExecFn = (cmd, stdin) =>
  new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', cmd], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    child.stdin.on('error', () => {
      /* EPIPE: it exited before reading stdin; its exit code and stderr tell */
    });
    child.stdin.end(stdin ?? '');
  });

/**
 * Installs into a fresh temp HOME. System layouts (root-fhs, homebrew) are re-rooted under `<HOME>/sysroot`:
 * local tests must never write the machine's own /usr/local or /opt/homebrew.
 */
export async function createSim(opts: Omit<SimInstallOptions, 'home' | 'fsRoot'>): Promise<Sim> {
  const home = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'hermes-sim-')));
  const fsRoot =
    opts.layout === 'root-fhs' || opts.layout === 'system' || opts.layout === 'homebrew'
      ? path.join(home, 'sysroot')
      : undefined;
  await installSimulator(runLocal, { processScope: 'install', ...opts, home, ...(fsRoot ? { fsRoot } : {}) });
  const lay = resolveLayout(
    opts.layout,
    home,
    opts.shim,
    loadBuildTable().resolve(opts.build ?? opts.generation).version,
    fsRoot,
  );
  return { home, installDir: lay.pkgRoot, entry: lay.entry, shim: lay.command };
}

export function removeSim(sim: Sim): void {
  fs.rmSync(sim.home, { recursive: true, force: true });
}

export function buildEnv(sim: Sim, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: sim.home, LANG: 'C.UTF-8', ...extra };
}

export function writeDotenv(sim: Sim, text: string): void {
  fs.mkdirSync(path.join(sim.home, '.hermes'), { recursive: true });
  fs.writeFileSync(path.join(sim.home, '.hermes', '.env'), text);
}

export function runHermes(
  sim: Sim,
  args: string[],
  env: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(sim.shim, args, { env: buildEnv(sim, env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface Running {
  proc: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
}

/** Starts `hermes <args>` and resolves once a READY line announced the port. */
export function startHermes(sim: Sim, args: string[], env: Record<string, string> = {}): Promise<Running> {
  const proc = spawn(sim.shim, args, { env: buildEnv(sim, env), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`no READY line: ${out} ${err}`));
    }, 15_000);
    proc.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /HERMES_(?:DASHBOARD|BACKEND)_READY port=(\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      resolve({
        proc,
        port: Number(m[1]),
        stdout: () => out,
        stderr: () => err,
        exited,
        stop: async () => {
          if (proc.exitCode === null) proc.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before READY: ${out} ${err}`));
    });
  });
}

export function getFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('timed out waiting for condition');
}
