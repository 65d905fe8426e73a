/** Install-relative paths, the simulator state file and start-up .env loading. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadDotenvInto, parseDotenv } from './dotenv.cjs';
import { type Generation, isGeneration } from './generations.cjs';

export interface SimState {
  generation: Generation;
  updateTo?: Generation;
  updateCommits?: number;
  updateDelaySeconds?: number;
  updateError?: 'network' | 'auth' | 'fetch';
  processScope?: 'host' | 'install';
}

export interface SimContext {
  installDir: string;
  statePath: string;
  state: SimState;
  hermesHome: string;
  entryPath: string;
}

export function resolveInstallDir(): string {
  return path.resolve(__dirname, '..');
}

export function readState(statePath: string): SimState {
  const raw: unknown = JSON.parse(fs.readFileSync(statePath, 'utf8'));
  const obj = (raw ?? {}) as Record<string, unknown>;
  if (!isGeneration(obj['generation'])) throw new Error(`bad generation in ${statePath}`);
  return obj as unknown as SimState;
}

export function writeState(statePath: string, state: SimState): void {
  const tmp = `${statePath}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(tmp, statePath);
}

export function resolveHermesHome(env: NodeJS.ProcessEnv): string {
  const fromEnv = env['HERMES_HOME'];
  return fromEnv && fromEnv !== '' ? fromEnv : path.join(os.homedir(), '.hermes');
}

function readEnvText(file: string): string | null {
  let buf: Buffer;
  try { buf = fs.readFileSync(file); } catch { return null; }
  let text: string;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(buf); } catch { text = buf.toString('latin1'); }
  return text.replace(/\0/g, '');
}

/** hermes_cli/main.py import-time dotenv loading (§5.1). */
export function loadHermesEnv(hermesHome: string, installDir: string, env: NodeJS.ProcessEnv): void {
  const userText = readEnvText(path.join(hermesHome, '.env'));
  if (userText !== null) loadDotenvInto(userText, env);
  const projectText = readEnvText(path.join(installDir, '.env'));
  if (projectText === null) return;
  if (userText === null) { loadDotenvInto(projectText, env); return; }
  for (const [k, v] of Object.entries(parseDotenv(projectText, env))) {
    if (env[k] === undefined) env[k] = v;
  }
}

export function createContext(): SimContext {
  const installDir = resolveInstallDir();
  const statePath = path.join(installDir, '.sim-state.json');
  const hermesHome = resolveHermesHome(process.env);
  return {
    installDir,
    statePath,
    state: readState(statePath),
    hermesHome,
    entryPath: path.join(installDir, 'venv', 'bin', 'hermes'),
  };
}
