/** Install-relative paths, the simulator state file and start-up .env loading. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BuildInfo, DEFAULT_BUILD, findBuild, getProductNames } from './builds.cjs';
import { decodeEnvBytes, loadDotenvInto, parseDotenv } from './dotenv.cjs';
import { type Generation, isGeneration } from './generations.cjs';

export interface SimState {
  /** Coarse class; kept for old state files (`{"generation":"G1"}` = build 2026.6.10). */
  generation: Generation;
  /** A build id of `builds.cts`; wins over `generation`. */
  build?: string;
  /** Generation or build id that `hermes update` moves to. */
  updateTo?: string;
  updateCommits?: number;
  updateDelaySeconds?: number;
  updateError?: 'network' | 'auth' | 'fetch';
  processScope?: 'host' | 'install';
  /** Install layout (install.ts); decides what `hermes update` rewrites (§18.4). */
  layout?: string;
  /** The executable the command resolves to (venv entry, or the plain script of `pip --user`). */
  entry?: string;
  /** Where `hermes` is found (`~/.local/bin/hermes`, `/usr/local/bin/hermes`, `/opt/homebrew/bin/hermes`). */
  command?: string;
}

export interface SimContext {
  installDir: string;
  statePath: string;
  state: SimState;
  build: BuildInfo;
  hermesHome: string;
  entryPath: string;
}

export function resolveInstallDir(): string {
  return path.resolve(__dirname, '..');
}

export function readState(statePath: string): SimState {
  const raw: unknown = JSON.parse(fs.readFileSync(statePath, 'utf8'));
  const obj = (raw ?? {}) as Record<string, unknown>;
  const build = typeof obj['build'] === 'string' ? findBuild(obj['build']) : undefined;
  if (obj['build'] !== undefined && !build)
    throw new Error(
      `unknown build ${typeof obj['build'] === 'string' ? obj['build'] : JSON.stringify(obj['build'])} in ${statePath}`,
    );
  if (build) return { ...obj, generation: build.generation };
  if (!isGeneration(obj['generation'])) throw new Error(`bad generation in ${statePath}`);
  return obj as unknown as SimState;
}

export function resolveStateBuild(state: SimState): BuildInfo {
  const b = findBuild(state.build ?? DEFAULT_BUILD[state.generation]);
  if (!b) throw new Error(`unknown build ${state.build ?? state.generation}`);
  return b;
}

export function writeState(statePath: string, state: SimState): void {
  const tmp = `${statePath}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n');
  fs.renameSync(tmp, statePath);
}

/** `HERMES_HOME` (default `~/.hermes`); the rebrand reads `RABBIT_HOME` / `~/.rabbit` (§18.6). */
export function resolveHermesHome(env: NodeJS.ProcessEnv, build: BuildInfo): string {
  const names = getProductNames(build);
  const fromEnv = env[`${names.envPrefix}_HOME`];
  return fromEnv && fromEnv !== '' ? fromEnv : path.join(os.homedir(), names.homeDirName);
}

function readEnvText(file: string): string | null {
  try {
    return decodeEnvBytes(fs.readFileSync(file));
  } catch {
    return null;
  }
}

/** hermes_cli/main.py import-time dotenv loading (§5.1): user file with override, project file fills gaps. */
export function loadHermesEnv(hermesHome: string, installDir: string, env: NodeJS.ProcessEnv): void {
  const userText = readEnvText(path.join(hermesHome, '.env'));
  if (userText !== null) loadDotenvInto(userText, env);
  const projectText = readEnvText(path.join(installDir, '.env'));
  if (projectText === null) return;
  if (userText === null) {
    loadDotenvInto(projectText, env);
    return;
  }
  for (const [k, v] of Object.entries(parseDotenv(projectText, env))) {
    if (env[k] === undefined && v !== null) env[k] = v;
  }
}

export function createContext(): SimContext {
  const installDir = resolveInstallDir();
  const statePath = path.join(installDir, '.sim-state.json');
  const state = readState(statePath);
  const build = resolveStateBuild(state);
  return {
    installDir,
    statePath,
    state,
    build,
    hermesHome: resolveHermesHome(process.env, build),
    entryPath: state.entry ?? path.join(installDir, 'venv', 'bin', 'hermes'),
  };
}
