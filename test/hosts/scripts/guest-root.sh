#!/bin/bash
# run a command as root inside running instance NAME via nsenter (no SSH); usage: guest-root.sh NAME CMD...
. "$(dirname "$0")/common.sh"
NAME=$1; shift; RUN="$RUN_BASE/$NAME"
P=$(cat "$RUN/nspawn.pid" 2>/dev/null) || { echo "$NAME is not running" >&2; exit 125; }
L=$(pgrep -P "$P" | head -1); [ -n "$L" ] || { echo "$NAME has no guest init yet" >&2; exit 125; }
exec nsenter -t "$L" -a env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  HOME=/root LANG=C.UTF-8 TERM=dumb "$@"
