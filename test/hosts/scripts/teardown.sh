#!/bin/bash
# stop instance NAME IDX and remove everything it created (disk, bridge, routes, cgroups, run dir, idx lock).
# KEEP_RUN=1: only stop (same as stop.sh). usage: teardown.sh NAME IDX
. "$(dirname "$0")/common.sh"
NAME=$1 IDX=$2; RUN="$RUN_BASE/$NAME"
[ -n "$NAME" ] && [ -n "$IDX" ] || { echo "usage: teardown.sh NAME IDX" >&2; exit 2; }
"$(dirname "$0")/stop.sh" "$NAME"
[ "${KEEP_RUN:-0}" = 1 ] && exit 0
ip route del "$(tailnet_ip "$IDX")/32" 2>/dev/null
ip link del "$BR_PREFIX$IDX" 2>/dev/null            # also drops the 10.231.IDX.0/24 route
rm -rf "$RUN"
# release the idx reservation only if it is ours (owner file written by linux-host.ts, or none)
L="$RUN_BASE/.idx/$IDX"
if [ -d "$L" ] && { [ ! -f "$L/owner" ] || [ "$(cut -d' ' -f1 "$L/owner")" = "$NAME" ]; }; then rm -rf "$L"; fi
# nspawn leaves empty dirs when host /run is not tmpfs; remove them once no other instance of ours is running
if ! ls "$RUN_BASE"/*/supervisor.pid >/dev/null 2>&1; then
  rmdir /run/systemd/nspawn/propagate /run/systemd/nspawn/locks /run/systemd/nspawn 2>/dev/null
fi
exit 0
