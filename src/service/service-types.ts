// One adapter per init system. Everything hermes-setup knows about a service manager lives behind this
// interface: where the service is (one rule for every command), how it looks now, the converge step that
// installs it, how to restart and remove it, and where its logs are. A new init system is one more adapter
// (docs/service-managers.md); src/service/service-manager.ts picks the adapter for a host.
import type { Facts } from '../facts/parse-facts.js';
import type { ConvergeState } from '../state.js';
import type { AnyStep, StepIo, StepOutcome } from '../steps/step.js';

export type ServiceKind = 'systemd-user' | 'systemd-system' | 'launchd-agent' | 'launchd-daemon';

export interface ServiceLocation {
  kind: ServiceKind;
  /** systemd: `user` or `system`; launchd: `gui/<uid>`, `user/<uid>` or `system`. */
  scope: string;
  /** The unit or plist (`~/` = the user's home). */
  path: string;
  /** Commands need `sudo -n` (a system service managed by a non-root user). */
  sudo: boolean;
}

export interface ServiceView {
  location: ServiceLocation;
  /** The unit/plist file exists. */
  installed: boolean;
  /** systemd: known to the manager; launchd: the job is loaded in the location's domain. */
  loaded: boolean;
  enabled: boolean;
  active: boolean;
  pid?: number;
  restarts?: number;
  lastExit?: number;
  /** systemd ActiveState/SubState, launchd state, for details. */
  sub: string;
  /** The service file's text. */
  file?: string;
  /** Other instances of the same service on the host (launchd: the label loaded in another domain, or the other
   * kind's plist), which race for the port or load at the next boot; a converge removes them. */
  duplicates?: ServiceDuplicate[];
  /** What happens after a reboot or power cut (launchd: loads at login; FileVault), for doctor's note. */
  startup?: { id: string; symptom: string; cause: string; fix: string };
}

export interface ServiceDuplicate {
  /** For messages: `user/501/ai.hermes.dashboard (running, pid 12)`, `/Library/LaunchDaemons/….plist (not loaded)`. */
  what: string;
  pid?: number;
}

/** What a converge was asked for: a system-wide service (--daemon) and, for launchd, a domain (--launchd-domain). */
export interface TargetOptions {
  daemon: boolean;
  launchdDomain?: 'gui' | 'user';
}

export interface ServiceManager {
  readonly name: 'systemd' | 'launchd';
  /** Where a converge with these options installs the service (the recorded state keeps an agent where it was). */
  target(facts: Facts, o: TargetOptions, state?: ConvergeState): ServiceLocation;
  /** Where the service is installed now: the recorded state first, then by looking. */
  installed(facts: Facts, state?: ConvergeState): ServiceLocation;
  view(facts: Facts, loc: ServiceLocation): ServiceView;
  /** The converge step that installs, starts and restarts the service. */
  readonly step: AnyStep;
  restartCommand(loc: ServiceLocation): string;
  /** Where to look when the service does not start. */
  logHint(loc: ServiceLocation): string;
  /** Stops and removes what hermes-setup installed (uninstall). */
  remove(io: StepIo, facts: Facts, state: ConvergeState | undefined): Promise<StepOutcome[]>;
}
