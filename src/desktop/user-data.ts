// Where the Hermes desktop app keeps connection.json (docs/hermes-contract.md#c15): Electron's userData. From
// NousResearch/hermes-agent apps/desktop/electron/data-paths.ts (@06ef8ce7) `resolveDesktopUserData`:
// HERMES_DESKTOP_USER_DATA_DIR (resolved) wins, else the default folder + HERMES_DATA_DIR_SUFFIX. The default folder
// is `<appData>/<appNamePascal>` (apps/desktop/product-identity.cjs @70bd10ac, electron/product-identity.ts
// @48dda0ef): `Hermes`, `HermesLight` for the Light build, `HermesBundled` for the bundled/Store build. Other builds
// (Light, bundled, a canary with a suffix) are reached with --user-data-dir.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import path, { join, win32 } from 'node:path';

/** The app variants and their userData folder names (product-identity.cjs `appNamePascal`). */
export const APP_FOLDERS = [
  { folder: 'Hermes', build: 'Hermes' },
  { folder: 'HermesLight', build: 'Hermes Light' },
  { folder: 'HermesBundled', build: 'Hermes (bundled / Store)' },
] as const;

/** Electron's appData for this OS. */
export function appDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support');
  if (platform === 'win32') return env['APPDATA'] || win32.join(home, 'AppData', 'Roaming');
  return env['XDG_CONFIG_HOME'] || join(home, '.config');
}

export function desktopUserDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
  override?: string,
): string {
  const p = platform === 'win32' ? win32 : path;
  if (override) return p.resolve(override);
  const fromEnv = env['HERMES_DESKTOP_USER_DATA_DIR'];
  if (fromEnv) return p.resolve(fromEnv);
  return p.join(appDataDir(env, platform, home), 'Hermes') + (env['HERMES_DATA_DIR_SUFFIX'] ?? '');
}

export function connectionFilePath(userDataDir: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? win32.join(userDataDir, 'connection.json') : join(userDataDir, 'connection.json');
}

/** Other app builds' folders that exist here (to mention --user-data-dir when they are not the one written). */
export function otherAppFolders(
  chosen: string,
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home = homedir(),
  exists: (p: string) => boolean = existsSync,
): Array<{ dir: string; build: string }> {
  const base = appDataDir(env, platform, home);
  const p = platform === 'win32' ? win32 : path;
  return APP_FOLDERS.map((f) => ({ dir: p.join(base, f.folder), build: f.build })).filter(
    (f) => f.dir !== chosen && exists(f.dir),
  );
}
