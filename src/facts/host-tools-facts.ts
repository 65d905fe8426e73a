// Facts about the host's own tools, apart from the main facts script (others edit that one): where node and npm
// really are, so the service's PATH can reach them (issue 13 item 6), and FileVault (issue 13 item 5).
// The script part runs inside the facts script (its `val` helper); the parse part is pure.

/**
 * node/npm: the session's PATH, then the login shell's (`$SHELL -lc`, as hermes itself is looked up,
 * docs/hermes-contract.md#c13), and every usual install directory: nvm (`~/.nvm/versions/node/<v>/bin`), Volta
 * (`~/.volta/bin`), Hermes's bundled node (`~/.hermes/node/bin`, hermes-agent #34536), Homebrew on Apple silicon and
 * Intel. nvm/Volta put their PATH lines in ~/.zshrc, which no non-interactive shell reads, so the directories are
 * listed rather than trusted to a shell. FileVault: `fdesetup status` runs without root (fdesetup(8)).
 */
export function renderHostToolsScript(): string {
  return String.raw`
hs_which() { for c in node npm; do p=$(command -v "$c" 2>/dev/null); case $p in /*) printf '%s=%s\n' "$c" "$p";; esac; done; }
NS=$(hs_which); val node.session "$NS"
case $NS in *node=*npm=*) ;; *)
  for s in "$SHELL" /bin/bash; do
    [ -n "$s" ] && [ -x "$s" ] || continue
    val node.login "$("$s" -lc 'for c in node npm; do p=$(command -v "$c" 2>/dev/null); case $p in /*) printf "%s=%s\n" "$c" "$p";; esac; done' </dev/null 2>/dev/null)"
    break
  done;;
esac
ND=""
for d in "$HOME"/.nvm/versions/node/*/bin "$HOME/.volta/bin" "$HOME/.hermes/node/bin" /opt/homebrew/bin /usr/local/bin; do
  [ -d "$d" ] || continue
  l=""; [ -x "$d/node" ] && l="$l node"; [ -x "$d/npm" ] && l="$l npm"
  [ -n "$l" ] && ND="$ND$d$l
"
done
val node.dirs "$ND"
if command -v fdesetup >/dev/null 2>&1; then val filevault "$(fdesetup status 2>&1 | head -n 1)"; fi`;
}

export interface NodeFacts {
  /** The node the service will find, and npm (only when a node is there to run it: npm is `#!/usr/bin/env node`). */
  node?: string;
  npm?: string;
  /** How they were found: `session`, `login-shell` or `install-dir`. */
  via?: string;
  /** Directories the service's PATH needs for them (node's first), deduplicated. */
  dirs: string[];
}

function pairs(text: string | undefined): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of (text ?? '').split('\n')) {
    const x = /^(node|npm)=(\/.*)$/.exec(line.trim());
    if (x && !m.has(x[1]!)) m.set(x[1]!, x[2]!);
  }
  return m;
}

/** nvm directories by version, newest first; then the others in the script's order. */
function candidateDirs(text: string | undefined): Array<{ dir: string; node: boolean; npm: boolean }> {
  const rows = (text ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const [dir, ...has] = l.split(' ');
      return { dir: dir!, node: has.includes('node'), npm: has.includes('npm') };
    });
  const ver = (d: string): number[] =>
    (/\/\.nvm\/versions\/node\/v?(\d+)\.(\d+)\.(\d+)\/bin$/.exec(d)?.slice(1) ?? []).map(Number);
  const nvm = rows
    .filter((r) => ver(r.dir).length)
    .sort((a, b) => {
      const x = ver(a.dir);
      const y = ver(b.dir);
      return y[0]! - x[0]! || y[1]! - x[1]! || y[2]! - x[2]!;
    });
  return [...nvm, ...rows.filter((r) => !ver(r.dir).length)];
}

const dirOf = (p: string): string => p.replace(/\/[^/]+$/, '') || '/';

/** Pure: which node/npm the service should use, from the script's output. */
export function pickNode(m: Map<string, string>): NodeFacts {
  const session = pairs(m.get('node.session'));
  const login = pairs(m.get('node.login'));
  let node = session.get('node') ?? login.get('node');
  let npm = session.get('npm') ?? login.get('npm');
  let via = npm ? (session.has('npm') ? 'session' : 'login-shell') : undefined;
  const dirs = candidateDirs(m.get('node.dirs'));
  if (!npm) {
    const d = dirs.find((x) => x.npm && (x.node || node !== undefined));
    if (d) {
      npm = `${d.dir}/npm`;
      via = 'install-dir';
      if (d.node) node = `${d.dir}/node`;
    }
  }
  if (!node) {
    const d = dirs.find((x) => x.node);
    if (d) node = `${d.dir}/node`;
  }
  if (!node) return { dirs: [] };
  const need = [dirOf(node), ...(npm ? [dirOf(npm)] : [])];
  return { node, ...(npm ? { npm } : {}), ...(via ? { via } : {}), dirs: need.filter((d, n) => need.indexOf(d) === n) };
}

/** `fdesetup status`: "FileVault is On." / "FileVault is Off." (also "… Encryption in progress"); undefined when unknown. */
export function parseFileVault(text: string | undefined): boolean | undefined {
  if (!text) return undefined;
  if (/FileVault is On|Encryption in progress/i.test(text)) return true;
  if (/FileVault is Off/i.test(text)) return false;
  return undefined;
}
