// Is the Hermes desktop app running on this machine? It must be quit before connection.json is edited: older builds
// cache the file and write their copy back when they save settings (docs/hermes-contract.md#c15; the 0.18
// `readDesktopConnectionConfig` returns its cache without looking at the file again). The app's executable is named
// after its product name, `Hermes` or `Hermes Light` (apps/desktop/electron-builder.config.cjs @00067189:
// `executableName: displayName`, mac `CFBundleExecutable`); the Hermes CLI is `hermes` (lower case) or python, and
// Electron's helpers are `Hermes Helper …` — neither matches.
import { execFile } from 'node:child_process';

export interface AppProcess {
  pid: number;
  name: string;
}

const NAMES = new Set(['Hermes', 'Hermes Light']);

/** `ps -A -o pid= -o comm=` lines (Linux: the 15-character comm; macOS: the executable path). Pure. */
export function parsePsOutput(text: string): AppProcess[] {
  const found: AppProcess[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const comm = m[2]!;
    const base = comm.slice(comm.lastIndexOf('/') + 1);
    if (NAMES.has(base) || /\/Hermes(?: Light)?\.app\/Contents\/MacOS\/Hermes(?: Light)?$/.test(comm))
      found.push({ pid: Number(m[1]), name: base });
  }
  return found;
}

/** `tasklist /FO CSV /NH` lines. Pure. */
export function parseTasklist(text: string): AppProcess[] {
  const found: AppProcess[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^"([^"]+)","(\d+)"/.exec(line);
    if (m && /^Hermes(?: Light)?\.exe$/i.test(m[1]!)) found.push({ pid: Number(m[2]), name: m[1]! });
  }
  return found;
}

function run(cmd: string, args: string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: 5000, maxBuffer: 8 * 1024 * 1024, windowsHide: true }, (err, stdout) =>
      resolve(err ? undefined : stdout),
    );
  });
}

/** The running app's processes; [] when none or when the process list cannot be read. */
export async function findDesktopApp(platform: NodeJS.Platform = process.platform): Promise<AppProcess[]> {
  if (platform === 'win32') {
    const out = await run('tasklist', ['/FO', 'CSV', '/NH']);
    return out ? parseTasklist(out) : [];
  }
  const out = await run('ps', ['-A', '-o', 'pid=', '-o', 'comm=']);
  return out ? parsePsOutput(out) : [];
}
