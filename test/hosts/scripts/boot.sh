#!/bin/bash
# boot (or re-boot after stop.sh) instance NAME (<=12 chars) with index IDX (1..254).
#   guest: 10.231.IDX.2/24 + tailnet 100.100.IDX.2/32 on host0; host: bridge hsbrIDX 10.231.IDX.1/24,
#   route 100.100.IDX.2/32 via 10.231.IDX.2. Returns immediately (use wait-ssh.sh / wait-boot.sh).
# usage: boot.sh NAME IDX PUBKEY_FILE
set -euo pipefail
. "$(dirname "$0")/common.sh"
NAME=$1 IDX=$2 PUB=$3
[[ $NAME =~ ^[a-z0-9][a-z0-9-]{0,11}$ ]] || { echo "bad NAME '$NAME' (<=12 chars, [a-z0-9-])" >&2; exit 2; }
[[ $IDX =~ ^[0-9]+$ ]] && [ "$IDX" -ge 1 ] && [ "$IDX" -le 254 ] || { echo "bad IDX '$IDX'" >&2; exit 2; }
RUN="$RUN_BASE/$NAME"; BR="$BR_PREFIX$IDX"; IP=$(guest_ip "$IDX"); TIP=$(tailnet_ip "$IDX")
[ -e "$IMG/.complete" ] || { echo "no image at $IMG, run build-rootfs.sh" >&2; exit 1; }
if [ -f "$RUN/supervisor.pid" ] && kill -0 "$(cat "$RUN/supervisor.pid")" 2>/dev/null; then
  echo "$NAME is already running" >&2; exit 1
fi
mkdir -p "$RUN"/{upper,work,root}
mountpoint -q "$RUN/root" || mount -t overlay overlay \
  -o "lowerdir=$IMG,upperdir=$RUN/upper,workdir=$RUN/work" "$RUN/root"
R="$RUN/root"
# per-instance identity / network / key (first boot of this instance only; the upper layer keeps them)
if [ ! -e "$RUN/.configured" ]; then
  systemd-id128 new > "$R/etc/machine-id"
  echo "$NAME" > "$R/etc/hostname"; printf '127.0.0.1 localhost\n127.0.1.1 %s\n' "$NAME" > "$R/etc/hosts"
  mkdir -p "$R/etc/systemd/network"
  cat > "$R/etc/systemd/network/10-host0.network" <<NET
[Match]
Name=host0
[Network]
Address=$IP/24
# stand-in for the Tailscale address (tailnet 100.64.0.0/10); the test machine routes it via $IP
Address=$TIP/32
Gateway=10.231.$IDX.1
LinkLocalAddressing=no
IPv6AcceptRA=no
NET
  ssh-keygen -q -A -f "$R"                       # fresh host keys into $R/etc/ssh
  install -m 600 "$PUB" "$R/home/$TEST_USER/.ssh/authorized_keys"
  chroot "$R" chown "$TEST_USER:" "/home/$TEST_USER/.ssh/authorized_keys"
  touch "$RUN/.configured"
fi
# host side: one bridge per instance (survives guest reboots and stop/start) + route to the tailnet address
if ! ip link show "$BR" >/dev/null 2>&1; then
  ip link add "$BR" type bridge; ip addr add "10.231.$IDX.1/24" dev "$BR"; ip link set "$BR" up
fi
ip route replace "$TIP/32" via "$IP" dev "$BR" onlink
NSPAWN_ARGS=(-D "$R" -b --machine="$NAME" --network-bridge="$BR" --console=passive)
if [ "$(ps -p 1 -o comm=)" != systemd ]; then
  NSPAWN_ARGS+=(--register=no --keep-unit)       # no machined / system bus on this host
fi
# supervisor: own cgroup (nspawn's payload/supervisor cgroups must not collide), restart on guest reboot (rc 133)
setsid bash -c '
  RUN=$1 CG=$2; shift 2
  if [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ]; then   # hybrid/v1 host
    for h in systemd unified; do
      d=/sys/fs/cgroup/$h; [ -d "$d" ] || continue
      mkdir -p "$d/$CG" && echo $$ > "$d/$CG/cgroup.procs"
    done
  fi
  while :; do
    echo "=== boot $(date +%T.%N)" >> "$RUN/console.log"
    systemd-nspawn "$@" </dev/null >>"$RUN/console.log" 2>&1 & echo $! > "$RUN/nspawn.pid"; wait $!; rc=$?
    echo "=== nspawn exit rc=$rc $(date +%T.%N)" >> "$RUN/console.log"
    [ $rc -eq 133 ] || break
  done
  rm -f "$RUN/nspawn.pid"' _ "$RUN" "$CG_PREFIX$NAME" "${NSPAWN_ARGS[@]}" </dev/null >/dev/null 2>&1 &
echo $! > "$RUN/supervisor.pid"
echo "booting $NAME: ssh $TEST_USER@$IP, tailnet $TIP (supervisor pid $(cat "$RUN/supervisor.pid"))" >&2
