// macOS identity tools installed on the emulated mac host: uname wrapper and sw_vers.
export const MACOS_VERSION = { productName: 'macOS', productVersion: '15.5', buildVersion: '24F74', darwin: '24.5.0' };

const KERNEL_VERSION = `Darwin Kernel Version ${MACOS_VERSION.darwin}: Tue Apr 22 19:48:46 PDT 2025; root:xnu-11417.121.6~2/RELEASE_ARM64_T8103`;

/** `uname` for the mac host: -s/-m/-r/-p/-v/-n/-a answer like macOS on Apple silicon; anything else passes through. */
export function renderUnameScript(): string {
  return `#!/bin/sh
# uname wrapper of the emulated macOS host (hermes-setup tests)
REAL=/usr/bin/uname
[ $# -eq 0 ] && { echo Darwin; exit 0; }
out=""
for a in "$@"; do
  case "$a" in
    --*|[!-]*) exec $REAL "$@" ;;
  esac
  flags=$(printf '%s' "\${a#-}" | sed 's/./& /g')
  for f in $flags; do
    case $f in
      s) v=Darwin ;;
      m) v=arm64 ;;
      r) v=${MACOS_VERSION.darwin} ;;
      p) v=arm ;;
      n) v=$($REAL -n) ;;
      v) v="${KERNEL_VERSION}" ;;
      a) v="Darwin $($REAL -n) ${MACOS_VERSION.darwin} ${KERNEL_VERSION} arm64" ;;
      *) exec $REAL "$@" ;;
    esac
    out="\${out:+$out }$v"
  done
done
printf '%s\\n' "$out"
`;
}

export function renderSwVersScript(): string {
  const v = MACOS_VERSION;
  return `#!/bin/sh
# sw_vers of the emulated macOS host (hermes-setup tests)
case "$1" in
  "") printf 'ProductName:\\t\\t${v.productName}\\nProductVersion:\\t\\t${v.productVersion}\\nBuildVersion:\\t\\t${v.buildVersion}\\n' ;;
  -productName|--productName) echo '${v.productName}' ;;
  -productVersion|--productVersion) echo '${v.productVersion}' ;;
  -buildVersion|--buildVersion) echo '${v.buildVersion}' ;;
  -productVersionExtra|--productVersionExtra) echo '' ;;
  *) echo "usage: sw_vers [-productName|-productVersion|-productVersionExtra|-buildVersion]" >&2; exit 1 ;;
esac
`;
}

/** Shell run (as root) inside the fresh mount+UTS namespace before exec'ing sshd: per-host mounts. */
export function renderMountScript(root: string, hostname: string): string {
  return [
    'set -e',
    `R=${root}`,
    'mount --bind "$R/usr-local-bin" /usr/local/bin',
    'mount -t overlay overlay -o lowerdir="$R/usr-bin":/usr/bin /usr/bin',
    'mount -t overlay overlay -o lowerdir="$R/usr-sbin":/usr/sbin /usr/sbin',
    'mount -t overlay overlay -o lowerdir="$R/opt":/opt /opt',
    'mount --bind "$R/homebrew" /opt/homebrew',
    'mount --bind "$R/Applications" /Applications',
    'mount --bind "$R/Users" /Users',
    'mount --bind "$R/Library" /Library',
    'mount --bind "$R/launchd" /var/db/com.apple.xpc.launchd',
    `hostname ${hostname}`,
    'exec "$@"',
  ].join('\n');
}
