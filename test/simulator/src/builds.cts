/**
 * Simulated builds, finer than the G0–G3 generations: every row cites the contract row
 * (`/work/shared/docs/hermes-behaviour.md`) that sets the behaviour. Versions marked "invented" are not upstream
 * numbers; only the release dates and capabilities matter.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Generation } from './generations.cjs';

/** §18.3: how `dashboard`/`serve` treat `--tui`. */
export type TuiMode = 'documented' | 'rejected' | 'hidden';
/** §1.1 / §8.4: when a non-web Origin (`file://`, `null`, `app://`) passes. */
export type OriginRule = 'loopback-bind' | 'gate-off' | 'after-credential';

export interface BuildInfo {
  id: string;
  /** Behaviour class used for everything the table does not refine (§1.2). */
  generation: Generation;
  /** §18.6: `rabbit` = the possible rebrand (`rabbit_cli`, `RABBIT_*`, `~/.rabbit`). */
  product: 'hermes' | 'rabbit';
  version: string;
  releaseDate: string;
  configVersion: number;
  /** §18.6: 0.21.5 reads `__version__` from `install-stamp.json` (`baseVersion`); `0.0.0` without one. */
  versionFromStamp: boolean;
  tui: TuiMode;
  /** §1.1 / §18.3: before 2026-06-04 embedded chat needs `--tui` or `HERMES_DASHBOARD_TUI=1`. */
  chatNeedsTui: boolean;
  /** §18.1: the first build with a basic-auth provider is v2026.6.5. */
  basicProvider: boolean;
  originRule: OriginRule;
  /** §18.6 (invented future build): what the tool needs may be missing. */
  hasDashboardCommand: boolean;
  hasHostFlag: boolean;
}

interface Row extends Partial<BuildInfo> {
  id: string;
  generation: Generation;
  version: string;
  releaseDate: string;
}

const BASE: Omit<BuildInfo, 'id' | 'generation' | 'version' | 'releaseDate'> = {
  product: 'hermes',
  configVersion: 22,
  versionFromStamp: false,
  tui: 'hidden',
  chatNeedsTui: false,
  basicProvider: true,
  originRule: 'after-credential',
  hasDashboardCommand: true,
  hasHostFlag: true,
};

const ROWS: Row[] = [
  // §1.1 "before 2026-06-02": --tui a real flag and needed for chat; non-web Origins only on loopback binds;
  // §18.1: no basic provider yet (first build v2026.6.5). Version invented.
  {
    id: '2026.5.28',
    generation: 'G0',
    version: '0.15.2',
    releaseDate: '2026.5.28',
    configVersion: 21,
    tui: 'documented',
    chatNeedsTui: true,
    basicProvider: false,
    originRule: 'loopback-bind',
  },
  // §1.1 6ed9a2de8 (06-02): non-web Origins whenever the gate is off; §18.3 still needs --tui; §18.1 no basic. Version invented.
  {
    id: '2026.6.2',
    generation: 'G1',
    version: '0.15.4',
    releaseDate: '2026.6.2',
    tui: 'documented',
    chatNeedsTui: true,
    basicProvider: false,
    originRule: 'gate-off',
  },
  // §1.1 dd28f2ac9 (06-03): non-web Origins once the credential passes; §18.3 needs --tui; §18.1 no basic. Version invented.
  {
    id: '2026.6.3',
    generation: 'G1',
    version: '0.15.5',
    releaseDate: '2026.6.3',
    tui: 'documented',
    chatNeedsTui: true,
    basicProvider: false,
  },
  // §1.1 cae6b5486 / §18.3 (06-04): --tui removed, argparse exit 2; chat always on; §18.1 no basic yet. Version invented.
  {
    id: '2026.6.4',
    generation: 'G1',
    version: '0.15.6',
    releaseDate: '2026.6.4',
    tui: 'rejected',
    basicProvider: false,
  },
  // §18.1 v2026.6.5 (acb0e2bac): first build with the basic provider; §18.3 --tui still rejected. Version invented.
  { id: '2026.6.5', generation: 'G1', version: '0.16.0', releaseDate: '2026.6.5', tui: 'rejected' },
  // §18.3: --tui back as a hidden no-op; before 06-13 (§1.1 3380563d9) and 06-21 (7726ce304). Version invented.
  { id: '2026.6.10', generation: 'G1', version: '0.16.2', releaseDate: '2026.6.10' },
  // §0 / §1.2: v0.18.0 (release 2026.7.1, 88d1d6206).
  { id: '2026.7.1', generation: 'G2', version: '0.18.0', releaseDate: '2026.7.1', configVersion: 23 },
  // §1.2 G3 / §11: newest version seen, 0.21.3 (2026.9.14).
  { id: '2026.9.14', generation: 'G3', version: '0.21.3', releaseDate: '2026.9.14', configVersion: 26 },
  // §18.6: hermes_cli 0.21.5 (2026.9.24), version from the install stamp.
  {
    id: '2026.9.24',
    generation: 'G3',
    version: '0.21.5',
    releaseDate: '2026.9.24',
    configVersion: 26,
    versionFromStamp: true,
  },
  // §18.6: the rabbit_cli rebrand (e03d71588629…, 2026.9.24). Server behaviour assumed G3 (README).
  {
    id: 'rabbit-2026.9.24',
    generation: 'G3',
    product: 'rabbit',
    version: '0.21.5',
    releaseDate: '2026.9.24',
    configVersion: 26,
    versionFromStamp: true,
  },
  // §18.6 "a version newer than it knows that also lacks the capabilities it needs": invented build without the
  // `dashboard` subcommand and whose `serve` has no --host/--insecure (binds loopback only).
  {
    id: 'future-2027.1.15',
    generation: 'G3',
    version: '0.30.0',
    releaseDate: '2027.1.15',
    configVersion: 31,
    versionFromStamp: true,
    hasDashboardCommand: false,
    hasHostFlag: false,
  },
];

const BY_ID = new Map<string, BuildInfo>(ROWS.map((r) => [r.id, { ...BASE, ...r }]));

/** The build a bare `generation` in the state file stands for. */
export const DEFAULT_BUILD: Record<Generation, string> = {
  G0: '2026.5.28',
  G1: '2026.6.10',
  G2: '2026.7.1',
  G3: '2026.9.14',
};

export function listBuildIds(): string[] {
  return ROWS.map((r) => r.id);
}

export function findBuild(id: string): BuildInfo | undefined {
  return BY_ID.get(id);
}

export function getBuild(id: string): BuildInfo {
  const b = BY_ID.get(id);
  if (!b) throw new Error(`unknown simulated build ${id} (known: ${listBuildIds().join(', ')})`);
  return b;
}

/** `updateTo` may name a generation (its default build) or a build id. */
export function resolveBuildRef(ref: string): BuildInfo {
  return getBuild(ref in DEFAULT_BUILD ? DEFAULT_BUILD[ref as Generation] : ref);
}

export const STAMP_FILE = 'install-stamp.json';

/** §18.6: `baseVersion` of the install stamp, or `0.0.0` when it is missing or unreadable. */
export function resolveVersion(build: BuildInfo, installDir: string): string {
  if (!build.versionFromStamp) return build.version;
  try {
    const stamp = JSON.parse(fs.readFileSync(path.join(installDir, STAMP_FILE), 'utf8')) as { baseVersion?: unknown };
    return typeof stamp.baseVersion === 'string' && stamp.baseVersion !== '' ? stamp.baseVersion : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export interface ProductNames {
  /** `Hermes Agent` / `Rabbit Agent` (§11 line 1). */
  title: string;
  cli: string;
  /** Environment prefix of `<P>_HOME` and `<P>_DASHBOARD_*` (§3, §18.6). */
  envPrefix: string;
  homeDirName: string;
}

export function getProductNames(build: BuildInfo): ProductNames {
  return build.product === 'rabbit'
    ? { title: 'Rabbit Agent', cli: 'rabbit', envPrefix: 'RABBIT', homeDirName: '.rabbit' }
    : { title: 'Hermes Agent', cli: 'hermes', envPrefix: 'HERMES', homeDirName: '.hermes' };
}

/** `HERMES_DASHBOARD_SESSION_TOKEN` → `RABBIT_DASHBOARD_SESSION_TOKEN` on the rebrand (§18.6). */
export function envKey(build: BuildInfo, suffix: string): string {
  return `${getProductNames(build).envPrefix}_${suffix}`;
}
