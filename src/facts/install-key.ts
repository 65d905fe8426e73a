// The install fingerprint: "is this the same Hermes install as last time?", from the install's own files only
// (docs/hermes-contract.md#c13), so `hermes --version` and the help texts are re-run only when the install changed.
// Never from a listing of $HOME or of any directory whose entries' times change as a side effect of running Hermes
// (Python writes __pycache__ on first import): names and file stats of the install, git refs, dist-info contents.
//
// Layouts (C13): the installer's bash shim (→ <checkout>/venv/bin/hermes or the venv python), a symlink (pipx,
// uv tool, installer, Homebrew), or a plain script (pip --user, a system pip). The entry is resolved through the
// symlink / shim; its prefix's site-packages contribute only Hermes's own entries (a shared ~/.local or /usr/local
// holds other packages too); a checkout next to the venv contributes its HEAD.

/** POSIX sh functions; `install_key <hermes path>` prints the material to checksum (GNU or BSD userland). */
/** POSIX sh functions; `install_key <hermes path>` prints the material to checksum (GNU or BSD userland). */
export const INSTALL_KEY_FNS = String.raw`
ik_resolve() { # follows symlinks, then the physical directory
  p=$1; n=0
  while [ -L "$p" ] && [ "$n" -lt 40 ]; do
    t=$(readlink "$p"); case $t in /*) p=$t;; *) p=$(dirname "$p")/$t;; esac; n=$((n + 1))
  done
  d=$(cd "$(dirname "$p")" 2>/dev/null && pwd -P) && p=$d/$(basename "$p")
  printf '%s' "$p"
}
ik_stat() { # inode size mtime path, for each existing file (symlinks followed)
  for f in "$@"; do
    if [ ! -e "$f" ]; then echo "none $f"
    elif [ "$IK_GNU" = 1 ]; then stat -L -c '%i %s %Y %n' -- "$f"
    else stat -L -f '%i %z %m %N' -- "$f"; fi
  done 2>/dev/null
}
ik_shim_target() { # the last absolute (or $HOME-relative) .../bin/hermes or .../bin/python* a shell shim names
  sed -n -E 's#.*["'"'"' =]((\$HOME|\$\{HOME\}|/)[^"'"'"' ]*/bin/(hermes|python[0-9.]*))(["'"'"' ].*)?$#\1#p' "$1" | tail -n 1 |
    sed -e "s#^[$]HOME#$HOME#" -e "s#^[$][{]HOME[}]#$HOME#"
}
install_key() {
  if stat -c %i / >/dev/null 2>&1; then IK_GNU=1; else IK_GNU=0; fi
  R=$(ik_resolve "$1"); E=""
  # The installer's shim is a small shell script that execs the venv entry (or the venv python): follow it.
  if [ -f "$R" ] && [ "$(wc -c < "$R" | tr -d " ")" -lt 4096 ] && head -n 1 "$R" | grep -Eq '^#!(.*/)?(env +)?(ba|da|z)?sh( |$)'; then E=$(ik_shim_target "$R"); fi
  [ -n "$E" ] || E=$R
  E=$(ik_resolve "$E"); V=$(dirname "$(dirname "$E")")
  echo "cmd $1 -> $R -> $E"
  ik_stat "$1" "$R" "$E"
  for sp in "$V"/lib/python*/site-packages "$V"/libexec/lib/python*/site-packages; do
    [ -d "$sp" ] || continue
    echo "site $sp"
    ( cd "$sp" && ls -d hermes* rabbit* 2>/dev/null
      for m in hermes*.dist-info/METADATA hermes*.dist-info/RECORD hermes*.dist-info/direct_url.json; do
        [ -f "$m" ] && { ik_stat "$m"; cksum < "$m"; }
      done )
  done
  case $V in */venv|*/.venv) C=$(dirname "$V");; *) C="";; esac
  if [ -n "$C" ] && [ -d "$C/.git" ]; then
    h=$(cat "$C/.git/HEAD" 2>/dev/null); echo "git $C $h"
    r=$(printf '%s' "$h" | sed -n 's#^ref: ##p')
    if [ -n "$r" ]; then cat "$C/.git/$r" 2>/dev/null || grep " $r\$" "$C/.git/packed-refs" 2>/dev/null; fi
  fi
}`;

/** Shell that sets K to the fingerprint of the install behind $H. */
export const INSTALL_KEY_LINE = `K=$(install_key "$H" | cksum | tr ' ' '-')`;
