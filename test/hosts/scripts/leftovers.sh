#!/bin/bash
# print one line per thing instance NAME/IDX left on this machine (empty output = clean); usage: leftovers.sh NAME IDX
. "$(dirname "$0")/common.sh"
NAME=$1 IDX=$2; RUN="$RUN_BASE/$NAME"; BR="$BR_PREFIX$IDX"
[ -n "$NAME" ] && [ -n "$IDX" ] || { echo "usage: leftovers.sh NAME IDX" >&2; exit 2; }
awk -v r="$RUN/" 'index($2 "/", r) == 1 { print "mount: " $2 " (" $3 ")" }' /proc/self/mounts
ip link show "$BR" >/dev/null 2>&1 && echo "bridge: $BR"
ip link show "vb-$NAME" >/dev/null 2>&1 && echo "veth: vb-$NAME"
ip -4 route show | grep -E "^($(tailnet_ip "$IDX")|10\.231\.$IDX\.)" | sed 's/^/route: /'
ip -4 -o addr show | awk -v p="10.231.$IDX." 'index($4, p) == 1 { print "address: " $2 " " $4 }'
for d in /sys/fs/cgroup/*/"$CG_PREFIX$NAME" /sys/fs/cgroup/"$CG_PREFIX$NAME"; do
  [ -d "$d" ] && echo "cgroup: $d"
done
for p in /proc/[0-9]*; do
  c=$(tr '\0' ' ' 2>/dev/null < "$p/cmdline") || continue
  case "$c" in
    *"--machine=$NAME "*|*" $RUN "*) echo "process: ${p#/proc/} $c" ;;
  esac
done
[ -e "$RUN" ] && echo "run dir: $RUN"
L="$RUN_BASE/.idx/$IDX"   # a reservation by another instance (owner file names it) is not ours
[ -d "$L" ] && { [ ! -f "$L/owner" ] || [ "$(cut -d' ' -f1 "$L/owner")" = "$NAME" ]; } && echo "idx lock: $L"
exit 0
