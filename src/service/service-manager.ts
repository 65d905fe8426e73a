// Picks the service-manager adapter for a host (the interface: src/service/service-types.ts).
import { stepError } from '../errors.js';
import type { Facts } from '../facts/parse-facts.js';
import type { ConvergeState } from '../state.js';
import type { ServiceManager, ServiceView } from './service-types.js';

/** The adapter for this host, or a one-line refusal. */
export async function serviceManagerFor(facts: Facts): Promise<ServiceManager> {
  if (facts.os === 'Darwin') return (await import('./launchd/launchd-manager.js')).launchdManager;
  if (facts.os === 'Linux' && facts.init === 'systemd')
    return (await import('./systemd/systemd-manager.js')).systemdManager;
  throw stepError(
    'E_UNSUPPORTED_OS',
    `${facts.os || 'this OS'} without systemd is not supported (init: ${facts.init})`,
    'hermes-setup manages a systemd unit (Linux) or a launchd job (macOS)',
  );
}

/** The service as the health view sees it: where it is installed and how it looks. */
export async function readServiceView(facts: Facts, state?: ConvergeState): Promise<ServiceView | undefined> {
  const m = await serviceManagerFor(facts).catch(() => undefined);
  return m?.view(facts, m.installed(facts, state));
}
