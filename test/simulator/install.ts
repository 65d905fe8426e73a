/**
 * Installs the Hermes simulator on a target (local or over SSH) through a single `sh -c` script
 * that reads the bundle as base64 text on stdin. See README.md for the layout.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { type LayoutPaths, type SimLayout, resolveLayout } from './install-layouts.js';

export type { SimLayout } from './install-layouts.js';

export type Generation = 'G0' | 'G1' | 'G2' | 'G3';

export interface SimInstallOptions {
  generation: Generation;
  /** A build id of `src/builds.cts` (e.g. '2026.6.3', 'rabbit-2026.9.24'); refines `generation`. */
  build?: string;
  /** Generation or build id `hermes update` moves to. */
  updateTo?: string;
  home: string;
  /** Default 'node', resolved with `command -v` on the target. */
  nodePath?: string;
  layout?: SimLayout;
  /** Installer layouts only: §12 bash shim (default) or §18.4 symlink at the command path. */
  shim?: 'bash' | 'symlink';
  /** Builds that read `install-stamp.json` (§18.6): write it (default) or leave it out (version 0.0.0). */
  installStamp?: boolean;
  /** Commits reported by `hermes update` / `--check` / `--version` while `updateTo` is set (default 42). */
  updateCommits?: number;
  /** Seconds `hermes update` sleeps while holding `.hermes-update-in-progress`. */
  updateDelaySeconds?: number;
  /** Makes `hermes update` fail at the fetch step with upstream's message. */
  updateError?: 'network' | 'auth' | 'fetch';
  /** 'host' (default, like upstream) or 'install': only touch dashboards of this install (parallel tests). */
  processScope?: 'host' | 'install';
  /** Test-only: re-roots `/usr/local` and `/opt/homebrew` (root-fhs, homebrew) under this directory. */
  fsRoot?: string;
}

export type ExecFn = (
  cmd: string,
  stdin?: Buffer | string,
) => Promise<{ code: number; stdout: string; stderr: string }>;

const SIM_DIR = path.dirname(fileURLToPath(import.meta.url));
const SRC_DIR = path.join(SIM_DIR, 'src');
const DIST_DIR = path.join(SIM_DIR, 'dist');
const REPO_ROOT = path.resolve(SIM_DIR, '..', '..');

const INDEX_HTML =
  '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Hermes Agent</title></head>\n<body><div id="root"></div><script type="module" src="/assets/index.js"></script></body></html>\n';

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const name of fs.readdirSync(dir)) {
    if (name.endsWith(ext)) newest = Math.max(newest, fs.statSync(path.join(dir, name)).mtimeMs);
  }
  return newest;
}

/** Rebuilds dist with tsc when it is missing or older than the sources. */
export function ensureSimulatorBuilt(): void {
  const main = path.join(DIST_DIR, 'main.cjs');
  const stale = !fs.existsSync(main) || newestMtime(SRC_DIR, '.cts') > newestMtime(DIST_DIR, '.cjs');
  if (!stale) return;
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(SIM_DIR, 'tsconfig.json')], { stdio: 'inherit' });
}

/** gzip'd JSON `{files: {relpath: content}}` of dist plus a stub web_dist. */
export function buildSimulatorBundle(): Buffer {
  ensureSimulatorBuilt();
  const files: Record<string, string> = {
    'package.json': '{"type":"commonjs","private":true}\n',
    'hermes_cli/web_dist/index.html': INDEX_HTML,
  };
  for (const name of fs.readdirSync(DIST_DIR)) {
    if (name.endsWith('.cjs')) files[`sim/${name}`] = fs.readFileSync(path.join(DIST_DIR, name), 'utf8');
  }
  return zlib.gzipSync(Buffer.from(JSON.stringify({ files })));
}

export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

interface BuildRow {
  id: string;
  generation: Generation;
  version: string;
  versionFromStamp: boolean;
}

/** The build table of `src/builds.cts`, from the compiled dist (single source of truth). */
export function loadBuildTable(): { resolve(ref: string): BuildRow; ids: string[] } {
  ensureSimulatorBuilt();
  const mod = createRequire(import.meta.url)(path.join(DIST_DIR, 'builds.cjs')) as {
    resolveBuildRef(ref: string): BuildRow;
    listBuildIds(): string[];
  };
  return { resolve: (ref) => mod.resolveBuildRef(ref), ids: mod.listBuildIds() };
}

function renderState(opts: SimInstallOptions, build: BuildRow, lay: LayoutPaths): string {
  const state: Record<string, unknown> = { generation: build.generation };
  if (opts.build) state['build'] = build.id;
  if (opts.updateTo) state['updateTo'] = opts.updateTo;
  if (opts.updateCommits !== undefined) state['updateCommits'] = opts.updateCommits;
  if (opts.updateDelaySeconds !== undefined) state['updateDelaySeconds'] = opts.updateDelaySeconds;
  if (opts.updateError) state['updateError'] = opts.updateError;
  if (opts.processScope) state['processScope'] = opts.processScope;
  Object.assign(state, { layout: lay.layout, entry: lay.entry, command: lay.command });
  return JSON.stringify(state, null, 2);
}

const EXTRACT_JS = [
  'const fs=require("fs"),path=require("path"),zlib=require("zlib");',
  'const dir=process.argv[1];let b64="";process.stdin.setEncoding("utf8");',
  'process.stdin.on("data",(c)=>{b64+=c;});',
  'process.stdin.on("end",()=>{const j=JSON.parse(zlib.gunzipSync(Buffer.from(b64,"base64")).toString("utf8"));',
  'for(const [rel,content] of Object.entries(j.files)){const f=path.join(dir,rel);',
  'fs.mkdirSync(path.dirname(f),{recursive:true});fs.writeFileSync(f,content);}});',
].join('');

/** The entry (and `python`) scripts: `#!<node>` + a build line + `require(<pkgRoot>/sim/main.cjs)`. */
function renderEntries(lay: LayoutPaths, build: BuildRow): string {
  const names = lay.python ? ['hermes', 'python'] : ['hermes'];
  return names
    .map((name) => {
      const file = name === 'hermes' ? lay.entry : `${path.posix.dirname(lay.entry)}/python`;
      const pyLine =
        name === 'python'
          ? `printf '%s\\n' 'if (process.argv[2] === "-m" && /^(hermes|rabbit)_cli\\.main$/.test(process.argv[3] ?? "")) process.argv.splice(2, 2);'\n`
          : '';
      return `{
  printf '#!%s\\n' "$NODE_BIN"
  printf '%s\\n' ${shQuote(`// hermes-agent ${build.version} (${build.id})`)}
${pyLine}  printf 'require(%s);\\n' "\\"$PKG/sim/main.cjs\\""
} > ${shQuote(file)}
chmod 755 ${shQuote(file)}`;
    })
    .join('\n');
}

/** §12 bash shim (default for installer layouts), §18.4 symlink, or nothing (pip --user: the entry is the command). */
function renderCommand(lay: LayoutPaths): string {
  if (lay.commandKind === 'entry') return '';
  // Homebrew links relatively (`../Cellar/…`); pipx and uv link the venv entry by absolute path.
  const target =
    lay.layout === 'homebrew' ? path.posix.relative(path.posix.dirname(lay.command), lay.entry) : lay.entry;
  if (lay.commandKind === 'symlink') return `rm -f "$CMD"; ln -s ${shQuote(target)} "$CMD"`;
  return `rm -f "$CMD"
cat > "$CMD" <<SHIM_EOF
#!/usr/bin/env bash
# Hermes Agent launcher (simulator): mirrors upstream's shim.
unset PYTHONPATH
unset PYTHONHOME
exec "$NODE_BIN" "${lay.entry}" "\\$@"
SHIM_EOF
chmod 755 "$CMD"`;
}

/** POSIX sh script; the bundle arrives base64-encoded on stdin. */
export function renderInstallScript(opts: SimInstallOptions): string {
  const table = loadBuildTable();
  const build = table.resolve(opts.build ?? opts.generation);
  const lay = resolveLayout(opts.layout, opts.home, opts.shim, build.version, opts.fsRoot);
  const stamp =
    build.versionFromStamp && opts.installStamp !== false
      ? `printf '{"baseVersion": "%s"}\\n' ${shQuote(build.version)} > "$PKG/install-stamp.json"`
      : '';
  const distInfo = lay.distInfo
    ? `mkdir -p "$PKG/hermes_agent-${build.version}.dist-info" && printf 'Metadata-Version: 2.1\\nName: hermes-agent\\nVersion: %s\\n' ${shQuote(build.version)} > "$PKG/hermes_agent-${build.version}.dist-info/METADATA"`
    : '';
  return `set -eu
NODE_BIN=$(command -v ${shQuote(opts.nodePath ?? 'node')} 2>/dev/null || true)
if [ -z "$NODE_BIN" ]; then echo "hermes-sim install: node not found (${opts.nodePath ?? 'node'})" >&2; exit 127; fi
PKG=${shQuote(lay.pkgRoot)}
CMD=${shQuote(lay.command)}
mkdir -p "$PKG" ${shQuote(path.posix.dirname(lay.entry))} "$(dirname "$CMD")" ${shQuote(`${opts.home}/.hermes/logs`)}
rm -rf "$PKG/sim"
"$NODE_BIN" -e ${shQuote(EXTRACT_JS)} "$PKG"
${renderEntries(lay, build)}
${renderCommand(lay)}
${stamp}
${distInfo}
cat > "$PKG/.sim-state.json" <<'STATE_EOF'
${renderState(opts, build, lay)}
STATE_EOF
echo "hermes-sim ${build.id} (${lay.layout}) installed in $PKG (command $CMD)"
`;
}

export async function installSimulator(exec: ExecFn, opts: SimInstallOptions): Promise<void> {
  const bundle = buildSimulatorBundle();
  const r = await exec(`sh -c ${shQuote(renderInstallScript(opts))}`, bundle.toString('base64') + '\n');
  if (r.code !== 0)
    throw new Error(`hermes simulator install failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
}
