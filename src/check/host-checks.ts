// Health checks of what else is on the host: Tailscale, the Hermes version, an update in progress, and (password
// mode) the basic-auth config. Pure: HealthInput in, one CheckLine each.
import { isTunnel } from '../hermes/access-mode.js';
import { isTailnet } from '../probe/address.js';
import { readBuild } from '../steps/hermes.js';
import { authIssues } from './auth-health.js';
import { fail, ok, repairCommand, skip, type CheckLine } from './check-line.js';
import type { HealthInput } from './health-input.js';

/** Tailscale matters only when the converged bind is a tailnet address (or unknown: no state file). */
export function needsTailscale(state: HealthInput['state']): boolean {
  return !state || (!isTunnel(state.mode) && isTailnet(state.bind));
}

export function checkTailscale(i: HealthInput): CheckLine {
  const t = i.facts.tailscale;
  const seen = t.installed ? (t.backendState ?? 'daemon down') : 'not installed';
  if (isTunnel(i.state?.mode)) return skip('tailscale', `tunnel mode: not needed (${seen})`);
  if (!needsTailscale(i.state))
    return skip(
      'tailscale',
      `not needed: the dashboard was set up on ${i.state?.bind}, not a tailnet address (${seen})`,
    );
  if (!t.installed)
    return fail(
      'tailscale',
      'tailscale is not installed',
      'install Tailscale on the host (https://tailscale.com/download), then: sudo tailscale up',
    );
  if (!t.daemonRunning)
    return fail(
      'tailscale',
      `tailscaled is not running: ${t.error ?? ''}`.trim(),
      'sudo systemctl start tailscaled (macOS: open the Tailscale app)',
    );
  if (t.backendState !== 'Running') return fail('tailscale', `tailscale is ${t.backendState}`, 'sudo tailscale up');
  if (i.state && i.state.bind !== t.ipv4 && /^100\./.test(i.state.bind))
    return fail(
      'tailscale',
      `the tailnet IP is now ${t.ipv4}, the dashboard is bound to ${i.state.bind}`,
      repairCommand(i),
    );
  return ok('tailscale', `Running, ${t.ipv4 ?? ''}${t.dnsName ? ` (${t.dnsName})` : ''}`);
}

export function checkVersion(i: HealthInput): CheckLine {
  if (!i.state)
    return fail(
      'version',
      'no state file: this host was never converged by hermes-setup',
      `hermes-setup remote ${i.target}`,
    );
  let version: string;
  try {
    version = readBuild(i.facts.hermes, i.state).version;
  } catch (e) {
    return fail('version', (e as Error).message, `hermes-setup doctor ${i.target}`);
  }
  if (version !== i.state.hermesVersion)
    return fail(
      'version',
      `Hermes is v${version}, the dashboard was set up with v${i.state.hermesVersion}`,
      repairCommand(i),
    );
  return ok('version', `v${version} as recorded`);
}

export function checkUpdate(i: HealthInput): CheckLine {
  const m = i.facts.updateMarkerFile;
  if (i.facts.updateMarker)
    return fail(
      'update',
      `\`hermes update\` is in progress (~/.hermes/.hermes-update-in-progress${m ? `: ${m.detail}` : ''})`,
      'wait for it to finish, then check again',
    );
  // A stale marker (dead PID, over 20 minutes) gates nothing, upstream or here (docs/hermes-contract.md#c11).
  if (m?.state === 'stale') return ok('update', `no update in progress (a stale marker: ${m.detail}; not gating)`);
  return ok('update', 'no update in progress');
}

/** Password mode only: what would keep the basic-auth provider from registering or the stored password from working. */
export function checkBasicAuth(i: HealthInput): CheckLine {
  const issues = authIssues(i.facts);
  if (issues.length === 0)
    return ok('basic-auth', 'provider enabled in config.yaml, no plaintext password, secret of 16 bytes or more');
  return fail('basic-auth', issues.map((x) => x.detail).join('; '), `hermes-setup remote ${i.target} --no-update`);
}
