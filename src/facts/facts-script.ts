// The one-round-trip facts script: everything the steps need to decide, gathered by one `sh` run.
// Each fact is one line, `name=<base64>` or `name:<plain value>` (see ENCODERS), so arbitrary output survives. Pure: builds a string.
import { LAUNCHD_LABEL, MAX_ENV_BYTES, PATHS, UNIT_NAME } from '../constants.js';
import { renderPortScript, type PortSpec } from '../probe/port.js';
import { renderTailscaleScript } from '../probe/tailscale.js';
import { renderHostToolsScript } from './host-tools-facts.js';
import { INSTALL_KEY_FNS, INSTALL_KEY_LINE } from './install-key.js';
import { MARKER_PROBE_FN } from './update-marker.js';

/** A PATHS entry as a double-quoted shell word (`~/` becomes `$HOME/`). */
function shPath(p: string): string {
  return `"${p.replace(/^~\//, '$HOME/')}"`;
}

/**
 * The value encoders. Each fact is one line: `name=<base64>`, or `name:<value>` when the value is one line of
 * plain bytes (letters, digits, space, `_./:@+,=-`), which `val` prints with no fork at all: most facts are such
 * values, and two or three forks per fact (a subshell, base64, tr) cost ~7 ms each on a busy host, which was
 * most of the script's time (docs/performance.md). GNU base64 is told not to wrap (-w 0) instead of piping to tr.
 */
const ENCODERS = String.raw`if base64 -w 0 </dev/null >/dev/null 2>&1; then b64() { base64 -w 0; }; else b64() { base64 | tr -d '
'; }; fi
val() {
  case $2 in
    *[!abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./:@+,=\ -]*) printf '%s=' "$1"; printf '%s' "$2" | b64; printf '
';;
    *) printf '%s:%s
' "$1" "$2";;
  esac
}`;

const PRELUDE = String.raw`
${ENCODERS}
emit() { n=$1; shift; printf '%s=' "$n"; ( "$@" ) 2>&1 | b64; printf '\n'; }
limit() { # seconds cmd…: coreutils timeout, else (macOS has none) a watcher that SIGTERMs the command
  if command -v timeout >/dev/null 2>&1; then timeout "$@"; return; fi
  l=$1; shift; "$@" & lp=$!
  ( i=0; while [ "$i" -lt "$l" ] && kill -0 "$lp" 2>/dev/null; do sleep 1; i=$((i + 1)); done; kill -TERM "$lp" 2>/dev/null ) </dev/null >/dev/null 2>&1 &
  wait "$lp"
}
file_facts() { # name path
  p=$2
  if [ -L "$p" ]; then val "$1.type" symlink; val "$1.target" "$(readlink "$p")"; return; fi
  if [ ! -e "$p" ]; then val "$1.type" missing; return; fi
  if [ -d "$p" ]; then val "$1.type" dir; else val "$1.type" file; fi
  st=$(stat -c '%a %u %s %Y' -- "$p" 2>/dev/null || stat -f '%Lp %u %z %m' -- "$p"); val "$1.stat" "$st"
  set -- "$1" $st # $4: the size, from stat (no wc)
  if [ -f "$p" ] && [ -r "$p" ] && [ "$4" -le ${MAX_ENV_BYTES} ] 2>/dev/null; then printf '%s.content=' "$1"; b64 < "$p"; printf '\n'; fi
}
`;

/** OS, hostname, arch (one uname), user/uid/gid (one id), boot id (read, no fork, on Linux). */
function identityFacts(): string {
  return `set -- $(uname -snm); val os "$1"; val hostname "$2"; val arch "$3"
hs_id=$(id); hs_uid=\${hs_id#uid=}; hs_uid=\${hs_uid%%[!0-9]*}; hs_gid=\${hs_id#* gid=}; hs_gid=\${hs_gid%%[!0-9]*}
case $hs_id in "uid=$hs_uid("*) hs_user=\${hs_id#*\\(}; hs_user=\${hs_user%%\\)*};; *) hs_user=$(id -un);; esac
val user "$hs_user"; val uid "$hs_uid"; val gid "$hs_gid"
if [ -r /proc/sys/kernel/random/boot_id ]; then read -r hs_boot < /proc/sys/kernel/random/boot_id; else hs_boot=$(sysctl -n kern.boottime 2>/dev/null); fi
val boot_id "$hs_boot"`;
}

/** Leftover temp files (.hermes-setup.*) next to the files hermes-setup writes, by glob (no find). */
function tempFilesFact(): string {
  return String.raw`hs_t=; for f in "$HOME/.hermes"/.hermes-setup.* "$HOME/.config/systemd/user"/.hermes-setup.* "$HOME/Library/LaunchAgents"/.hermes-setup.*; do
  if [ -e "$f" ] || [ -L "$f" ]; then hs_t="$hs_t$f
"; fi
done; val tempfiles "$hs_t"`;
}

function hermesLookup(): string {
  return String.raw`${INSTALL_KEY_FNS}
H=""; HVIA=""
for s in "$SHELL" /bin/bash; do
  [ -n "$s" ] && [ -x "$s" ] || continue
  r=$("$s" -lc 'command -v hermes' 2>/dev/null </dev/null | tail -n 1)
  case $r in /*) H=$r; HVIA=login-shell; break;; esac
done
if [ -z "$H" ]; then
  for c in "$HOME/.local/bin/hermes" /usr/local/bin/hermes "$HOME/.hermes/hermes-agent/venv/bin/hermes" /opt/homebrew/bin/hermes; do
    if [ -x "$c" ] && [ ! -d "$c" ]; then H=$c; HVIA=candidate; break; fi
  done
fi
val hermes.path "$H"; val hermes.via "$HVIA"
if [ -n "$H" ]; then
  ${INSTALL_KEY_LINE}
  val hermes.key "$K"
  CK=$(sed -n 's/.*"hermesKey": *"\([^"]*\)".*/\1/p' ${shPath(PATHS.state)} 2>/dev/null)
  if [ -n "$CK" ] && [ "$K" = "$CK" ] && [ "$FRESH" != 1 ]; then val hermes.cached yes; else
    ( limit 60 "$H" --version > "$T/hv" 2>&1 ) &
    ( limit 30 "$H" dashboard --help > "$T/hd" 2>&1 ) &
    ( limit 30 "$H" serve --help > "$T/hs" 2>&1 ) &
    wait
    printf 'hermes.version='; b64 < "$T/hv"; printf '\n'
    printf 'hermes.dashboard_help='; b64 < "$T/hd"; printf '\n'
    printf 'hermes.serve_help='; b64 < "$T/hs"; printf '\n'
  fi
fi`;
}

/** ~/.hermes/config.yaml (password mode reads plugins.disabled and dashboard.basic_auth); a symlink is read through. */
function configYamlFacts(): string {
  const p = shPath(PATHS.config);
  return `file_facts config_yaml ${p}
if [ -L ${p} ] && [ -f ${p} ] && [ "$(wc -c < ${p} | tr -d " ")" -le ${MAX_ENV_BYTES} ]; then printf 'config_yaml.content='; b64 < ${p}; printf '\\n'; fi`;
}

function systemdFacts(): string {
  return String.raw`
if [ -d /run/systemd/system ]; then val init systemd; else val init none; fi
XR=$XDG_RUNTIME_DIR; [ -n "$XR" ] || XR=/run/user/$(id -u)
val xdg_runtime_dir "$XDG_RUNTIME_DIR"
if [ -S "$XR/bus" ]; then val user_bus yes; else val user_bus no; fi
if [ -e "/var/lib/systemd/linger/$(id -un)" ]; then val linger yes; else val linger no; fi
if command -v systemctl >/dev/null 2>&1 && [ -S "$XR/bus" ]; then
  emit systemd.user env XDG_RUNTIME_DIR="$XR" DBUS_SESSION_BUS_ADDRESS="unix:path=$XR/bus" systemctl --user show ${UNIT_NAME} -p LoadState,ActiveState,SubState,MainPID,NRestarts,UnitFileState,ExecMainStatus,FragmentPath > "$T/sd-user" &
fi
if command -v systemctl >/dev/null 2>&1; then
  emit systemd.system systemctl show ${UNIT_NAME} -p LoadState,ActiveState,SubState,MainPID,NRestarts,UnitFileState,ExecMainStatus,FragmentPath > "$T/sd-system" &
fi`;
}

function launchdFacts(): string {
  return String.raw`
if command -v launchctl >/dev/null 2>&1; then
  U=$(id -u)
  launchctl print "gui/$U" >/dev/null 2>&1; val launchd.gui_rc "$?"
  emit launchd.print_gui launchctl print "gui/$U/${LAUNCHD_LABEL}"
  emit launchd.print_user launchctl print "user/$U/${LAUNCHD_LABEL}"
  emit launchd.disabled_gui launchctl print-disabled "gui/$U"
  emit launchd.disabled_user launchctl print-disabled "user/$U"
  if [ -e ${shPath(PATHS.plistDaemon)} ]; then
    if [ "$U" = 0 ]; then SU=""; else SU="sudo -n"; fi
    emit launchd.print_system $SU launchctl print system/${LAUNCHD_LABEL}
    emit launchd.disabled_system $SU launchctl print-disabled system
  fi
fi`;
}

/** Lines run as one background job writing to "$T/g-<name>" (printed after the final wait), so the groups and
 * the probes above run side by side: the script is mostly short-lived processes, and waiting on each in turn
 * was most of its time. */
function group(name: string, lines: string[]): string {
  return `{\n${lines.join('\n')}\nwait\n} > "$T/g-${name}" &`;
}

/** Who listens on the port, then the full command line of each listener's process, as one background job. */
function portAndCommandLines(port: PortSpec): string {
  return `{ ( ${renderPortScript(port)} ) > "$T/port" 2>&1
printf 'port='; b64 < "$T/port"; printf '\\n'
for p in $(sed -n -e 's/.*pid=\\([0-9][0-9]*\\).*/\\1/p' -e 's/^p\\([0-9][0-9]*\\)$/\\1/p' "$T/port" | sort -u); do val "cmdline.$p" "$(ps -o args= -p "$p" 2>/dev/null)"; done
} > "$T/g-port" &`;
}

/** `fresh`: re-run `hermes --version` and the help texts even when the install fingerprint is unchanged. */
export function renderFactsScript(port: PortSpec, o: { fresh?: boolean } = {}): string {
  return [
    PRELUDE,
    `FRESH=${o.fresh ? 1 : 0}`,
    MARKER_PROBE_FN,
    'T=$(mktemp -d 2>/dev/null || mktemp -d -t hs); trap \'rm -rf "$T" </dev/null >/dev/null 2>&1 &\' EXIT',
    `{ printf 'tailscale='; ( ${renderTailscaleScript()} ) 2>&1 | b64; printf '\\n'; } > "$T/g-ts" &`,
    portAndCommandLines(port),
    `emit funnel sh -c 'for t in tailscale /usr/local/bin/tailscale /Applications/Tailscale.app/Contents/MacOS/Tailscale; do command -v "$t" >/dev/null 2>&1 && exec "$t" funnel status --json; done' > "$T/funnel" &`,
    group('hermes', [identityFacts(), 'val home "$HOME"; val shell "${SHELL:-}"', hermesLookup()]),
    group('files', [
      `file_facts env ${shPath(PATHS.env)}`,
      `file_facts hermes_dir ${shPath(PATHS.hermesDir)}`,
      `file_facts state ${shPath(PATHS.state)}`,
      `file_facts unit_user ${shPath(PATHS.unitUser)}`,
      `file_facts unit_system ${shPath(PATHS.unitSystem)}`,
      `file_facts plist_agent ${shPath(PATHS.plistAgent)}`,
      `file_facts plist_daemon ${shPath(PATHS.plistDaemon)}`,
      configYamlFacts(),
      'val update_marker.probe "$(marker_probe)"',
      tempFilesFact(),
      `W=$HOME/.hermes; [ -d "$W" ] || W=$HOME; if [ -w "$W" ]; then val writable yes; else val writable no; fi; val writable_dir "$W"`,
      `val free_kb "$(df -Pk "$W" 2>/dev/null | { a=; while read -r _ _ _ x _; do a=$x; done; echo "$a"; })"`,
    ]),
    group('service', [
      `val ifaddrs "$( (ip -o addr show 2>/dev/null || ifconfig 2>/dev/null) | sed -n 's/.*inet6\\{0,1\\} \\([0-9a-fA-F.:]*\\).*/\\1/p')"`,
      `if [ -d /Applications/Hermes.app ] || [ -d "$HOME/.config/Hermes" ] || [ -d "$HOME/Library/Application Support/Hermes" ]; then val desktop_app yes; else val desktop_app no; fi`,
      systemdFacts(),
      launchdFacts(),
    ]),
    group('tools', [renderHostToolsScript()]),
    'wait',
    'cat "$T/g-hermes" "$T/g-files" "$T/g-service" "$T/g-tools" "$T/sd-user" "$T/sd-system" "$T/funnel" "$T/g-ts" "$T/g-port" 2>/dev/null',
    'val done yes',
  ].join('\n');
}

/** One fact line: `name=<base64>` or `name:<plain value>` (names hold neither `=` nor `:`). */
function parseFactLine(line: string): { name: string; bytes: Buffer } | undefined {
  const at = line.search(/[=:]/);
  if (at <= 0) return undefined;
  const rest = line.slice(at + 1);
  return { name: line.slice(0, at), bytes: line[at] === ':' ? Buffer.from(rest, 'utf8') : Buffer.from(rest, 'base64') };
}

export function parseFactLines(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const f = parseFactLine(line);
    if (f) m.set(f.name, f.bytes.toString('utf8'));
  }
  return m;
}

export function parseFactBytes(out: string, name: string): Buffer | undefined {
  const line = out.split('\n').find((l) => l.startsWith(`${name}=`) || l.startsWith(`${name}:`));
  return line === undefined ? undefined : parseFactLine(line)?.bytes;
}
