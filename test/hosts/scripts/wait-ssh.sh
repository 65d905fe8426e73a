#!/bin/bash
# wait until key-based ssh login as TEST_USER works and boot finished; usage: wait-ssh.sh IDX KEY [timeout_s]
. "$(dirname "$0")/common.sh"
IDX=$1 KEY=$2 T=${3:-60}; end=$((SECONDS+T))
while [ $SECONDS -lt $end ]; do
  ssh -q -i "$KEY" -o IdentitiesOnly=yes -o BatchMode=yes -o ConnectTimeout=1 \
      -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
      "$TEST_USER@$(guest_ip "$IDX")" 'systemctl is-system-running --wait >/dev/null; true' 2>/dev/null && exit 0
  sleep 0.2
done
echo "ssh to $(guest_ip "$IDX") not ready after ${T}s" >&2; exit 1
