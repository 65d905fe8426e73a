/**
 * What `hermes update` rewrites per install layout (§18.4 "What changes on upgrade"): the git checkout + venv
 * (installer), that venv (pipx, uv tool), site-packages (pip --user), or the prefix (system / Homebrew-style).
 * Nothing else under $HOME changes, apart from Hermes's own logs and the update marker.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { BuildInfo } from './builds.cjs';
import type { SimContext } from './context.cjs';

/** §10.2 / §18.4: non-git installs upgrade through their installer. Null = a git checkout. */
export function describeUpgradeTool(layout: string | undefined): string | null {
  if (layout === 'pipx') return 'pipx upgrade hermes-agent';
  if (layout === 'uv-tool') return 'uv tool upgrade hermes-agent';
  if (layout === 'pip-user') return 'uv pip install --upgrade hermes-agent';
  if (layout === 'homebrew') return 'brew upgrade hermes-agent';
  return null;
}

function writeAtomic(file: string, content: string, mode: number): void {
  const tmp = `${file}.sim-upgrade-${process.pid}`;
  fs.writeFileSync(tmp, content, { mode });
  fs.chmodSync(tmp, mode);
  fs.renameSync(tmp, file);
}

/** Rewrites an entry script (new inode, new build line) keeping its `require(...)` target under `pkgRoot`. */
function rewriteEntry(file: string, target: BuildInfo, pkgRoot: string): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return;
  }
  const lines = text.split('\n').filter((l) => !l.startsWith('// hermes-agent '));
  const body = lines
    .join('\n')
    .replace(/require\("[^"]*\/sim\/main\.cjs"\)/, `require(${JSON.stringify(path.join(pkgRoot, 'sim', 'main.cjs'))})`);
  const [shebang, ...rest] = body.split('\n');
  writeAtomic(file, [shebang, `// hermes-agent ${target.version} (${target.id})`, ...rest].join('\n'), 0o755);
}

/** `hermes_agent-<ver>.dist-info` is replaced by the new version's (pip-style installs). */
function replaceDistInfo(pkgRoot: string, target: BuildInfo): void {
  for (const name of fs.readdirSync(pkgRoot)) {
    if (/^hermes_agent-.*\.dist-info$/.test(name))
      fs.rmSync(path.join(pkgRoot, name), { recursive: true, force: true });
  }
  const dir = path.join(pkgRoot, `hermes_agent-${target.version}.dist-info`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'METADATA'),
    `Metadata-Version: 2.1\nName: hermes-agent\nVersion: ${target.version}\n`,
  );
}

/** Homebrew-style: a new Cellar version directory, the bin symlink re-pointed, the old version removed. */
function upgradePrefix(ctx: SimContext, target: BuildInfo): string {
  const entry = ctx.state.entry ?? '';
  const m = /^(.*\/Cellar\/hermes-agent)\/([^/]+)\//.exec(entry);
  if (!m || !ctx.state.command) return ctx.statePath;
  const [oldDir, newDir] = [`${m[1]}/${m[2]}`, `${m[1]}/${target.version}`];
  if (oldDir === newDir) {
    rewriteEntry(entry, target, ctx.installDir);
    return ctx.statePath;
  }
  fs.cpSync(oldDir, newDir, { recursive: true });
  const newRoot = ctx.installDir.replace(oldDir, newDir);
  const newEntry = entry.replace(oldDir, newDir);
  rewriteEntry(newEntry, target, newRoot);
  const link = `${ctx.state.command}.sim-upgrade-${process.pid}`;
  fs.symlinkSync(path.relative(path.dirname(ctx.state.command), newEntry), link);
  fs.renameSync(link, ctx.state.command);
  fs.rmSync(oldDir, { recursive: true, force: true });
  ctx.state.entry = newEntry;
  return path.join(newRoot, '.sim-state.json');
}

/** Applies the layout's upgrade; returns where the state file now lives. */
export function upgradeInstallFiles(ctx: SimContext, target: BuildInfo): string {
  const layout = ctx.state.layout ?? 'installer';
  if (layout === 'homebrew') return upgradePrefix(ctx, target);
  const entry = ctx.state.entry ?? path.join(ctx.installDir, 'venv', 'bin', 'hermes');
  // pip --user: §18.4 names only site-packages; its plain script in ~/.local/bin is left as it is.
  if (layout !== 'pip-user') rewriteEntry(entry, target, ctx.installDir);
  const python = path.join(path.dirname(entry), 'python');
  if (fs.existsSync(python)) rewriteEntry(python, target, ctx.installDir);
  if (describeUpgradeTool(layout)) replaceDistInfo(ctx.installDir, target);
  else fs.writeFileSync(path.join(ctx.installDir, '.sim-git-head'), `${Date.now().toString(16).padStart(40, '0')}\n`);
  return ctx.statePath;
}
