// The one-round-trip facts script: everything the steps need to decide, gathered by one `sh` run.
// Each fact is printed as `name=<base64>` so arbitrary output (help text, files) survives. Pure: builds a string.
import { LAUNCHD_LABEL, MAX_ENV_BYTES, PATHS, UNIT_NAME } from '../constants.js';
import { renderPortScript } from '../probe/port.js';
import { renderTailscaleScript } from '../probe/tailscale.js';
import { renderHostToolsScript } from './host-tools-facts.js';
import { INSTALL_KEY_FNS, INSTALL_KEY_LINE } from './install-key.js';
import { MARKER_PROBE_FN } from './update-marker.js';

/** A PATHS entry as a double-quoted shell word (`~/` becomes `$HOME/`). */
function shPath(p: string): string {
  return `"${p.replace(/^~\//, '$HOME/')}"`;
}

const PRELUDE = String.raw`
b64() { base64 | tr -d '\n'; }
emit() { n=$1; shift; printf '%s=' "$n"; ( "$@" ) 2>&1 | b64; printf '\n'; }
val() { printf '%s=' "$1"; printf '%s' "$2" | b64; printf '\n'; }
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
  val "$1.stat" "$(stat -c '%a %u %s %Y' -- "$p" 2>/dev/null || stat -f '%Lp %u %z %m' -- "$p")"
  if [ -f "$p" ] && [ -r "$p" ] && [ "$(wc -c < "$p")" -le ${MAX_ENV_BYTES} ]; then printf '%s.content=' "$1"; b64 < "$p"; printf '\n'; fi
}
`;

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
  emit systemd.user env XDG_RUNTIME_DIR="$XR" DBUS_SESSION_BUS_ADDRESS="unix:path=$XR/bus" systemctl --user show ${UNIT_NAME} -p LoadState,ActiveState,SubState,MainPID,NRestarts,UnitFileState,ExecMainStatus,FragmentPath
fi
if command -v systemctl >/dev/null 2>&1; then
  emit systemd.system systemctl show ${UNIT_NAME} -p LoadState,ActiveState,SubState,MainPID,NRestarts,UnitFileState,ExecMainStatus,FragmentPath
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

/** `fresh`: re-run `hermes --version` and the help texts even when the install fingerprint is unchanged. */
export function renderFactsScript(port: number, o: { fresh?: boolean } = {}): string {
  return [
    PRELUDE,
    `FRESH=${o.fresh ? 1 : 0}`,
    'T=$(mktemp -d 2>/dev/null || mktemp -d -t hs); trap \'rm -rf "$T"\' EXIT',
    `( ${renderTailscaleScript()} ) > "$T/ts" 2>&1 &`,
    `( ${renderPortScript(port)} ) > "$T/port" 2>&1 &`,
    'val os "$(uname -s)"; val arch "$(uname -m)"; val user "$(id -un)"; val uid "$(id -u)"; val gid "$(id -g)"',
    'val home "$HOME"; val shell "${SHELL:-}"; val hostname "$(hostname 2>/dev/null || uname -n)"',
    'val boot_id "$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || sysctl -n kern.boottime 2>/dev/null)"',
    hermesLookup(),
    `file_facts env ${shPath(PATHS.env)}`,
    `file_facts hermes_dir ${shPath(PATHS.hermesDir)}`,
    `file_facts state ${shPath(PATHS.state)}`,
    `file_facts unit_user ${shPath(PATHS.unitUser)}`,
    `file_facts unit_system ${shPath(PATHS.unitSystem)}`,
    `file_facts plist_agent ${shPath(PATHS.plistAgent)}`,
    `file_facts plist_daemon ${shPath(PATHS.plistDaemon)}`,
    configYamlFacts(),
    MARKER_PROBE_FN,
    'val update_marker.probe "$(marker_probe)"',
    `val tempfiles "$(find "$HOME/.hermes" "$HOME/.config/systemd/user" "$HOME/Library/LaunchAgents" -maxdepth 1 -name '.hermes-setup.*' 2>/dev/null)"`,
    `W=$HOME/.hermes; [ -d "$W" ] || W=$HOME; if [ -w "$W" ]; then val writable yes; else val writable no; fi; val writable_dir "$W"`,
    `val free_kb "$(df -Pk "$W" 2>/dev/null | tail -n 1 | tr -s ' ' | cut -d ' ' -f 4)"`,
    `val ifaddrs "$( (ip -o addr show 2>/dev/null || ifconfig 2>/dev/null) | sed -n 's/.*inet6\\{0,1\\} \\([0-9a-fA-F.:]*\\).*/\\1/p')"`,
    `if [ -d /Applications/Hermes.app ] || [ -d "$HOME/.config/Hermes" ] || [ -d "$HOME/Library/Application Support/Hermes" ]; then val desktop_app yes; else val desktop_app no; fi`,
    systemdFacts(),
    launchdFacts(),
    renderHostToolsScript(),
    'wait',
    `printf 'tailscale='; b64 < "$T/ts"; printf '\\n'`,
    `emit funnel sh -c 'for t in tailscale /usr/local/bin/tailscale /Applications/Tailscale.app/Contents/MacOS/Tailscale; do command -v "$t" >/dev/null 2>&1 && exec "$t" funnel status --json; done'`,
    `printf 'port='; b64 < "$T/port"; printf '\\n'`,
    `for p in $(sed -n -e 's/.*pid=\\([0-9][0-9]*\\).*/\\1/p' -e 's/^p\\([0-9][0-9]*\\)$/\\1/p' "$T/port" | sort -u); do val "cmdline.$p" "$(ps -o args= -p "$p" 2>/dev/null)"; done`,
    'val done yes',
  ].join('\n');
}

export function parseFactLines(out: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    m.set(line.slice(0, eq), Buffer.from(line.slice(eq + 1), 'base64').toString('utf8'));
  }
  return m;
}

export function parseFactBytes(out: string, name: string): Buffer | undefined {
  const line = out.split('\n').find((l) => l.startsWith(`${name}=`));
  return line === undefined ? undefined : Buffer.from(line.slice(name.length + 1), 'base64');
}
