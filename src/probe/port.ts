// Port checks (peers.md §5): a POSIX sh script that asks lsof, then ss, then /proc/net/tcp{,6} who listens on
// a port and prints one tagged block per source; pure parsers turn its output into Listeners; bindFitsMode
// compares the bind address with what was asked for.
import { canonicalAddress, isLoopback, isWildcard } from './address.js';
import { type Listener, parseLsofListeners, parseProcNetTcp, parseSsListeners } from './listeners.js';

export { isLoopback, isPrivate, isTailnet, isWildcard } from './address.js';
export { type Listener, parseLsofListeners, parseProcNetTcp, parseSsListeners } from './listeners.js';

const MARK = '@@hs-port';

/** `check` without --port: the port the state file records (a top-level `"port": N` line), else `fallback`. */
export interface RecordedPort {
  recordedOr: number;
}

export type PortSpec = number | RecordedPort;

const STATE_FILE = '"$HOME/.hermes/.hermes-setup-state.json"';

function checkPort(port: number): number {
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`bad port: ${port}`);
  return port;
}

/** The port's shell words: literals, or (recorded) variables set from the state file, announced in the output. */
function portWords(spec: PortSpec): { pre: string; port: string; hex: string } {
  if (typeof spec === 'number')
    return { pre: '', port: String(checkPort(spec)), hex: spec.toString(16).toUpperCase().padStart(4, '0') };
  return {
    pre: `hs_port=$(sed -n 's/^  "port": \\([0-9][0-9]*\\),\\{0,1\\}$/\\1/p' ${STATE_FILE} 2>/dev/null)
case $hs_port in ''|*[!0-9]*) hs_port=${checkPort(spec.recordedOr)};; esac
hs_hex=$(printf '%04X' "$hs_port")
echo "${MARK} port $hs_port"
`,
    port: '$hs_port',
    hex: '$hs_hex',
  };
}

/**
 * POSIX sh, no bashisms, no awk. Sources are tried in order until one reports a listener; the env var
 * HS_PORT_SOURCES (comma list of lsof, ss, proc) restricts and orders nothing but which ones may run.
 * /proc rows are filtered in sh and joined to pids through `ls -l /proc/<pid>/fd` (no per-fd forks).
 */
export function renderPortScript(spec: PortSpec): string {
  const { pre, port, hex } = portWords(spec);
  return `# hermes-setup: who listens on TCP ${port}
${pre}srcs=",\${HS_PORT_SOURCES:-lsof,ss,proc},"
found=
hs_find() { for c in "$@"; do case $c in /*) if [ -x "$c" ]; then echo "$c"; return 0; fi;; *) command -v "$c" 2>/dev/null && return 0;; esac; done; return 1; }
hs_block() { name=$1; shift; out=$("$@" 2>/dev/null); rc=$?; echo "${MARK} begin $name"; if [ -n "$out" ]; then printf '%s\\n' "$out"; found=1; fi; echo "${MARK} end $name rc=$rc"; }
case $srcs in *,lsof,*)
  if bin=$(hs_find lsof /usr/sbin/lsof /usr/bin/lsof /sbin/lsof); then hs_block lsof "$bin" -nP -iTCP:${port} -sTCP:LISTEN -Fpctn; else echo "${MARK} missing lsof"; fi;;
esac
if [ -z "$found" ]; then case $srcs in *,ss,*)
  if bin=$(hs_find ss /usr/sbin/ss /sbin/ss /usr/bin/ss /bin/ss); then
    hs_block ss "$bin" -Hltnp "sport = :${port}"
    if [ "$rc" != 0 ]; then hs_block ss "$bin" -ltnp "sport = :${port}"; fi
  else echo "${MARK} missing ss"; fi;;
esac; fi
hs_rows() { while read -r sl loc rem st rest; do case "$loc:$st" in *:${hex}:0A) echo "$sl $loc $rem $st $rest"; set -- $rest; inodes="$inodes $6";; esac; done < "$1"; }
if [ -z "$found" ]; then case $srcs in *,proc,*)
  if [ -r /proc/net/tcp ] || [ -r /proc/net/tcp6 ]; then
    inodes=
    for f in tcp tcp6; do
      echo "${MARK} begin proc-$f"; if [ -r /proc/net/$f ]; then hs_rows /proc/net/$f; fi; echo "${MARK} end proc-$f rc=0"
    done
    echo "${MARK} begin proc-pids"
    if [ -n "$inodes" ]; then
      ls -l /proc/[0-9]*/fd 2>/dev/null | while IFS= read -r line; do
        case $line in
          /proc/*/fd:) pid=\${line#/proc/}; pid=\${pid%/fd:} ;;
          *"socket:["*"]") ino=\${line##*socket:\\[}; ino=\${ino%]}
            case " $inodes " in *" $ino "*) comm=; read -r comm 2>/dev/null < /proc/$pid/comm; echo "$pid $ino $comm";; esac ;;
        esac
      done
    fi
    echo "${MARK} end proc-pids rc=0"
  else echo "${MARK} missing proc"; fi;;
esac; fi
exit 0
`;
}

export interface PortScriptBlock {
  name: string;
  rc?: number;
  text: string;
}

/** The tagged blocks of renderPortScript output, plus the sources reported missing. */
export function parsePortScriptBlocks(out: string): { blocks: PortScriptBlock[]; missing: string[] } {
  const blocks: PortScriptBlock[] = [];
  const missing: string[] = [];
  let current: { name: string; lines: string[] } | undefined;
  for (const line of out.split('\n')) {
    const m = new RegExp(`^${MARK} (begin|end|missing) (\\S+)(?: rc=(\\d+))?$`).exec(line.trim());
    if (!m) {
      current?.lines.push(line);
      continue;
    }
    const [, what, name = ''] = m;
    if (what === 'missing') missing.push(name);
    else if (what === 'begin') current = { name, lines: [] };
    else if (current) {
      blocks.push({ name, rc: m[3] === undefined ? undefined : Number(m[3]), text: current.lines.join('\n') });
      current = undefined;
    }
  }
  return { blocks, missing };
}

/** The port a recorded-port script checked (its `port N` line), if it is one. */
export function checkedPort(out: string): number | undefined {
  const m = new RegExp(`^${MARK} port (\\d+)$`, 'm').exec(out);
  return m ? Number(m[1]) : undefined;
}

/** Listeners on `port` (or on the port a recorded-port script announced) from the first source that reported
 * any (lsof, ss, then /proc joined with pids). */
export function parsePortScriptOutput(out: string, asked: number): Listener[] {
  const port = checkedPort(out) ?? asked;
  const { blocks } = parsePortScriptBlocks(out);
  const text = (name: string): string =>
    blocks
      .filter((b) => b.name === name)
      .map((b) => b.text)
      .join('\n');
  const candidates: Listener[][] = [
    parseLsofListeners(text('lsof')),
    parseSsListeners(text('ss')),
    joinProcPids(parseProcNetTcp(text('proc-tcp'), text('proc-tcp6'), port), text('proc-pids')),
  ];
  for (const found of candidates) {
    const onPort = found.filter((l) => l.port === port);
    if (onPort.length > 0) return onPort;
  }
  return [];
}

function joinProcPids(listeners: Listener[], pidsText: string): Listener[] {
  const byInode = new Map<number, { pid: number; command?: string }>();
  for (const line of pidsText.split('\n')) {
    const m = /^(\d+) (\d+) ?(.*)$/.exec(line.trim());
    if (m && !byInode.has(Number(m[2])))
      byInode.set(Number(m[2]), { pid: Number(m[1]), ...(m[3] ? { command: m[3] } : {}) });
  }
  return listeners.map((l) => (l.inode !== undefined && byInode.has(l.inode) ? { ...l, ...byInode.get(l.inode) } : l));
}

function matchesBind(l: Listener, bind: string): boolean {
  const want = canonicalAddress(bind);
  if (want === 'localhost') return isLoopback(l.address);
  if (want === '0.0.0.0') return l.address === '0.0.0.0' || l.address === '*';
  if (isWildcard(want)) return l.address === '::' || l.address === '*';
  return canonicalAddress(l.address) === want;
}

function describe(ls: Listener[]): string {
  return ls
    .map(
      (l) =>
        `${l.family === 6 && l.address !== '*' ? `[${l.address}]` : l.address}:${l.port}${l.pid ? ` (pid ${l.pid}${l.command ? ` ${l.command}` : ''})` : ''}`,
    )
    .join(', ');
}

/**
 * Does the dashboard listen where it was told to? An exact address match is required: a wildcard listener
 * when a specific address was asked for is broader than wanted (another instance, or old arguments), and a
 * loopback listener when a tailnet/LAN address was asked for means those URLs cannot work.
 */
export function bindFitsMode(listeners: Listener[], want: { bind: string }): { ok: boolean; detail: string } {
  if (listeners.length === 0) return { ok: false, detail: `nothing is listening (wanted ${want.bind})` };
  const hits = listeners.filter((l) => matchesBind(l, want.bind));
  const others = listeners.filter((l) => !hits.includes(l));
  if (hits.length > 0) {
    return {
      ok: true,
      detail: `listening on ${describe(hits)}${others.length ? `; also on ${describe(others)}` : ''}`,
    };
  }
  let why = '';
  if (listeners.every((l) => isLoopback(l.address)) && !isLoopback(want.bind))
    why = ` — loopback only, so URLs for ${want.bind} cannot work`;
  else if (listeners.some((l) => isWildcard(l.address)) && !isWildcard(want.bind))
    why = ' — on all interfaces, broader than asked (another instance or old arguments?)';
  return { ok: false, detail: `wanted ${want.bind} but listening on ${describe(listeners)}${why}` };
}
