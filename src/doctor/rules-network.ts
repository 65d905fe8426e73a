// Doctor rules about the network: who holds the port, where it listens, public exposure, Tailscale Funnel,
// and Tailscale's own state. Pure.
import type { HealthInput } from '../check/health-input.js';
import { needsTailscale } from '../check/host-checks.js';
import { isLoopback, isPrivate, isTailnet, isWildcard } from '../probe/address.js';
import { bindFitsMode, type Listener } from '../probe/port.js';
import type { TailscaleFacts } from '../probe/tailscale.js';
import { note, problem, type Finding } from './finding.js';

const isHermes = (l: Listener): boolean => !l.command || /node|python|hermes/i.test(l.command);

function foreign(i: HealthInput): Finding[] {
  const pid = i.service?.pid;
  const active = i.service?.active === true;
  const ours = new Set((i.service?.duplicates ?? []).map((d) => d.pid)); // named by duplicate-service
  const others = i.facts.listeners.filter(
    (l) => l.pid !== undefined && l.pid !== pid && !ours.has(l.pid) && (!active || !isHermes(l)),
  );
  if (others.length === 0 || (active && i.facts.listeners.some((l) => l.pid === pid) && others.every(isHermes)))
    return [];
  const pids = [...new Set(others.map((l) => l.pid))];
  return [
    problem(
      'foreign-port',
      `port ${i.port} is held by ${others.map((l) => `pid ${l.pid}${l.command ? ` (${l.command})` : ''}`).join(', ')}, not by the dashboard service`,
      'another process (a stray dashboard, a dev server) listens on the port, so the service cannot bind it',
      `kill ${pids.join(' ')}`,
    ),
  ];
}

function wrongBind(i: HealthInput): Finding[] {
  if (!i.state || i.facts.listeners.length === 0) return [];
  const fit = bindFitsMode(i.facts.listeners, { bind: i.state.bind });
  if (fit.ok) return [];
  const pid = i.service?.pid;
  const others = [...new Set(i.facts.listeners.filter((l) => l.pid !== undefined && l.pid !== pid).map((l) => l.pid))];
  return [
    problem(
      'wrong-bind',
      `the dashboard does not listen where ${i.state.mode} mode needs it: ${fit.detail}`,
      others.length
        ? 'another instance (started by hand?) holds the port with other arguments'
        : 'the service runs with other arguments than the last converge wrote (hand edit)',
      others.length ? `kill ${others.join(' ')}` : `hermes-setup check --repair ${i.target}`,
    ),
  ];
}

function isPublic(addr: string): boolean {
  return (
    !isLoopback(addr) && !isPrivate(addr) && !isTailnet(addr) && !/^fe80:/i.test(addr) && !/^169\.254\./.test(addr)
  );
}

function publicInterface(i: HealthInput): Finding[] {
  const addrs = i.deep?.addresses ?? [];
  const exposed = i.facts.listeners.filter((l) => isPublic(l.address) && !isWildcard(l.address));
  const wildcard = i.facts.listeners.some((l) => isWildcard(l.address) || l.address === '*');
  const publicAddrs = addrs.filter(isPublic);
  if (exposed.length === 0 && !(wildcard && publicAddrs.length > 0)) {
    return wildcard
      ? [
          note(
            'all-interfaces',
            `the dashboard listens on every interface (port ${i.port})`,
            'a 0.0.0.0 bind is reachable from any network this host joins',
            `hermes-setup remote ${i.target} --bind tailnet`,
          ),
        ]
      : [];
  }
  const where = exposed.length
    ? exposed.map((l) => l.address).join(', ')
    : `all interfaces, including ${publicAddrs.join(', ')}`;
  return [
    problem(
      'public-interface',
      `the dashboard is reachable on a public interface (${where}:${i.port})`,
      'exposed dashboards were mass-compromised in 2026 (#78422); bind the tailnet address or loopback',
      `hermes-setup remote ${i.target} --bind tailnet`,
    ),
  ];
}

function funnel(i: HealthInput): Finding[] {
  let cfg: {
    AllowFunnel?: Record<string, boolean>;
    Web?: Record<string, { Handlers?: Record<string, { Proxy?: string }> }>;
  };
  try {
    cfg = JSON.parse(i.deep?.serveJson || '{}') as typeof cfg;
  } catch {
    return [];
  }
  const hits = Object.keys(cfg.AllowFunnel ?? {}).filter(
    (k) =>
      cfg.AllowFunnel?.[k] &&
      Object.values(cfg.Web?.[k]?.Handlers ?? {}).some((h) => new RegExp(`:${i.port}(/|$)`).test(h.Proxy ?? '')),
  );
  if (hits.length === 0) return [];
  return [
    problem(
      'tailscale-funnel',
      `a Tailscale Funnel publishes the dashboard on the Internet (https://${hits.join(', https://')})`,
      'Funnel exposes the port beyond the tailnet',
      'sudo tailscale funnel reset',
    ),
  ];
}

/** Tailscale absent from the host, or its daemon not running. */
function tailscaleDown(t: TailscaleFacts): Finding[] {
  if (!t.installed)
    return [
      problem(
        'tailscale-missing',
        'the tailnet URL does not answer',
        'tailscale is not installed on the host',
        'curl -fsSL https://tailscale.com/install.sh | sh && sudo tailscale up',
      ),
    ];
  if (!t.daemonRunning)
    return [
      problem(
        'tailscale-down',
        'the tailnet URL does not answer',
        `tailscaled is not running (${t.error ?? 'no daemon'})`,
        'sudo systemctl enable --now tailscaled',
      ),
    ];
  return [];
}

/** Tailscale's daemon runs but its backend is logged out or otherwise not Running. */
function tailscaleNotRunning(t: TailscaleFacts): Finding[] {
  if (t.backendState === 'NeedsLogin')
    return [
      problem(
        'tailscale-needs-login',
        'the tailnet URL does not answer',
        `Tailscale is logged out (NeedsLogin${t.authUrl ? `, ${t.authUrl}` : ''})`,
        'sudo tailscale up',
      ),
    ];
  if (t.backendState !== 'Running')
    return [
      problem(
        'tailscale-stopped',
        'the tailnet URL does not answer',
        `Tailscale is ${t.backendState}`,
        'sudo tailscale up',
      ),
    ];
  return [];
}

function tailscale(i: HealthInput): Finding[] {
  const t = i.facts.tailscale;
  if (!i.state || !needsTailscale(i.state)) return [];
  const down = tailscaleDown(t);
  return down.length > 0 ? down : tailscaleNotRunning(t);
}

export function networkRules(i: HealthInput): Finding[] {
  return [...foreign(i), ...wrongBind(i), ...publicInterface(i), ...funnel(i), ...tailscale(i)];
}
