# shared settings (sourced by the other scripts); adapted from /work/shared/test-hosts/common.sh
CACHE_DIR=${CACHE_DIR:-/var/cache/hermes-setup-test-hosts}   # golden rootfs images (persistent)
RUN_BASE=${RUN_BASE:-/run/hermes-setup-test-hosts}          # per-instance overlay dirs, pid files, idx locks
SUITE=${SUITE:-bookworm}
PKGS=${PKGS:-systemd,systemd-sysv,dbus,dbus-user-session,libpam-systemd,openssh-server,sudo,polkitd,iproute2,procps,lsof,nodejs,python3,cron,curl}
IMAGE_VERSION=3                                  # bump when build customisation changes (part of the key)
TEST_USER=${TEST_USER:-deploy}
BR_PREFIX=hsbr                                   # host bridge: hsbr<IDX>, 10.231.<IDX>.1/24
CG_PREFIX=hsh-                                   # supervisor cgroup: hsh-<NAME> (name=systemd + unified)
image_key() { printf '%s|%s|%s|%s\n' "$SUITE" "$PKGS" "$TEST_USER" "$IMAGE_VERSION" | sha256sum | cut -c1-12; }
IMG="$CACHE_DIR/rootfs-$SUITE-$(image_key)"
guest_ip() { echo "10.231.$1.2"; }
tailnet_ip() { echo "100.100.$1.2"; }
mirror() {  # the Debian mirror apt uses on this host, else deb.debian.org; override with MIRROR=http://.../debian
  local m=${MIRROR:-}
  [ -n "$m" ] || m=$(grep -hE '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -E '/debian/?$' | head -1)
  [ -n "$m" ] || m=$(grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
                      | sed -E 's/^deb +(\[[^]]*\] +)?//' | awk '{print $1}' | grep -E '/debian/?$' | head -1)
  echo "${m:-http://deb.debian.org/debian}"         # e.g. on Ubuntu: its mirrors do not carry the Debian suite
}
