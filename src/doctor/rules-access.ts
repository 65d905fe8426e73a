// Doctor rules about getting in: the seed's troubleshooting table (reconnect loop, file:// 403, Invalid Host
// header, token rotated, stale token), --insecure on hardened builds, and a public_url forcing the gate. Pure.
import { signsIn } from '../hermes/access-mode.js';
import { serviceArgs, type HealthInput } from '../check/health-input.js';
import { isLoopback } from '../probe/address.js';
import { tokenBehindBom } from '../facts/env-text.js';
import { fingerprint } from '../secrets.js';
import { readBuild } from '../steps/hermes.js';
import type { Generation } from '../constants.js';
import { note, problem, type Finding } from './finding.js';

function generationOf(i: HealthInput): Generation | undefined {
  try {
    return readBuild(i.facts.hermes, i.state).generation;
  } catch {
    return undefined;
  }
}

const is403 = (i: HealthInput): boolean => i.probe !== undefined && !i.probe.ok && i.probe.status === 403;

function tooOld(i: HealthInput, g: Generation | undefined): Finding[] {
  if (g !== 'G0') return [];
  return [
    problem(
      'too-old',
      'the desktop app loops "reconnecting": REST works, the WebSocket gets 403',
      'Hermes is older than 2026-06-02 (G0): embedded chat needs --tui (or HERMES_DASHBOARD_TUI=1) and the file:// origin is refused on a non-loopback bind',
      `${i.facts.hermes?.path ?? 'hermes'} update`,
    ),
  ];
}

function fileOrigin(i: HealthInput): Finding[] {
  const n = i.deep?.noOrigin;
  if (!is403(i) || !n?.ok) return [];
  return [
    problem(
      'file-origin-403',
      'the desktop app gets 403 although the token is right (a browser works)',
      "the WebSocket Origin guard refuses the desktop app's file:// origin on this bind (Hermes before 2026-06-02/03)",
      `hermes update && hermes-setup check --repair ${i.target}`,
    ),
  ];
}

function hostHeader(i: HealthInput): Finding[] {
  const d = i.deep?.dnsHost;
  if (!d || d.result.ok || d.result.status !== 400) return [];
  return [
    note(
      'invalid-host-header',
      `http://${d.host}:${i.port} answers 400 "Invalid Host header"`,
      `the Host guard accepts only the bound address (${i.state?.bind}); a MagicDNS name or alias is refused`,
      `use http://${i.state?.bind}:${i.port} in the desktop app (or: hermes-setup remote ${i.target} --bind ${d.host})`,
    ),
  ];
}

/** No token in ~/.hermes/.env as read: either hidden behind a BOM, or really absent. */
function missingToken(i: HealthInput): Finding[] {
  if (tokenBehindBom(i.facts))
    return [
      problem(
        'env-bom',
        'the desktop app is refused (403) although ~/.hermes/.env has the token',
        'the token line is the first line, behind a UTF-8 BOM: python-dotenv reads the key as \\ufeffHERMES_DASHBOARD_SESSION_TOKEN, so Hermes starts with a random token',
        `hermes-setup remote ${i.target} --no-update`,
      ),
    ];
  return [
    problem(
      'token-rotated',
      'the desktop app connects, then fails after every dashboard restart',
      'no HERMES_DASHBOARD_SESSION_TOKEN in ~/.hermes/.env: Hermes mints a new random token at every start',
      `hermes-setup remote ${i.target}`,
    ),
  ];
}

function tokens(i: HealthInput): Finding[] {
  if (!i.state || signsIn(i.state.mode)) return [];
  if (!i.envToken) return missingToken(i);
  const envNewer = (i.facts.env.mtime ?? 0) > i.nowSec - (i.serviceAgeSec ?? Number.POSITIVE_INFINITY);
  if (is403(i) && envNewer)
    return [
      problem(
        'token-not-applied',
        "token in .env differs from the running server's (changed without restart)",
        'Hermes reads ~/.hermes/.env once at start; the pinned token was edited after the dashboard started',
        i.restartCommand,
      ),
    ];
  if (fingerprint(i.envToken) !== i.state.tokenFingerprint)
    return [
      problem(
        'stale-token',
        'authentication fails in the desktop app',
        'the token in ~/.hermes/.env changed since the last converge; the app still holds the old one',
        `hermes-setup remote ${i.target} --no-update --show-token`,
      ),
    ];
  return [];
}

function insecureNoop(i: HealthInput, g: Generation | undefined): Finding[] {
  const args = serviceArgs(i.service?.file);
  const host = /--host[ =](\S+)/.exec(args)?.[1];
  if (!/--insecure/.test(args) || !host || isLoopback(host) || (g !== 'G2' && g !== 'G3')) return [];
  return [
    problem(
      'insecure-noop',
      `the dashboard exits 1 at start ("Refusing to bind dashboard to ${host}")`,
      '--insecure is a no-op since 2026-06-21: every non-loopback bind is gated and needs an auth provider',
      `hermes-setup remote ${i.target} --no-update`,
    ),
  ];
}

function publicUrl(i: HealthInput): Finding[] {
  const line = i.deep?.publicUrl ?? '';
  const url = /(?:PUBLIC_URL|public_url)\s*[=:]\s*["']?(\S+?)["']?\s*$/m.exec(line)?.[1];
  if (!url || !i.state || signsIn(i.state.mode)) return [];
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return [];
  }
  if (host === 'localhost' || isLoopback(host)) return [];
  return [
    problem(
      'public-url-gate',
      `the WebSocket refuses ?token= (403) although the dashboard is bound to ${i.state.bind}`,
      `a non-loopback public_url (${url}) switches the auth gate on even for a loopback bind; the gate rejects ?token=`,
      `sed -i.bak '/PUBLIC_URL=/d' ~/.hermes/.env && ${i.restartCommand}`,
    ),
  ];
}

export function accessRules(i: HealthInput): Finding[] {
  const g = generationOf(i);
  return [...tooOld(i, g), ...fileOrigin(i), ...hostHeader(i), ...tokens(i), ...insecureNoop(i, g), ...publicUrl(i)];
}
