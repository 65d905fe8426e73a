#!/bin/sh
# tailscale CLI emulator (POSIX sh, no node): prints the answers tailscale-state.ts precomputed into the state
# file ($TAILSCALE_EMU_STATE or the default below). Missing/unreadable state file = daemon not running.
S=${TAILSCALE_EMU_STATE:-/var/lib/tailscale-emu/state.json}
P=linux
T_VERSION='1.84.3
  tailscale commit: emulated
  other commit: emulated
  go version: go1.24.4
'
cmd= sub= json= nopeers= f4= f6= f1= n=0
for a in "$@"; do
  case $a in --socket*) continue ;; esac
  n=$((n + 1))
  if [ $n = 1 ]; then cmd=$a; elif [ $n = 2 ]; then sub=$a; fi
  case $a in
    --json | --json=*) [ "$a" = --json=false ] || json=1 ;;
    --peers=false) nopeers=1 ;;
    -4) f4=4 ;; -6) f6=6 ;; -1) f1=1 ;;
  esac
done
ok=
if [ -r "$S" ] && read -r first < "$S" && [ "$first" = '# tailscale-emu answers v1' ]; then . "$S" && ok=1; fi
if [ "$cmd" = version ]; then printf '%s' "$T_VERSION"; exit 0; fi
if [ -z "$ok" ]; then
  if [ "$P" = macos ]; then echo 'failed to connect to local Tailscale service; is Tailscale running?' >&2
  else echo "failed to connect to local tailscaled; it doesn't appear to be running (sudo systemctl start tailscaled ?)" >&2; fi
  exit 1
fi
if [ -n "$T_DOWN" ]; then printf '%s' "$T_DOWN" >&2; exit 1; fi
h=
if [ -n "$T_H" ]; then h=$(hostname 2>/dev/null || uname -n); h=${h%%.*}; fi
# out <fd> <text>: prints text with the hostname placeholder replaced
out() {
  s=$2
  if [ -n "$T_H" ]; then
    r=
    while :; do case $s in *@@H@@*) r=$r${s%%@@H@@*}$h; s=${s#*@@H@@} ;; *) break ;; esac; done
    s=$r$s
  fi
  if [ "$1" = 2 ]; then printf '%s' "$s" >&2; else printf '%s' "$s"; fi
}
case $cmd in
  status)
    if [ -n "$json" ]; then
      if [ -n "$nopeers" ]; then out 1 "$T_SJN"; else out 1 "$T_SJ"; fi
      exit 0
    fi
    out 1 "$T_ST"; exit "$T_STC" ;;
  ip)
    k=$f4$f6$f1; [ -n "$k" ] || k=n
    eval "o=\$T_IP_$k c=\$T_IPC_$k"
    if [ "$c" = 0 ]; then out 1 "$o"; else out 2 "$o"; fi
    exit "$c" ;;
  serve | funnel)
    if [ "$sub" = status ]; then
      if [ "$cmd" = serve ]; then
        if [ -n "$json" ]; then out 1 "$T_SVJ"; else out 1 "$T_SVT"; fi
      elif [ -n "$json" ]; then out 1 "$T_FNJ"; else out 1 "$T_FNT"; fi
      exit 0
    fi
    printf 'tailscale %s: only "status" is emulated\n' "$cmd" >&2; exit 1 ;;
  '') echo 'Usage: tailscale [flags] <subcommand> [command flags]' >&2; exit 0 ;;
  *) printf 'tailscale: unknown subcommand: %s\n' "$cmd" >&2; exit 1 ;;
esac
