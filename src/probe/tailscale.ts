// Tailscale facts (peers.md §2.4): a POSIX sh script that finds the CLI and runs `status --json --peers=false`,
// a pure parser for its tagged output, and the tailnet URLs that can actually work for a given bind.
import { canonicalAddress, isTailnet, isWildcard, normalizeAddress } from './address.js';

export interface TailscaleFacts {
  installed: boolean;
  cliPath?: string;
  daemonRunning: boolean;
  backendState?: string;
  ipv4?: string;
  ipv6?: string;
  /** Self.DNSName with the trailing dot stripped. */
  dnsName?: string;
  magicDns: boolean;
  tailnet?: string;
  authUrl?: string;
  health: string[];
  version?: string;
  error?: string;
}

const MARK = '@@hs-ts';

/**
 * Locates the CLI (PATH, /usr/local/bin, /opt/homebrew/bin, the macOS app bundle — not on PATH over SSH) and
 * prints `cli=`, the JSON on stdout, stderr and the exit code as tagged blocks. Always exits 0.
 */
export function renderTailscaleScript(): string {
  return `# hermes-setup: tailscale status
ts=$(command -v tailscale 2>/dev/null)
case $ts in /*) ;; *) ts=;; esac
for c in /usr/local/bin/tailscale /opt/homebrew/bin/tailscale /Applications/Tailscale.app/Contents/MacOS/Tailscale; do
  if [ -z "$ts" ] && [ -x "$c" ]; then ts=$c; fi
done
if [ -z "$ts" ]; then echo "${MARK} cli="; exit 0; fi
echo "${MARK} cli=$ts"
tmp=$(mktemp 2>/dev/null || echo "\${TMPDIR:-/tmp}/hs-ts.$$")
echo "${MARK} begin stdout"
"$ts" status --json --peers=false 2>"$tmp" </dev/null; rc=$?
echo; echo "${MARK} end stdout"
echo "${MARK} begin stderr"; cat "$tmp" 2>/dev/null; echo; echo "${MARK} end stderr"
rm -f "$tmp"
echo "${MARK} rc=$rc"
exit 0
`;
}

interface ScriptParts {
  cli?: string;
  stdout: string;
  stderr: string;
  rc?: number;
}

function splitScriptOutput(out: string): ScriptParts {
  const parts: ScriptParts = { stdout: '', stderr: '' };
  let block: 'stdout' | 'stderr' | undefined;
  for (const line of out.split('\n')) {
    const m = new RegExp(`^${MARK} (cli=(.*)|rc=(\\d+)|begin (stdout|stderr)|end (stdout|stderr))$`).exec(line);
    if (!m) {
      if (block) parts[block] += `${line}\n`;
      continue;
    }
    if (m[1]?.startsWith('cli=')) parts.cli = m[2] ?? '';
    else if (m[3] !== undefined) parts.rc = Number(m[3]);
    else if (m[4]) block = m[4] as 'stdout' | 'stderr';
    else block = undefined;
  }
  parts.stdout = parts.stdout.trim();
  parts.stderr = parts.stderr.trim();
  return parts;
}

const DAEMON_DOWN = /failed to connect to local tail|doesn't appear to be running|is Tailscale running\?/i;

interface StatusJson {
  Version?: string;
  BackendState?: string;
  AuthURL?: string;
  TailscaleIPs?: string[] | null;
  Self?: { DNSName?: string; TailscaleIPs?: string[] | null } | null;
  Health?: string[] | null;
  CurrentTailnet?: { Name?: string; MagicDNSEnabled?: boolean } | null;
}

/** The JSON object in `text`, tolerating stray lines (warnings) around it. */
function parseJsonObject(text: string): StatusJson | undefined {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return undefined;
  try {
    const v: unknown = JSON.parse(text.slice(start, end + 1));
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** BackendState comes from the JSON, never from the exit code (`status --json` exits 0 when logged out). */
export function parseTailscaleOutput(out: string): TailscaleFacts {
  const p = splitScriptOutput(out);
  if (!p.cli)
    return {
      installed: false,
      daemonRunning: false,
      magicDns: false,
      health: [],
      ...(p.cli === undefined ? { error: 'no tailscale script output' } : {}),
    };
  const base: TailscaleFacts = { installed: true, cliPath: p.cli, daemonRunning: false, magicDns: false, health: [] };
  const doc = parseJsonObject(p.stdout);
  if (!doc) {
    const text = p.stderr || p.stdout || `tailscale status exited ${p.rc ?? '?'} with no output`;
    const firstLine = text.split('\n').find((l) => l.trim() !== '') ?? text;
    return { ...base, error: DAEMON_DOWN.test(text) ? firstLine.trim() : text.slice(0, 300) };
  }
  return { ...base, ...factsFromJson(doc) };
}

function factsFromJson(doc: StatusJson): Partial<TailscaleFacts> {
  const ips = [...(doc.TailscaleIPs ?? []), ...(doc.Self?.TailscaleIPs ?? [])];
  const ipv4 = ips.find((ip) => !ip.includes(':') && isTailnet(ip)) ?? ips.find((ip) => !ip.includes(':'));
  const ipv6 = ips.find((ip) => ip.includes(':'));
  const dnsName = (doc.Self?.DNSName ?? '').replace(/\.$/, '');
  const facts: Partial<TailscaleFacts> = {
    daemonRunning: true,
    backendState: doc.BackendState,
    ipv4,
    ipv6,
    dnsName: dnsName || undefined,
    magicDns: doc.CurrentTailnet?.MagicDNSEnabled === true,
    tailnet: doc.CurrentTailnet?.Name || undefined,
    authUrl: doc.AuthURL || undefined,
    health: doc.Health ?? [],
    version: doc.Version,
  };
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined));
}

/**
 * URLs a tailnet peer can use, honouring the Host guard (docs/hermes-contract.md#c8): a wildcard bind accepts
 * any Host (IPv4 URL, plus the MagicDNS name when MagicDNS is on); a bind on the tailnet IP accepts only that
 * IP; a bind on the MagicDNS name accepts only that name; a loopback or other bind is unreachable from the
 * tailnet (only a `tailscale serve` front could reach it). Nothing unless BackendState is Running.
 */
export function tailnetUrls(t: TailscaleFacts, port: number, bind: string): string[] {
  if (t.backendState !== 'Running' || !t.daemonRunning) return [];
  const b = normalizeAddress(bind);
  const dns = t.magicDns && t.dnsName ? `http://${t.dnsName}:${port}` : undefined;
  const v4 = t.ipv4 ? `http://${t.ipv4}:${port}` : undefined;
  if (isWildcard(b)) return [v4, dns].filter((u): u is string => u !== undefined);
  if (t.ipv4 && b === t.ipv4) return [`http://${t.ipv4}:${port}`];
  if (t.ipv6 && canonicalAddress(b) === canonicalAddress(t.ipv6))
    return [`http://[${canonicalAddress(t.ipv6)}]:${port}`];
  if (t.dnsName && b === t.dnsName.toLowerCase() && dns) return [dns];
  return [];
}
