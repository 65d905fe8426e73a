#!/bin/bash
# stop instance NAME IDX and remove everything it created (disk, bridge, routes, cgroups, run dir, idx lock).
# KEEP_RUN=1: only stop (same as stop.sh). usage: teardown.sh NAME IDX
. "$(dirname "$0")/common.sh"
NAME=$1 IDX=$2; RUN="$RUN_BASE/$NAME"
[ -n "$NAME" ] && [ -n "$IDX" ] || { echo "usage: teardown.sh NAME IDX" >&2; exit 2; }
# OWNER_PID=P: tear down only what process P reserved. Names are per index (hsh-IDX), so once this instance released
# its index, another test process may hold a new hsh-IDX; a late second teardown (the exit handler of a worker whose
# afterAll timed out, say) must leave that one alone. A reservation without an owner line is being made right now.
if [ -n "${OWNER_PID:-}" ] && [ -d "$RUN_BASE/.idx/$IDX" ]; then
  o=$(cat "$RUN_BASE/.idx/$IDX/owner" 2>/dev/null) || exit 0
  [ "${o##*pid=}" = "$OWNER_PID" ] || exit 0
fi
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
