// macOS identity tools installed on the emulated mac host (uname wrapper, sw_vers, the host.env that sysctl and
// fdesetup read) and the namespace mount script.

export interface MacVersion {
  productName: string;
  productVersion: string;
  buildVersion: string;
  darwin: string;
  kernel: string;
}

/** 15 = Sequoia (the default); 26 = Tahoe, whose launchd refuses gui/ bootstraps on some hosts (README). */
export const MACOS_VERSIONS: Record<15 | 26, MacVersion> = {
  15: {
    productName: 'macOS',
    productVersion: '15.5',
    buildVersion: '24F74',
    darwin: '24.5.0',
    kernel: 'Darwin Kernel Version 24.5.0: Tue Apr 22 19:48:46 PDT 2025; root:xnu-11417.121.6~2/RELEASE_ARM64_T8103',
  },
  26: {
    productName: 'macOS',
    productVersion: '26.4.1',
    buildVersion: '25E253',
    darwin: '25.4.0',
    kernel: 'Darwin Kernel Version 25.4.0: Thu Mar 19 19:31:42 PDT 2026; root:xnu-12377.101.15~1/RELEASE_ARM64_T8103',
  },
};
/** The default version (kept as a named export for existing imports). */
export const MACOS_VERSION = MACOS_VERSIONS[15];

/**
 * `uname` for the mac host: -s/-m/-r/-p/-v/-n/-a answer like macOS on Apple silicon; anything else passes through to
 * `real` (the test machine's uname, under <root>/gnu-bin once /usr/bin itself is the wrapper).
 */
export function renderUnameScript(v: MacVersion = MACOS_VERSION, real = '/usr/bin/uname'): string {
  return `#!/bin/sh
# uname wrapper of the emulated macOS host (hermes-setup tests)
REAL=${real}
[ $# -eq 0 ] && { echo Darwin; exit 0; }
out=""
for a in "$@"; do
  case "$a" in
    --*|[!-]*) exec $REAL "$@" ;;
  esac
  rest=\${a#-}
  while [ -n "$rest" ]; do
    f=\${rest%"\${rest#?}"}; rest=\${rest#?}
    case $f in
      s) v=Darwin ;;
      m) v=arm64 ;;
      r) v=${v.darwin} ;;
      p) v=arm ;;
      n) v=$($REAL -n) ;;
      v) v="${v.kernel}" ;;
      a) v="Darwin $($REAL -n) ${v.darwin} ${v.kernel} arm64" ;;
      *) exec $REAL "$@" ;;
    esac
    out="\${out:+$out }$v"
  done
done
printf '%s\\n' "$out"
`;
}

export function renderSwVersScript(v: MacVersion = MACOS_VERSION): string {
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

const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** `kern.boottime` as macOS's sysctl prints it: `{ sec = N, usec = N } Thu Nov 14 22:13:20 2023` (ctime, UTC here). */
export function renderBoottime(ms: number): string {
  const d = new Date(ms);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()]!;
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()]!;
  const p2 = (n: number) => String(n).padStart(2, '0');
  const time = `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}`;
  return `{ sec = ${Math.floor(ms / 1000)}, usec = ${(ms % 1000) * 1000} } ${day} ${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${time} ${d.getUTCFullYear()}`;
}

/** /var/db/com.apple.xpc.launchd/host.env: what sysctl and fdesetup answer (sourced by their sh scripts). */
export function renderHostEnv(o: { version: MacVersion; bootMs: number; fileVault: boolean }): string {
  return [
    `HS_BOOTTIME=${sq(renderBoottime(o.bootMs))}`,
    `HS_DARWIN=${sq(o.version.darwin)}`,
    `HS_PRODUCT_VERSION=${sq(o.version.productVersion)}`,
    `HS_KERNEL_VERSION=${sq(o.version.kernel)}`,
    `HS_FILEVAULT=${o.fileVault ? 1 : 0}`,
    '',
  ].join('\n');
}

/**
 * /etc/profile of the emulated Mac: macOS's runs `/usr/libexec/path_helper -s`, which puts /etc/paths first
 * (/usr/local/bin /System/Cryptexes/App/usr/bin /usr/bin /bin /usr/sbin /sbin) and keeps the rest of PATH;
 * inlined here (Debian's /etc/profile would reset PATH to /usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games).
 */
export const MAC_ETC_PROFILE = `# System-wide .profile for sh(1) (emulated Mac: path_helper inlined)
hs_p=/usr/local/bin:/System/Cryptexes/App/usr/bin:/usr/bin:/bin:/usr/sbin:/sbin
hs_rest=$PATH
while [ -n "$hs_rest" ]; do
  hs_d=\${hs_rest%%:*}
  case $hs_rest in *:*) hs_rest=\${hs_rest#*:} ;; *) hs_rest= ;; esac
  case :$hs_p: in *:"$hs_d":*) ;; *) [ -n "$hs_d" ] && hs_p=$hs_p:$hs_d ;; esac
done
PATH=$hs_p; export PATH
unset hs_p hs_rest hs_d
`;

/**
 * Shell run (as root) inside the fresh mount+UTS namespace before exec'ing sshd: per-host mounts. The real
 * /usr/bin stays reachable at $R/gnu-bin for the BSD wrappers (macos-bin/) that the /usr/bin overlay puts
 * first; /proc/sys/kernel/random is emptied so there is no boot_id, as on a Mac.
 */
export function renderMountScript(root: string, hostname: string): string {
  return [
    'set -e',
    `R=${root}`,
    'mount --bind /usr/bin "$R/gnu-bin"',
    'mount --bind "$R/usr-local-bin" /usr/local/bin',
    'mount -t overlay overlay -o lowerdir="$R/usr-bin":/usr/bin /usr/bin',
    'mount -t overlay overlay -o lowerdir="$R/usr-sbin":/usr/sbin /usr/sbin',
    'mount -t overlay overlay -o lowerdir="$R/opt":/opt /opt',
    'mount --bind "$R/homebrew" /opt/homebrew',
    'mount --bind "$R/Applications" /Applications',
    'mount --bind "$R/Users" /Users',
    'mount --bind "$R/Library" /Library',
    'mount --bind "$R/launchd" /var/db/com.apple.xpc.launchd',
    'mount -t tmpfs -o size=4k,mode=0555 tmpfs /proc/sys/kernel/random',
    'mount --bind "$R/etc-profile" /etc/profile',
    `hostname ${hostname}`,
    'exec "$@"',
  ].join('\n');
}
