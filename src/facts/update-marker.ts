// `~/.hermes/.hermes-update-in-progress` read as upstream reads it (docs/hermes-contract.md#c11): two numeric
// lines, the updater's PID and its start time (epoch seconds, whole or float). It gates only while the PID is alive
// and the marker is at most 20 minutes old; otherwise it is stale. A first line that is not a PID counts as no
// marker upstream; hermes-setup reports it as stale (unreadable) so the user sees it, and never waits on it.

/** Upstream's UPDATE_MARKER_MAX_AGE_SECONDS. */
export const MARKER_MAX_AGE_SEC = 20 * 60;

export interface UpdateMarker {
  /** live: an update is running (gates restarts and updates); stale: left behind, not gating. */
  state: 'live' | 'stale';
  pid?: number;
  ageSec?: number;
  /** Why it is stale, or who holds it, in a few words. */
  detail: string;
}

/**
 * A shell function printing three lines: the holder's liveness (yes|no|unknown|absent), the host's clock, and the
 * marker's first 256 bytes in base64. `ps -p` also sees other users' processes (kill -0 would say EPERM).
 */
export const MARKER_PROBE_FN = String.raw`marker_probe() {
  M="$HOME/.hermes/.hermes-update-in-progress"
  if [ ! -e "$M" ]; then printf 'absent\n%s\n\n' "$(date +%s)"; return; fi
  P=$(head -n 1 "$M" 2>/dev/null | tr -d ' \t\r')
  case $P in ''|*[!0-9]*) A=unknown;; *) if ps -p "$P" >/dev/null 2>&1; then A=yes; else A=no; fi;; esac
  printf '%s\n%s\n' "$A" "$(date +%s)"; head -c 256 "$M" 2>/dev/null | base64 | tr -d '\n'; printf '\n'
}`;

/** Pure: the marker from marker_probe's output; undefined when there is none. */
export function parseMarkerProbe(out: string): UpdateMarker | undefined {
  const [alive = 'absent', now = '', b64 = ''] = out.split('\n');
  if (alive.trim() === 'absent' || alive.trim() === '') return undefined;
  return judgeMarker(
    Buffer.from(b64.trim(), 'base64').toString('utf8'),
    alive.trim() === 'yes' ? true : alive.trim() === 'no' ? false : undefined,
    Number(now),
  );
}

/** Pure: upstream's staleness rule over the marker's text, whether its PID lives, and the host's clock. */
export function judgeMarker(content: string, alive: boolean | undefined, nowSec: number): UpdateMarker {
  const [first = '', second = ''] = content.replace(/^\uFEFF/, '').split(/\r?\n|\r/);
  const pidText = first.trim();
  if (!/^\d+$/.test(pidText) || Number(pidText) <= 0)
    return { state: 'stale', detail: `unreadable (its first line is not a PID: "${pidText.slice(0, 40)}")` };
  const pid = Number(pidText);
  if (alive === false) return { state: 'stale', pid, detail: `pid ${pid} is gone` };
  const started = second.trim() === '' ? Number.NaN : Number(second.trim());
  const ageSec =
    Number.isFinite(started) && Number.isFinite(nowSec) ? Math.max(0, Math.round(nowSec - started)) : undefined;
  if (ageSec !== undefined && ageSec > MARKER_MAX_AGE_SEC) {
    return { state: 'stale', pid, ageSec, detail: `started ${Math.round(ageSec / 60)} min ago (over 20 minutes)` };
  }
  // A live PID with an unreadable start time still gates: its age is unknown.
  return {
    state: 'live',
    pid,
    ...(ageSec !== undefined ? { ageSec } : {}),
    detail: `pid ${pid}${ageSec !== undefined ? `, started ${ageSec} s ago` : ''}`,
  };
}
