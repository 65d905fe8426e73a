/**
 * Installs the Hermes simulator on a target (local or over SSH) through a single `sh -c` script
 * that reads the bundle as base64 text on stdin. See README.md for the layout.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

export type Generation = 'G0' | 'G1' | 'G2' | 'G3';

export interface SimInstallOptions {
  generation: Generation;
  updateTo?: Generation;
  home: string;
  /** Default 'node', resolved with `command -v` on the target. */
  nodePath?: string;
  layout?: 'user' | 'root-fhs';
  /** Commits reported by `hermes update` / `--check` / `--version` while `updateTo` is set (default 42). */
  updateCommits?: number;
  /** Seconds `hermes update` sleeps while holding `.hermes-update-in-progress`. */
  updateDelaySeconds?: number;
  /** Makes `hermes update` fail at the fetch step with upstream's message. */
  updateError?: 'network' | 'auth' | 'fetch';
  /** 'host' (default, like upstream) or 'install': only touch dashboards of this install (parallel tests). */
  processScope?: 'host' | 'install';
}

export type ExecFn = (cmd: string, stdin?: Buffer | string) => Promise<{ code: number; stdout: string; stderr: string }>;

const SIM_DIR = path.dirname(fileURLToPath(import.meta.url));
const SRC_DIR = path.join(SIM_DIR, 'src');
const DIST_DIR = path.join(SIM_DIR, 'dist');
const REPO_ROOT = path.resolve(SIM_DIR, '..', '..');

const INDEX_HTML = '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Hermes Agent</title></head>\n<body><div id="root"></div><script type="module" src="/assets/index.js"></script></body></html>\n';

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
export async function buildSimulatorBundle(): Promise<Buffer> {
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

function renderState(opts: SimInstallOptions): string {
  const state: Record<string, unknown> = { generation: opts.generation };
  if (opts.updateTo) state['updateTo'] = opts.updateTo;
  if (opts.updateCommits !== undefined) state['updateCommits'] = opts.updateCommits;
  if (opts.updateDelaySeconds !== undefined) state['updateDelaySeconds'] = opts.updateDelaySeconds;
  if (opts.updateError) state['updateError'] = opts.updateError;
  if (opts.processScope) state['processScope'] = opts.processScope;
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

/** POSIX sh script; the bundle arrives base64-encoded on stdin. */
export function renderInstallScript(opts: SimInstallOptions): string {
  const fhs = opts.layout === 'root-fhs';
  const installDir = fhs ? '/usr/local/lib/hermes-agent' : `${opts.home}/.hermes/hermes-agent`;
  const shim = fhs ? '/usr/local/bin/hermes' : `${opts.home}/.local/bin/hermes`;
  return `set -eu
NODE_BIN=$(command -v ${shQuote(opts.nodePath ?? 'node')} 2>/dev/null || true)
if [ -z "$NODE_BIN" ]; then echo "hermes-sim install: node not found (${opts.nodePath ?? 'node'})" >&2; exit 127; fi
INSTALL_DIR=${shQuote(installDir)}
SHIM=${shQuote(shim)}
mkdir -p "$INSTALL_DIR/venv/bin" "$(dirname "$SHIM")" ${shQuote(`${opts.home}/.hermes/logs`)}
rm -rf "$INSTALL_DIR/sim"
"$NODE_BIN" -e ${shQuote(EXTRACT_JS)} "$INSTALL_DIR"
for name in hermes python; do
  {
    printf '#!%s\\n' "$NODE_BIN"
    if [ "$name" = python ]; then
      printf '%s\\n' 'if (process.argv[2] === "-m" && process.argv[3] === "hermes_cli.main") process.argv.splice(2, 2);'
    fi
    printf 'require(%s);\\n' "\\"$INSTALL_DIR/sim/main.cjs\\""
  } > "$INSTALL_DIR/venv/bin/$name"
  chmod 755 "$INSTALL_DIR/venv/bin/$name"
done
cat > "$SHIM" <<SHIM_EOF
#!/usr/bin/env bash
# Hermes Agent launcher (simulator): mirrors upstream's shim.
unset PYTHONPATH
unset PYTHONHOME
exec "$NODE_BIN" "$INSTALL_DIR/venv/bin/hermes" "\\$@"
SHIM_EOF
chmod 755 "$SHIM"
cat > "$INSTALL_DIR/.sim-state.json" <<'STATE_EOF'
${renderState(opts)}
STATE_EOF
echo "hermes-sim ${opts.generation} installed in $INSTALL_DIR (shim $SHIM)"
`;
}

export async function installSimulator(exec: ExecFn, opts: SimInstallOptions): Promise<void> {
  const bundle = await buildSimulatorBundle();
  const r = await exec(`sh -c ${shQuote(renderInstallScript(opts))}`, bundle.toString('base64') + '\n');
  if (r.code !== 0) throw new Error(`hermes simulator install failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
}
