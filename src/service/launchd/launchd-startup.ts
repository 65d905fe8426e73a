// What happens after a reboot or power cut, said once and truthfully, in the converge's result (a warning) and in
// doctor (a note). A LaunchAgent loads only at the user's login (peers.md §4.2). FileVault: after a power cut the
// Mac stops at the FileVault unlock screen before anything of the system runs — no LaunchAgent and not even a
// LaunchDaemon starts, and auto-login is impossible with FileVault — until someone types a password there (issue 13
// item 5; `fdesetup authrestart` unlocks one planned restart by itself, fdesetup(8)). Pure.
import type { Facts } from '../../facts/parse-facts.js';
import type { ServiceKind } from '../service-types.js';

export interface StartupNote {
  id: 'starts-at-login' | 'filevault';
  symptom: string;
  cause: string;
  fix: string;
}

const AUTHRESTART = 'for a planned restart run `sudo fdesetup authrestart` (it unlocks the disk once by itself)';

export function startupNote(f: Facts, kind: ServiceKind): StartupNote | undefined {
  if (kind === 'launchd-agent' && f.fileVault) {
    return {
      id: 'filevault',
      symptom: 'a LaunchAgent starts at login, and FileVault is on',
      cause: `after a power cut or restart the Mac waits at the FileVault unlock screen and starts nothing (not even a LaunchDaemon) until someone types a password there; auto-login is impossible with FileVault, so the dashboard comes back only when ${f.user} unlocks the disk or logs in`,
      fix: AUTHRESTART,
    };
  }
  if (kind === 'launchd-agent') {
    return {
      id: 'starts-at-login',
      symptom: 'a LaunchAgent starts at login',
      cause: `after a reboot the dashboard comes back only when ${f.user} logs in at the Mac (GUI auto-login does that at boot)`,
      fix: 'for a headless Mac use --daemon (a LaunchDaemon starts at boot)',
    };
  }
  if (kind === 'launchd-daemon' && f.fileVault) {
    return {
      id: 'filevault',
      symptom: 'FileVault is on',
      cause:
        'after a power cut or restart the Mac waits at the FileVault unlock screen, and even this LaunchDaemon starts only after someone types a password there',
      fix: AUTHRESTART,
    };
  }
  return undefined;
}

/** The same note as one warning line of the converge's result. */
export function startupWarning(f: Facts, kind: ServiceKind): string[] {
  const n = startupNote(f, kind);
  return n ? [`${n.symptom}: ${n.cause}; ${n.fix}`] : [];
}
