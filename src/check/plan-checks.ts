// The health checks, one line each (Tailscale, version, update and basic auth are in host-checks.ts). Pure:
// HealthInput in, CheckLine[] out. A check is ok, FAIL, or skipped (does not apply here); any FAIL makes the host
// unhealthy (exit 3).
import { signsIn } from '../hermes/access-mode.js';
import { tokenBehindBom } from '../facts/env-text.js';
import { bindFitsMode } from '../probe/port.js';
import { fingerprint } from '../secrets.js';
import { count } from '../output.js';
import type { ServiceView } from '../service/service-types.js';
import { fail, ok, repairCommand, skip, type CheckLine } from './check-line.js';
import { serviceName, type HealthInput } from './health-input.js';
import { checkBasicAuth, checkTailscale, checkUpdate, checkVersion } from './host-checks.js';

export function checkService(i: HealthInput, v: ServiceView | undefined): CheckLine {
  if (!v)
    return fail(
      'service',
      `${i.facts.os || 'this OS'} without systemd`,
      'hermes-setup supports systemd (Linux) and launchd (macOS)',
    );
  const what = serviceName(v);
  if (v.duplicates?.length) {
    return fail(
      'service',
      `${what} has another instance: ${v.duplicates.map((d) => d.what).join(', ')} (two dashboard services race for port ${i.port} and both load after a reboot)`,
      repairCommand(i),
    );
  }
  if (!v.file && !v.loaded) return fail('service', `${what} is not installed`, `hermes-setup remote ${i.target}`);
  if (!v.loaded) return fail('service', `${what} is not loaded (${v.sub})`, repairCommand(i));
  if (!v.enabled) return fail('service', `${what} is disabled`, repairCommand(i));
  if (!v.active)
    return fail(
      'service',
      `${what} is not running (${v.sub}${v.lastExit !== undefined ? `, last exit ${v.lastExit}` : ''})`,
      repairCommand(i),
    );
  const looping = (v.restarts ?? 0) >= 3 && (!v.location.kind.startsWith('launchd') || (v.lastExit ?? 0) !== 0);
  if (looping)
    return fail(
      'service',
      `${what} is crash-looping (${v.restarts} restarts, last exit ${v.lastExit ?? '?'})`,
      `${i.restartCommand}; then hermes-setup doctor ${i.target}`,
    );
  return ok('service', `${what} loaded, enabled, running (pid ${v.pid ?? '?'}, ${v.restarts ?? 0} restarts)`);
}

export function checkLinger(i: HealthInput, v: ServiceView | undefined): CheckLine {
  if (v?.location.kind !== 'systemd-user')
    return skip(
      'linger',
      v?.location.kind.startsWith('launchd') ? 'macOS: not applicable' : 'system unit: not applicable',
    );
  if (!i.facts.linger)
    return fail(
      'linger',
      `linger is off for ${i.facts.user}: the dashboard stops at logout and does not start at boot`,
      `sudo loginctl enable-linger ${i.facts.user}`,
    );
  if (!i.facts.userBus)
    return fail(
      'linger',
      'linger is on but there is no user bus ("Failed to connect to bus")',
      `sudo systemctl start user@${i.facts.uid}.service`,
    );
  return ok('linger', 'linger on, user bus present');
}

export function checkPort(i: HealthInput, v: ServiceView | undefined): CheckLine {
  const bind = i.state?.bind;
  if (!bind)
    return skip(
      'port',
      `no state file: the needed bind is unknown (${count(i.facts.listeners.length, 'listener')} on ${i.port})`,
    );
  const fit = bindFitsMode(i.facts.listeners, { bind });
  if (!fit.ok) return fail('port', `${i.state?.mode} mode needs ${bind}:${i.port}: ${fit.detail}`, repairCommand(i));
  const pid = v?.pid;
  const foreign = i.facts.listeners.filter((l) => l.pid !== undefined && pid !== undefined && l.pid !== pid);
  if (foreign.length > 0 && !i.facts.listeners.some((l) => l.pid === pid)) {
    const ours = foreign.filter((l) => v?.duplicates?.some((d) => d.pid === l.pid));
    if (ours.length === foreign.length)
      return fail(
        'port',
        `port ${i.port} is held by the service's other instance (pid ${ours.map((l) => l.pid).join(', ')}), not by the service (pid ${pid})`,
        repairCommand(i),
      );
    return fail(
      'port',
      `port ${i.port} is held by pid ${foreign.map((l) => `${l.pid} ${l.command ?? ''}`.trim()).join(', ')}, not by the service (pid ${pid})`,
      `kill ${foreign.map((l) => l.pid).join(' ')}`,
    );
  }
  return ok('port', fit.detail);
}

export function checkProbe(i: HealthInput): CheckLine {
  const how = signsIn(i.state?.mode) ? 'ws-ticket' : 'pinned token';
  if (i.probeSkipped) return skip('websocket', i.probeSkipped);
  const p = i.probe;
  if (!p) return skip('websocket', 'not probed');
  if (p.ok) return ok('websocket', `101 + gateway.ready with the ${how} in ${p.ms} ms`);
  if (p.status === 429)
    return fail(
      'websocket',
      `429 signing in: ${p.detail}`,
      'wait a minute (Hermes allows 10 sign-ins a minute per address), then check again',
    );
  return fail('websocket', `${p.status ?? p.kind} with the ${how}: ${p.detail}`, `hermes-setup doctor ${i.target}`);
}

export function checkToken(i: HealthInput): CheckLine {
  if (signsIn(i.state?.mode)) return skip('token', 'password mode: the gate ignores the session token');
  if (!i.envToken && tokenBehindBom(i.facts)) {
    return fail(
      'token',
      'the HERMES_DASHBOARD_SESSION_TOKEN line in ~/.hermes/.env is behind a UTF-8 BOM: python-dotenv reads the key as \\ufeffHERMES_DASHBOARD_SESSION_TOKEN, so Hermes starts with a random token',
      `hermes-setup remote ${i.target}`,
    );
  }
  if (!i.envToken)
    return fail(
      'token',
      'no HERMES_DASHBOARD_SESSION_TOKEN in ~/.hermes/.env: the token changes on every restart',
      `hermes-setup remote ${i.target}`,
    );
  const p = i.probe;
  const changed =
    i.state && fingerprint(i.envToken) !== i.state.tokenFingerprint
      ? ' (changed since the last converge: update the desktop app)'
      : '';
  if (p?.ok) return ok('token', `the server uses the token in .env${changed}`);
  const envMtime = i.facts.env.mtime ?? 0;
  if (p && !p.ok && p.status === 403 && i.serviceAgeSec !== undefined && envMtime > i.nowSec - i.serviceAgeSec) {
    return fail('token', "token in .env differs from the running server's (changed without restart)", i.restartCommand);
  }
  if (p && !p.ok && p.status === 403)
    return fail('token', `the server refused the token in .env (403)${changed}`, `hermes-setup doctor ${i.target}`);
  return skip('token', 'not proven: the WebSocket probe did not reach the server');
}

export function planChecks(i: HealthInput): CheckLine[] {
  const v = i.service;
  return [
    checkService(i, v),
    checkLinger(i, v),
    checkPort(i, v),
    checkProbe(i),
    checkToken(i),
    ...(signsIn(i.state?.mode) ? [checkBasicAuth(i)] : []),
    checkTailscale(i),
    checkVersion(i),
    checkUpdate(i),
  ];
}

export function isHealthy(lines: CheckLine[]): boolean {
  return lines.every((l) => l.status !== 'FAIL');
}
