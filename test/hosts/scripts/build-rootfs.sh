#!/bin/bash
# build the golden rootfs once, cache it as a directory; prints its path on stdout (progress on stderr)
# usage: build-rootfs.sh            (env: CACHE_DIR SUITE PKGS TEST_USER MIRROR; see common.sh)
set -euo pipefail
. "$(dirname "$0")/common.sh"
mkdir -p "$CACHE_DIR"
exec 9>"$CACHE_DIR/.lock"; flock 9
if [ -e "$IMG/.complete" ]; then echo "$IMG"; exit 0; fi
command -v debootstrap >/dev/null && command -v systemd-nspawn >/dev/null || {
  echo "build-rootfs.sh: needs debootstrap and systemd-nspawn — npm test installs them, or: apt-get install --no-install-recommends debootstrap systemd-container" >&2; exit 1; }
TMP="$IMG.tmp.$$"; rm -rf "$TMP"
echo "building test-host image $IMG (debootstrap $SUITE, 1-3 min, once)" >&2
debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$TMP" "$(mirror)" >&2
# --- customise (chroot, no boot needed)
echo hsh > "$TMP/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 hsh\n' > "$TMP/etc/hosts"
systemctl --root="$TMP" enable systemd-networkd.service cron.service >&2
chroot "$TMP" useradd -m -u 1000 -s /bin/bash "$TEST_USER"
chroot "$TMP" usermod -p '*' "$TEST_USER"        # no password, but not locked
install -d -m 700 "$TMP/home/$TEST_USER/.ssh"; chroot "$TMP" chown "$TEST_USER:" "/home/$TEST_USER/.ssh"
echo "$TEST_USER ALL=(ALL) NOPASSWD:ALL" > "$TMP/etc/sudoers.d/$TEST_USER"; chmod 440 "$TMP/etc/sudoers.d/$TEST_USER"
printf 'LANG=C.UTF-8\n' > "$TMP/etc/default/locale"
# sanity: tools the suite needs inside the guest
for c in node python3 lsof ss crontab curl sudo loginctl; do chroot "$TMP" sh -c "command -v $c" >&2; done
chroot "$TMP" node --version >&2
rm -f "$TMP"/etc/ssh/ssh_host_*                   # regenerated per instance
: > "$TMP/etc/machine-id"                          # set per instance
chroot "$TMP" apt-get clean; rm -rf "$TMP"/var/lib/apt/lists/* "$TMP"/var/log/journal/*
touch "$TMP/.complete"; mv "$TMP" "$IMG"
echo "$IMG"
