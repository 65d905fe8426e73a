// POSIX shell quoting and the small scripts every Remote uses. Pure: builds strings, runs nothing.
// Quoting keeps backslashes and single quotes outside quotes so sh, bash, zsh and fish read it alike.

export function quote(s: string): string {
  if (s !== '' && /^[A-Za-z0-9_./:=@%+,-]+$/.test(s)) return s;
  return `'${s.replace(/\\/g, `'\\\\'`).replace(/'/g, `'\\''`)}'`;
}

/** A remote path: a leading `~/` becomes "$HOME"/…, anything else is quoted as is. */
export function quotePath(p: string): string {
  if (p === '~') return '"$HOME"';
  if (p.startsWith('~/')) return `"$HOME"/${quote(p.slice(2))}`;
  return quote(p);
}

/** `sh -c <script> sh <args…>`: the script reads its arguments as "$1"…; nothing is interpolated. */
export function shCommand(script: string, args: string[] = []): string {
  return ['sh', '-c', quote(script), 'sh', ...args.map(quote)].join(' ');
}

export function expandHome(p: string): string {
  return p.startsWith('~/') ? `$HOME/${p.slice(2)}` : p;
}

// "$1" = path (~/ expanded by the script), "$2" = mode, "$3" = expected byte count. Content arrives on stdin.
// A short read (the client died mid-transfer) never replaces the file: the temp file is removed instead.
export const WRITE_ATOMIC_SCRIPT = `set -e
p=$1; case $p in "~/"*) p="$HOME/\${p#"~/"}";; esac
d=$(dirname -- "$p"); umask 077
[ -d "$d" ] || mkdir -p -- "$d"
t=$(mktemp "$d/.hermes-setup.XXXXXX")
trap 'rm -f -- "$t"' EXIT INT TERM HUP PIPE
cat > "$t"
n=$(wc -c < "$t" | tr -d ' ')
if [ "$n" != "$3" ]; then echo "short write: got $n of $3 bytes; $p left unchanged" >&2; exit 3; fi
chmod "$2" "$t"
mv -f -- "$t" "$p"
trap - EXIT INT TERM HUP PIPE`;

export const READ_SCRIPT = `p=$1; case $p in "~/"*) p="$HOME/\${p#"~/"}";; esac
if [ ! -e "$p" ]; then echo MISSING; exit 0; fi
echo PRESENT; base64 < "$p"`;

export const STAT_SCRIPT = `p=$1; case $p in "~/"*) p="$HOME/\${p#"~/"}";; esac
if [ -L "$p" ]; then t=symlink; elif [ -d "$p" ]; then t=dir; elif [ -f "$p" ]; then t=file; elif [ -e "$p" ]; then t=other; else echo missing; exit 0; fi
s=$(stat -c '%a %u %s %Y' -- "$p" 2>/dev/null || stat -f '%Lp %u %z %m' -- "$p")
echo "$t $s"`;

// "$1" = name, "$2"… = candidate paths. Login shell first (the user's, then bash), like the Desktop app.
export const WHICH_SCRIPT = `n=$1; shift
for s in "\${SHELL:-}" /bin/bash; do
  [ -n "$s" ] && [ -x "$s" ] || continue
  r=$("$s" -lc 'command -v -- "$0"' "$n" 2>/dev/null </dev/null | tail -n 1)
  case $r in /*) echo "login-shell $r"; exit 0;; esac
done
for c in "$@"; do case $c in "~/"*) c="$HOME/\${c#"~/"}";; esac; [ -x "$c" ] && [ ! -d "$c" ] && { echo "candidate $c"; exit 0; }; done
echo none`;

/** Prefix for `systemctl --user` over SSH: sessions from su/sudo/cron lack XDG_RUNTIME_DIR and the bus address. */
export const USER_BUS_ENV =
  'XR=${XDG_RUNTIME_DIR:-/run/user/$(id -u)}; export XDG_RUNTIME_DIR=$XR DBUS_SESSION_BUS_ADDRESS=unix:path=$XR/bus;';
