#!/bin/bash
# atomically reserve a free instance index (mkdir $RUN_BASE/.idx/IDX) for OWNER_PID; prints "IDX NAME".
# Reservations whose owner process is gone (crashed/killed test run) are torn down first (reaped).
# usage: reserve-idx.sh OWNER_PID [NAME|-] [IDX]      (NAME defaults to hsh-IDX; IDX defaults to the first free in 11..250)
. "$(dirname "$0")/common.sh"
OWNER=$1 NAME=${2:--} WANT=${3:-}
[[ $OWNER =~ ^[0-9]+$ ]] || { echo "usage: reserve-idx.sh OWNER_PID [NAME|-] [IDX]" >&2; exit 2; }
mkdir -p "$RUN_BASE/.idx"
in_use() {  # something else on this machine already uses the subnet, bridge or tailnet route of index $1
  ip -4 -o addr show | grep -q " 10\.231\.$1\." || ip link show "$BR_PREFIX$1" >/dev/null 2>&1 \
    || ip -4 route show | grep -q "^$(tailnet_ip "$1") "
}
reap() {  # $1 = idx dir held by a dead owner; one reaper wins the mkdir of .../reaping
  local d=$1 o n p
  o=$(cat "$d/owner" 2>/dev/null) || return 1            # no owner yet: being reserved right now
  n=${o%% *}; p=${o##*pid=}
  [[ $p =~ ^[0-9]+$ ]] && ! kill -0 "$p" 2>/dev/null || return 1
  mkdir "$d/reaping" 2>/dev/null || return 1
  echo "reaping stale test host $n (idx ${d##*/}, owner pid $p gone)" >&2
  "$(dirname "$0")/teardown.sh" "$n" "${d##*/}"            # removes $d as well (owner matches)
}
if [ -n "$WANT" ]; then CANDIDATES=$WANT; else CANDIDATES=$(seq 11 250); fi
for i in $CANDIDATES; do
  d="$RUN_BASE/.idx/$i"
  mkdir "$d" 2>/dev/null || { reap "$d" && mkdir "$d" 2>/dev/null; } || continue
  if in_use "$i"; then rmdir "$d"; continue; fi
  n=$NAME; [ "$n" = - ] && n="hsh-$i"
  echo "$n pid=$OWNER" > "$d/owner"
  echo "$i $n"; exit 0
done
echo "no free test-host index${WANT:+ ($WANT is in use)}" >&2; exit 1
