// Every answer the tailscale CLI emulator can give for one state, computed here (on the test machine) so the
// emulator itself is a small POSIX sh script that only prints (tailscale.sh). Pure. The formats are those of
// the real CLI as far as README.md ("tailscale: emulated") says; byte-identical to the former Node emulator
// (tailscale-golden.json). A state without hostName uses the placeholder HOST_PLACEHOLDER, which the emulator
// replaces with the machine's short hostname at run time.
import type { TailscaleEmuState, TailscaleServeMapping } from './tailscale-state.js';

export const HOST_PLACEHOLDER = '@@H@@';
export const DEFAULT_VERSION = '1.84.3';
export const DOWN_MESSAGE = {
  linux: "failed to connect to local tailscaled; it doesn't appear to be running (sudo systemctl start tailscaled ?)\n",
  macos: 'failed to connect to local Tailscale service; is Tailscale running?\n',
} as const;

/** `ip` flag combinations, keyed by the flags present in the order 4, 6, 1 (`n` = none). */
export const IP_KEYS = ['n', '4', '6', '1', '41', '61', '46', '461'] as const;
export type IpKey = (typeof IP_KEYS)[number];

export interface TailscaleAnswers {
  /** Stdout of `version` (works with the daemon down). */
  version: string;
  /** Stderr of every other command when the daemon is down, else ''. */
  down: string;
  statusJson: string;
  statusJsonNoPeers: string;
  statusText: { out: string; code: number };
  /** Stdout when code is 0, else stderr. */
  ip: Record<IpKey, { out: string; code: number }>;
  serveJson: string;
  serveText: string;
  funnelJson: string;
  funnelText: string;
  /** Whether answers contain HOST_PLACEHOLDER. */
  usesHostname: boolean;
}

const line = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);

interface View {
  st: TailscaleEmuState;
  backend: string;
  running: boolean;
  suffix: string;
  host: string;
  fqdn: string;
  ips: string[];
  platform: 'linux' | 'macos';
}

function viewOf(st: TailscaleEmuState): View {
  const backend = st.backendState || 'Running';
  const running = backend === 'Running';
  const suffix = st.magicDNSSuffix || 'tail-emu.ts.net';
  const host = st.hostName || HOST_PLACEHOLDER;
  const fqdn = `${st.dnsName || `${host}.${suffix}`}`.replace(/\.$/, '');
  const ips = running ? [st.ipv4, st.ipv6].filter((x): x is string => Boolean(x)) : [];
  return { st, backend, running, suffix, host, fqdn, ips, platform: st.platform || 'linux' };
}

function selfNode(v: View): Record<string, unknown> {
  const { st, running, ips } = v;
  return {
    ID: 'nEmu1CNTRL',
    PublicKey: 'nodekey:0000000000000000000000000000000000000000000000000000000000000000',
    HostName: v.host,
    DNSName: running ? `${v.fqdn}.` : '',
    OS: v.platform === 'macos' ? 'macOS' : 'linux',
    UserID: 1,
    TailscaleIPs: running ? ips : null,
    AllowedIPs: running ? ips.map((ip) => (ip.includes(':') ? `${ip}/128` : `${ip}/32`)) : null,
    Addrs: null,
    CurAddr: '',
    Relay: running ? 'fra' : '',
    RxBytes: 0,
    TxBytes: 0,
    Created: '2025-01-01T00:00:00Z',
    LastWrite: '0001-01-01T00:00:00Z',
    LastSeen: '0001-01-01T00:00:00Z',
    LastHandshake: '0001-01-01T00:00:00Z',
    Online: running,
    ExitNode: false,
    ExitNodeOption: false,
    Active: false,
    PeerAPIURL: running && st.ipv4 ? [`http://${st.ipv4}:49752`] : null,
    InNetworkMap: running,
    InMagicSock: false,
    InEngine: false,
  };
}

function statusJson(v: View, noPeers: boolean): string {
  const { st, backend, running, suffix } = v;
  const magic = st.magicDNSEnabled !== false;
  const doc = {
    Version: `${st.version || DEFAULT_VERSION}-temu`,
    TUN: true,
    BackendState: backend,
    HaveNodeKey: backend !== 'NeedsLogin' && backend !== 'NoState',
    AuthURL: backend === 'NeedsLogin' ? st.authURL || '' : '',
    TailscaleIPs: running ? v.ips : null,
    Self: selfNode(v),
    Health: st.health || (running ? [] : [`state=${backend}, wantRunning=${backend !== 'Stopped'}`]),
    MagicDNSSuffix: running ? suffix : '',
    CurrentTailnet: running
      ? { Name: st.tailnetName || 'user@example.com', MagicDNSSuffix: suffix, MagicDNSEnabled: magic }
      : null,
    CertDomains: running ? st.certDomains || (magic ? [v.fqdn] : null) : null,
    Peer: noPeers ? null : {},
    User: running ? { 1: { ID: 1, LoginName: st.tailnetName || 'user@example.com', DisplayName: 'Emu User' } } : null,
    ClientVersion: null,
  };
  return line(JSON.stringify(doc, null, 2));
}

function statusText(v: View): { out: string; code: number } {
  const { st, backend } = v;
  if (v.running)
    return { out: line(`${st.ipv4 || st.ipv6}  ${v.host}  ${st.tailnetName || 'user@'}  ${v.platform}  -`), code: 0 };
  if (backend === 'NeedsLogin')
    return { out: line(`Logged out.${st.authURL ? `\n\nLog in at: ${st.authURL}` : ''}`), code: 1 };
  if (backend === 'Stopped') return { out: line('Tailscale is stopped.'), code: 1 };
  if (backend === 'NeedsMachineAuth') return { out: line('Machine is not yet approved by tailnet admin.'), code: 1 };
  return { out: line(`unexpected state: ${backend}`), code: 1 };
}

function ipAnswer(v: View, key: IpKey): { out: string; code: number } {
  const fail = (m: string) => ({ out: line(m), code: 1 });
  if (!v.running || v.ips.length === 0) return fail(`no current Tailscale IPs; state: ${v.backend}`);
  let list = v.ips;
  if (key.includes('4')) {
    list = v.ips.filter((i) => !i.includes(':'));
    if (!list.length) return fail('no Tailscale IPv4 address');
  }
  if (key.includes('6')) {
    list = v.ips.filter((i) => i.includes(':'));
    if (!list.length) return fail('no Tailscale IPv6 address');
  }
  if (key.includes('1')) list = list.slice(0, 1);
  return { out: line(list.join('\n')), code: 0 };
}

function mappings(v: View, funnelOnly: boolean): TailscaleServeMapping[] {
  return (v.st.serve || []).filter((m) => !funnelOnly || m.funnel);
}

function serveJson(v: View, funnelOnly: boolean): string {
  const maps = mappings(v, funnelOnly);
  if (!maps.length) return line(JSON.stringify({}, null, 2));
  const cfg: {
    TCP: Record<string, unknown>;
    Web: Record<string, { Handlers: Record<string, unknown> }>;
    AllowFunnel?: Record<string, boolean>;
  } = { TCP: {}, Web: {} };
  for (const m of maps) {
    const port = m.port ?? 443;
    cfg.TCP[String(port)] = m.https !== false ? { HTTPS: true } : { HTTP: true };
    const key = `${v.fqdn}:${port}`;
    cfg.Web[key] = cfg.Web[key] || { Handlers: {} };
    cfg.Web[key].Handlers[m.path || '/'] = { Proxy: m.target };
    if (m.funnel) {
      cfg.AllowFunnel = cfg.AllowFunnel || {};
      cfg.AllowFunnel[key] = true;
    }
  }
  return line(JSON.stringify(cfg, null, 2));
}

function serveText(v: View, funnelOnly: boolean): string {
  const maps = mappings(v, funnelOnly);
  if (!maps.length) return line('No serve config');
  return line(
    maps
      .map((m) => {
        const port = m.port ?? 443;
        const scheme = m.https === false ? 'http' : 'https';
        const url = `${scheme}://${v.fqdn}${(scheme === 'https' && port === 443) || (scheme === 'http' && port === 80) ? '' : `:${port}`}`;
        return `${url} (${m.funnel ? 'Funnel on' : 'tailnet only'})\n|-- ${m.path || '/'} proxy ${m.target}\n`;
      })
      .join('\n'),
  );
}

export function renderVersion(version = DEFAULT_VERSION): string {
  return `${version}\n  tailscale commit: emulated\n  other commit: emulated\n  go version: go1.24.4\n`;
}

export function computeTailscaleAnswers(st: TailscaleEmuState): TailscaleAnswers {
  const v = viewOf(st);
  const ip = Object.fromEntries(IP_KEYS.map((k) => [k, ipAnswer(v, k)])) as Record<
    IpKey,
    { out: string; code: number }
  >;
  const a: TailscaleAnswers = {
    version: renderVersion(st.version || DEFAULT_VERSION),
    down: st.daemon === 'down' ? DOWN_MESSAGE[v.platform] : '',
    statusJson: statusJson(v, false),
    statusJsonNoPeers: statusJson(v, true),
    statusText: statusText(v),
    ip,
    serveJson: serveJson(v, false),
    serveText: serveText(v, false),
    funnelJson: serveJson(v, true),
    funnelText: serveText(v, true),
    usesHostname: !st.hostName,
  };
  return a;
}
