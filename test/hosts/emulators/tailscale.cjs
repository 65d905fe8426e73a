#!/usr/bin/env node
'use strict';
// tailscale CLI emulator (node >= 18, no deps). State: JSON file at $TAILSCALE_EMU_STATE or the default
// below (see tailscale-state.ts for the schema). Missing state file = daemon not running.
const fs = require('fs');

const DEFAULT_STATE = '/var/lib/tailscale-emu/state.json';
const file = process.env.TAILSCALE_EMU_STATE || DEFAULT_STATE;
const args = process.argv.slice(2).filter((a) => !a.startsWith('--socket'));
const has = (f) => args.includes(f) || args.some((a) => a.startsWith(`${f}=`) && a !== `${f}=false`);

let st = null;
try { st = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { st = null; }
const platform = (st && st.platform) || (process.platform === 'darwin' ? 'macos' : 'linux');

function die(msg, code = 1) { process.stderr.write(msg.endsWith('\n') ? msg : `${msg}\n`); process.exit(code); }
function print(s) { process.stdout.write(s.endsWith('\n') ? s : `${s}\n`); }

const version = (st && st.version) || '1.84.3';
if (args[0] === 'version') { print(`${version}\n  tailscale commit: emulated\n  other commit: emulated\n  go version: go1.24.4`); process.exit(0); }
if (!st || st.daemon === 'down') {
  die(platform === 'macos'
    ? 'failed to connect to local Tailscale service; is Tailscale running?'
    : "failed to connect to local tailscaled; it doesn't appear to be running (sudo systemctl start tailscaled ?)");
}

const backend = st.backendState || 'Running';
const running = backend === 'Running';
const suffix = st.magicDNSSuffix || 'tail-emu.ts.net';
const host = st.hostName || require('os').hostname().split('.')[0];
const fqdn = `${st.dnsName || `${host}.${suffix}`}`.replace(/\.$/, '');
const ips = running ? [st.ipv4, st.ipv6].filter(Boolean) : [];

function selfNode() {
  return {
    ID: 'nEmu1CNTRL', PublicKey: 'nodekey:0000000000000000000000000000000000000000000000000000000000000000',
    HostName: host, DNSName: running ? `${fqdn}.` : '', OS: platform === 'macos' ? 'macOS' : 'linux', UserID: 1,
    TailscaleIPs: running ? ips : null, AllowedIPs: running ? ips.map((ip) => (ip.includes(':') ? `${ip}/128` : `${ip}/32`)) : null,
    Addrs: null, CurAddr: '', Relay: running ? 'fra' : '', RxBytes: 0, TxBytes: 0,
    Created: '2025-01-01T00:00:00Z', LastWrite: '0001-01-01T00:00:00Z', LastSeen: '0001-01-01T00:00:00Z',
    LastHandshake: '0001-01-01T00:00:00Z', Online: running, ExitNode: false, ExitNodeOption: false, Active: false,
    PeerAPIURL: running && st.ipv4 ? [`http://${st.ipv4}:49752`] : null, InNetworkMap: running, InMagicSock: false, InEngine: false,
  };
}

function statusJson() {
  const magic = st.magicDNSEnabled !== false;
  const doc = {
    Version: `${version}-temu`, TUN: true, BackendState: backend, HaveNodeKey: backend !== 'NeedsLogin' && backend !== 'NoState',
    AuthURL: backend === 'NeedsLogin' ? st.authURL || '' : '',
    TailscaleIPs: running ? ips : null,
    Self: selfNode(),
    Health: st.health || (running ? [] : [`state=${backend}, wantRunning=${backend !== 'Stopped'}`]),
    MagicDNSSuffix: running ? suffix : '',
    CurrentTailnet: running ? { Name: st.tailnetName || 'user@example.com', MagicDNSSuffix: suffix, MagicDNSEnabled: magic } : null,
    CertDomains: running ? st.certDomains || (magic ? [fqdn] : null) : null,
    Peer: args.includes('--peers=false') ? null : {},
    User: running ? { 1: { ID: 1, LoginName: st.tailnetName || 'user@example.com', DisplayName: 'Emu User' } } : null,
    ClientVersion: null,
  };
  return doc;
}

function notRunningText() {
  if (backend === 'NeedsLogin') return `Logged out.${st.authURL ? `\n\nLog in at: ${st.authURL}` : ''}`;
  if (backend === 'Stopped') return 'Tailscale is stopped.';
  if (backend === 'NeedsMachineAuth') return 'Machine is not yet approved by tailnet admin.';
  return `unexpected state: ${backend}`;
}

function serveConfig(funnelOnly) {
  const maps = (st.serve || []).filter((m) => !funnelOnly || m.funnel);
  if (!maps.length) return {};
  const cfg = { TCP: {}, Web: {} };
  for (const m of maps) {
    const port = m.port ?? 443;
    const https = m.https !== false;
    cfg.TCP[String(port)] = https ? { HTTPS: true } : { HTTP: true };
    const key = `${fqdn}:${port}`;
    cfg.Web[key] = cfg.Web[key] || { Handlers: {} };
    cfg.Web[key].Handlers[m.path || '/'] = { Proxy: m.target };
    if (m.funnel) { cfg.AllowFunnel = cfg.AllowFunnel || {}; cfg.AllowFunnel[key] = true; }
  }
  return cfg;
}

function serveText(funnelOnly) {
  const maps = (st.serve || []).filter((m) => !funnelOnly || m.funnel);
  if (!maps.length) return 'No serve config';
  return maps.map((m) => {
    const port = m.port ?? 443;
    const scheme = m.https === false ? 'http' : 'https';
    const url = `${scheme}://${fqdn}${(scheme === 'https' && port === 443) || (scheme === 'http' && port === 80) ? '' : `:${port}`}`;
    return `${url} (${m.funnel ? 'Funnel on' : 'tailnet only'})\n|-- ${m.path || '/'} proxy ${m.target}\n`;
  }).join('\n');
}

const cmd = args[0];
switch (cmd) {
  case 'status':
    if (has('--json')) { print(JSON.stringify(statusJson(), null, 2)); process.exit(0); }
    if (!running) { print(notRunningText()); process.exit(1); }
    print(`${st.ipv4 || st.ipv6}  ${host}  ${st.tailnetName || 'user@'}  ${platform}  -`);
    process.exit(0);
    break;
  case 'ip': {
    if (!running || ips.length === 0) die(`no current Tailscale IPs; state: ${backend}`);
    let list = ips;
    if (args.includes('-4')) { list = ips.filter((i) => !i.includes(':')); if (!list.length) die('no Tailscale IPv4 address'); }
    if (args.includes('-6')) { list = ips.filter((i) => i.includes(':')); if (!list.length) die('no Tailscale IPv6 address'); }
    if (args.includes('-1')) list = list.slice(0, 1);
    print(list.join('\n'));
    process.exit(0);
    break;
  }
  case 'serve': case 'funnel':
    if (args[1] === 'status') {
      print(has('--json') ? JSON.stringify(serveConfig(cmd === 'funnel'), null, 2) : serveText(cmd === 'funnel'));
      process.exit(0);
    }
    die(`tailscale ${cmd}: only "status" is emulated`, 1);
    break;
  default:
    die(cmd ? `tailscale: unknown subcommand: ${cmd}` : 'Usage: tailscale [flags] <subcommand> [command flags]', cmd ? 1 : 0);
}
