/**
 * Installs the relay simulator on a target: the plugin (as `hermes plugins install Codename-11/hermes-relay/plugin
 * --enable` would) under ~/.hermes/plugins/hermes-relay, the `hermes pair` dispatch in the simulator's entry point,
 * the simulator knobs (~/.hermes/hermes-relay-sim.json), and the relay itself as a background process on 0.0.0.0:8767.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { shQuote, type ExecFn } from '../simulator/install.js';

export interface BucketLimits {
  max: number;
  windowSeconds: number;
  blockSeconds: number;
}

/** The simulator's knobs (`~/.hermes/hermes-relay-sim.json`); see src/config.cts and README.md. */
export interface RelaySimConfig {
  port?: number;
  lanIp?: string;
  /** Unset = the host has no Tailscale. */
  tailnetIp?: string;
  codeTtlSeconds?: number;
  sessionTtlSeconds?: number;
  rateLimits?: { pairing?: Partial<BucketLimits>; session?: Partial<BucketLimits> };
  endpointOverrides?: Partial<Record<'lan' | 'tailscale' | 'public', string>>;
  tokenHexPrefix?: string;
  colorOutput?: boolean;
  mintIgnoresTtl?: boolean;
}

export interface RelayInstallOptions extends RelaySimConfig {
  home: string;
  nodePath?: string;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SRC_DIR = path.join(HERE, 'src');
const DIST_DIR = path.join(HERE, 'dist');
const REPO_ROOT = path.resolve(HERE, '..', '..');

function newest(dir: string, ext: string): number {
  if (!fs.existsSync(dir)) return 0;
  return Math.max(
    0,
    ...fs
      .readdirSync(dir)
      .filter((n) => n.endsWith(ext))
      .map((n) => fs.statSync(path.join(dir, n)).mtimeMs),
  );
}

/** Rebuilds dist with tsc when it is missing or older than the sources. */
export function ensureRelaySimBuilt(): void {
  if (fs.existsSync(path.join(DIST_DIR, 'relay-main.cjs')) && newest(SRC_DIR, '.cts') <= newest(DIST_DIR, '.cjs'))
    return;
  const tsc = path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', path.join(HERE, 'tsconfig.json')], { stdio: 'inherit' });
}

function buildBundle(): string {
  ensureRelaySimBuilt();
  const files: Record<string, string> = {
    'plugin.yaml':
      'name: hermes-relay\nversion: 1.9.0-sim\ndescription: Hermes-Relay (simulator) — pairing and relay server\n',
  };
  for (const name of fs.readdirSync(DIST_DIR))
    if (name.endsWith('.cjs')) files[name] = fs.readFileSync(path.join(DIST_DIR, name), 'utf8');
  return zlib.gzipSync(Buffer.from(JSON.stringify({ files }))).toString('base64');
}

const EXTRACT_JS = [
  'const fs=require("fs"),path=require("path"),zlib=require("zlib");',
  'const dir=process.argv[1];let b64="";process.stdin.setEncoding("utf8");',
  'process.stdin.on("data",(c)=>{b64+=c;});',
  'process.stdin.on("end",()=>{const j=JSON.parse(zlib.gunzipSync(Buffer.from(b64,"base64")).toString("utf8"));',
  'for(const [rel,content] of Object.entries(j.files)){const f=path.join(dir,rel);',
  'fs.mkdirSync(path.dirname(f),{recursive:true});fs.writeFileSync(f,content);}});',
].join('');

// Inserted after the shebang of <install>/venv/bin/hermes: `hermes pair` runs the plugin when it is installed.
const DISPATCH_JS = [
  'const fs=require("fs");const f=process.argv[1];const t=fs.readFileSync(f,"utf8");',
  'if(t.includes("hermes-relay plugin dispatch"))process.exit(0);const i=t.indexOf("\\n")+1;',
  'const line="{ /* hermes-relay plugin dispatch */ const p=require(\\"path\\").join(process.env.HERMES_HOME||require(\\"path\\").join(require(\\"os\\").homedir(),\\".hermes\\"),\\"plugins\\",\\"hermes-relay\\",\\"pair-main.cjs\\");',
  ' if(process.argv[2]===\\"pair\\"&&require(\\"fs\\").existsSync(p)){process.argv.splice(2,1);require(p);return;} }\\n";',
  'fs.writeFileSync(f,t.slice(0,i)+line+t.slice(i));',
].join('');

function renderConfig(o: RelayInstallOptions): string {
  const { home: _h, nodePath: _n, ...cfg } = o;
  return `${JSON.stringify(cfg, null, 2)}\n`;
}

export function renderRelayInstallScript(o: RelayInstallOptions): string {
  const hermesHome = `${o.home}/.hermes`;
  return `set -eu
NODE_BIN=$(command -v ${shQuote(o.nodePath ?? 'node')} 2>/dev/null || true)
[ -n "$NODE_BIN" ] || { echo "relay-sim install: node not found" >&2; exit 127; }
HH=${shQuote(hermesHome)}
PLUGIN="$HH/plugins/hermes-relay"
ENTRY="$HH/hermes-agent/venv/bin/hermes"
[ -f "$ENTRY" ] || { echo "relay-sim install: the Hermes simulator is not installed ($ENTRY)" >&2; exit 1; }
mkdir -p "$PLUGIN" "$HH/logs"
"$NODE_BIN" -e ${shQuote(EXTRACT_JS)} "$PLUGIN"
"$NODE_BIN" -e ${shQuote(DISPATCH_JS)} "$ENTRY"
cat > "$HH/hermes-relay-sim.json" <<'CFG_EOF'
${renderConfig(o)}CFG_EOF
${renderRestart(o)}`;
}

// /health over http, or over https when the relay runs with RELAY_SSL_CERT (self-signed: not verified here).
const HEALTH_JS = [
  'const p=+process.argv[1];const ok=(r)=>process.exit(r.statusCode===200?0:1);',
  'require("http").get({host:"127.0.0.1",port:p,path:"/health"},ok).on("error",()=>',
  'require("https").get({host:"127.0.0.1",port:p,path:"/health",rejectUnauthorized:false},ok).on("error",()=>process.exit(1)));',
].join('');

function renderRestart(o: RelayInstallOptions): string {
  const hermesHome = `${o.home}/.hermes`;
  const port = o.port ?? 8767;
  return `HH=${shQuote(hermesHome)}
NODE_BIN=$(command -v ${shQuote(o.nodePath ?? 'node')})
PIDF="$HH/hermes-relay.pid"
if [ -f "$PIDF" ]; then kill "$(cat "$PIDF")" 2>/dev/null || true; sleep 0.2; fi
HERMES_HOME="$HH" setsid nohup "$NODE_BIN" "$HH/plugins/hermes-relay/relay-main.cjs" >"$HH/logs/hermes-relay.log" 2>&1 </dev/null &
echo $! > "$PIDF"
i=0
until "$NODE_BIN" -e ${shQuote(HEALTH_JS)} ${port}; do
  i=$((i+1)); [ $i -lt 50 ] || { echo "relay-sim: not listening on ${port}" >&2; cat "$HH/logs/hermes-relay.log" >&2; exit 1; }
  sleep 0.1
done
echo "hermes-relay (sim) running, pid $(cat "$PIDF")"
`;
}

export async function installRelaySim(exec: ExecFn, o: RelayInstallOptions): Promise<void> {
  const r = await exec(`sh -c ${shQuote(renderRelayInstallScript(o))}`, `${buildBundle()}\n`);
  if (r.code !== 0)
    throw new Error(`relay simulator install failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
}

/** Replaces the simulator knobs (read on every request, so no restart is needed). */
export async function setRelaySimConfig(exec: ExecFn, o: RelayInstallOptions): Promise<void> {
  const r = await exec(`cat > ${shQuote(`${o.home}/.hermes/hermes-relay-sim.json`)}`, renderConfig(o));
  if (r.code !== 0) throw new Error(`relay simulator config failed: ${r.stderr}`);
}

/** Restarts the relay (forgets pending codes and rate-limit state; sessions stay on disk). */
export async function restartRelaySim(exec: ExecFn, o: RelayInstallOptions): Promise<void> {
  const r = await exec(`sh -c ${shQuote(renderRestart(o))}`);
  if (r.code !== 0) throw new Error(`relay simulator restart failed: ${r.stderr}`);
}

/** Stops the relay process (the plugin stays installed). */
export async function stopRelaySim(exec: ExecFn, home: string): Promise<void> {
  const pidf = shQuote(`${home}/.hermes/hermes-relay.pid`);
  await exec(`if [ -f ${pidf} ]; then kill "$(cat ${pidf})" 2>/dev/null || true; rm -f ${pidf}; sleep 0.2; fi`);
}

/** Removes the plugin (the relay process keeps running until restarted). */
export async function removeRelayPlugin(exec: ExecFn, home: string): Promise<void> {
  await exec(`rm -rf ${shQuote(`${home}/.hermes/plugins/hermes-relay`)}`);
}
