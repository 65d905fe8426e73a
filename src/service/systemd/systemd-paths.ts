// Where hermes-dashboard.service lives: a user unit, or a system unit when connected as root.
import { PATHS } from '../../constants.js';
import type { Facts } from '../../facts/parse-facts.js';
import { USER_BUS_ENV } from '../../transport/shell.js';
import type { ServiceLocation } from '../service-types.js';

export function systemdLocation(f: Facts): ServiceLocation {
  return f.uid === 0
    ? { kind: 'systemd-system', scope: 'system', path: PATHS.unitSystem, sudo: false }
    : { kind: 'systemd-user', scope: 'user', path: PATHS.unitUser, sudo: false };
}

/** `systemctl` for the unit's scope (the user manager needs its bus address over SSH). */
export function systemctl(system: boolean): string {
  return system ? 'systemctl' : `${USER_BUS_ENV} systemctl --user`;
}
