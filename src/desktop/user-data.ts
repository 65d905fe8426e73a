// Where the Hermes desktop app keeps connection.json (hermes-behaviour.md §14.2): Electron's userData for the app
// name `Hermes`, or HERMES_DESKTOP_USER_DATA_DIR when set.
import { homedir } from 'node:os';
import { join, win32 } from 'node:path';

export function desktopUserDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home = homedir()): string {
  const override = env['HERMES_DESKTOP_USER_DATA_DIR'];
  if (override) return override;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Hermes');
  if (platform === 'win32') return win32.join(env['APPDATA'] || win32.join(home, 'AppData', 'Roaming'), 'Hermes');
  return join(env['XDG_CONFIG_HOME'] || join(home, '.config'), 'Hermes');
}

export function connectionFilePath(userDataDir: string, platform: NodeJS.Platform = process.platform): string {
  return platform === 'win32' ? win32.join(userDataDir, 'connection.json') : join(userDataDir, 'connection.json');
}
