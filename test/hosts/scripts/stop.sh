#!/bin/bash
# power off instance NAME but keep its disk (overlay upper), bridge and routes: boot.sh starts it again.
# The bridge stays so that traffic to the stopped guest's addresses never leaves this machine.
# usage: stop.sh NAME
. "$(dirname "$0")/common.sh"
NAME=$1; RUN="$RUN_BASE/$NAME"
[ -n "$NAME" ] || { echo "usage: stop.sh NAME" >&2; exit 2; }
if [ -f "$RUN/supervisor.pid" ]; then
  S=$(cat "$RUN/supervisor.pid")
  # the supervisor loop restarts nspawn only on rc 133; SIGTERM to nspawn = clean guest poweroff (rc 0)
  for i in $(seq 100); do
    [ -f "$RUN/nspawn.pid" ] || break
    P=$(cat "$RUN/nspawn.pid" 2>/dev/null) || break
    kill -TERM "$P" 2>/dev/null
    for j in $(seq 20); do kill -0 "$P" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$P" 2>/dev/null || break
    [ "$i" -ge 5 ] && kill -KILL "$P" 2>/dev/null
  done
  for i in $(seq 50); do kill -0 "$S" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$S" 2>/dev/null && kill -KILL "$S"
  rm -f "$RUN/supervisor.pid" "$RUN/nspawn.pid"
fi
mountpoint -q "$RUN/root" 2>/dev/null && umount "$RUN/root"
for d in /sys/fs/cgroup/*/"$CG_PREFIX$NAME"; do
  [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
done
exit 0
