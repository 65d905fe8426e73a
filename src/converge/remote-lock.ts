// The remote lock ~/.hermes/.hermes-setup.lock: one converge per host at a time (remote, check --repair, cron,
// uninstall). The shell that read the facts takes it (see locked-facts.ts) and holds it until its exec channel
// closes; the file records that shell's PID, the boot and the holder. A lock whose PID is dead or whose boot
// differs (the host rebooted) is stale and taken over.
import { hostname } from 'node:os';
import { stepError, type HermesSetupError } from '../errors.js';

export const LOCK_PATH = '~/.hermes/.hermes-setup.lock';

/**
 * POSIX sh. hs_lock HOLDER WAIT_SECONDS prints one `@@lock …` line per event (BUSY once when it has to wait, then
 * LOCKED fresh|stale:<pid>, GAVEUP <pid> <holder>, or ERROR <why>); returns 0 when locked. It creates ~/.hermes
 * (0700) like the first write of a converge would: it runs only after the preflight. hs_unlock removes the lock
 * if this shell still holds it.
 */
export const LOCK_FUNCTIONS = String.raw`hs_take() { ( set -C; printf '%s %s %s\n' "$$" "$hs_b" "$1" > "$hs_l" ) 2>/dev/null; }
hs_lock() {
  hs_l="$HOME/.hermes/.hermes-setup.lock"; hs_waited=
  hs_b=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || sysctl -n kern.boottime 2>/dev/null | tr -cd '0-9')
  [ -d "$HOME/.hermes" ] || { mkdir -p "$HOME/.hermes" && chmod 700 "$HOME/.hermes"; } || { echo "@@lock ERROR cannot create ~/.hermes"; return 3; }
  hs_end=$(( $(date +%s) + $2 )); hs_stale=fresh
  while :; do
    if hs_take "$1"; then echo "@@lock LOCKED $hs_stale"; return 0; fi
    if [ ! -e "$hs_l" ] && ! hs_take "$1" && [ ! -e "$hs_l" ]; then echo "@@lock ERROR cannot create $hs_l"; return 3; fi
    hs_p=; hs_pb=; hs_h=; read -r hs_p hs_pb hs_h < "$hs_l" 2>/dev/null
    if [ -z "$hs_p" ] || [ "$hs_pb" != "$hs_b" ] || ! kill -0 "$hs_p" 2>/dev/null; then
      rm -f "$hs_l"; hs_stale="stale:$hs_p"
      if hs_take "$1"; then echo "@@lock LOCKED $hs_stale"; return 0; fi
    fi
    [ -n "$hs_waited" ] || { echo "@@lock BUSY $hs_p $hs_h"; hs_waited=1; }
    [ "$(date +%s)" -lt "$hs_end" ] || { echo "@@lock GAVEUP $hs_p $hs_h"; return 1; }
    sleep 0.5 2>/dev/null || sleep 1
  done
}
hs_unlock() { hs_p=; read -r hs_p hs_pb < "$hs_l" 2>/dev/null; [ "$hs_p" != "$$" ] || rm -f "$hs_l"; }`;

export function lockHolder(): string {
  return `${hostname().replace(/\s+/g, '-')}:pid${process.pid}`;
}

export interface LockHandle {
  release(): Promise<void>;
}

export function lockedError(pid: string, holder: string): HermesSetupError {
  return stepError(
    'E_LOCKED',
    `another hermes-setup run (${holder}, remote pid ${pid}) is working on this host`,
    'wait for it to finish (or pass --lock-wait SECONDS); a lock whose process is gone is taken over automatically',
  );
}

export function lockError(detail: string): HermesSetupError {
  return stepError(
    'E_LOCK',
    `cannot take the lock ${LOCK_PATH}: ${detail}`,
    'check that ~/.hermes is writable by this user',
  );
}
