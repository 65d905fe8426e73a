// parseTailscaleOutput per BackendState (status --json shapes from peers.md §2.4) and tailnetUrls rows.
import { describe, expect, it } from 'vitest';
import {
  type TailscaleFacts,
  parseTailscaleOutput,
  renderTailscaleScript,
  tailnetUrls,
} from '../../src/probe/tailscale.js';

const CLI = '/usr/bin/tailscale';

function scriptOut(stdout: string, stderr = '', rc = 0, cli = CLI): string {
  return `@@hs-ts cli=${cli}\n@@hs-ts begin stdout\n${stdout}\n@@hs-ts end stdout\n@@hs-ts begin stderr\n${stderr}\n@@hs-ts end stderr\n@@hs-ts rc=${rc}\n`;
}

function statusJson(backend: string, over: Record<string, unknown> = {}): string {
  const running = backend === 'Running';
  return JSON.stringify(
    {
      Version: '1.84.3-t0123abcd-gdeadbeef',
      TUN: true,
      BackendState: backend,
      HaveNodeKey: backend !== 'NeedsLogin',
      AuthURL: '',
      TailscaleIPs: running ? ['100.101.102.103', 'fd7a:115c:a1e0::9f01:6667'] : null,
      Self: {
        ID: 'n1',
        HostName: 'box',
        DNSName: running ? 'box.tail1234.ts.net.' : '',
        OS: 'linux',
        TailscaleIPs: running ? ['100.101.102.103', 'fd7a:115c:a1e0::9f01:6667'] : null,
        Online: running,
      },
      Health: running ? [] : [`state=${backend}, wantRunning=false`],
      MagicDNSSuffix: running ? 'tail1234.ts.net' : '',
      CurrentTailnet: running
        ? { Name: 'alice@example.com', MagicDNSSuffix: 'tail1234.ts.net', MagicDNSEnabled: true }
        : null,
      CertDomains: null,
      Peer: null,
      ...over,
    },
    null,
    2,
  );
}

describe('parseTailscaleOutput', () => {
  it('Running with MagicDNS', () => {
    expect(parseTailscaleOutput(scriptOut(statusJson('Running')))).toEqual({
      installed: true,
      cliPath: CLI,
      daemonRunning: true,
      backendState: 'Running',
      ipv4: '100.101.102.103',
      ipv6: 'fd7a:115c:a1e0::9f01:6667',
      dnsName: 'box.tail1234.ts.net',
      magicDns: true,
      tailnet: 'alice@example.com',
      health: [],
      version: '1.84.3-t0123abcd-gdeadbeef',
    });
  });
  it('Running without MagicDNS', () => {
    const t = parseTailscaleOutput(
      scriptOut(
        statusJson('Running', {
          CurrentTailnet: { Name: 'alice@example.com', MagicDNSSuffix: 'tail1234.ts.net', MagicDNSEnabled: false },
        }),
      ),
    );
    expect(t).toMatchObject({ backendState: 'Running', magicDns: false, dnsName: 'box.tail1234.ts.net' });
  });
  it('NeedsLogin with AuthURL (exit 0 in JSON mode)', () => {
    const t = parseTailscaleOutput(
      scriptOut(statusJson('NeedsLogin', { AuthURL: 'https://login.tailscale.com/a/abc123' })),
    );
    expect(t).toEqual({
      installed: true,
      cliPath: CLI,
      daemonRunning: true,
      backendState: 'NeedsLogin',
      magicDns: false,
      authUrl: 'https://login.tailscale.com/a/abc123',
      health: ['state=NeedsLogin, wantRunning=false'],
      version: '1.84.3-t0123abcd-gdeadbeef',
    });
  });
  for (const state of ['Stopped', 'NeedsMachineAuth', 'Starting', 'NoState']) {
    it(`${state}: state from JSON, no addresses`, () => {
      const t = parseTailscaleOutput(scriptOut(statusJson(state)));
      expect(t).toMatchObject({ daemonRunning: true, backendState: state, magicDns: false });
      expect(t.ipv4).toBeUndefined();
      expect(t.dnsName).toBeUndefined();
    });
  }
  it('a non-zero exit code does not override a JSON BackendState', () => {
    expect(parseTailscaleOutput(scriptOut(statusJson('Running'), '', 1)).backendState).toBe('Running');
  });
  it('warning lines around the JSON are tolerated', () => {
    const out = scriptOut(
      `Warning: client version "1.80.0" != tailscaled server version "1.84.3"\n${statusJson('Running')}`,
    );
    expect(parseTailscaleOutput(out)).toMatchObject({ backendState: 'Running', ipv4: '100.101.102.103' });
  });
  it('daemon down (Linux)', () => {
    const msg =
      "failed to connect to local tailscaled; it doesn't appear to be running (sudo systemctl start tailscaled ?)";
    expect(parseTailscaleOutput(scriptOut('', msg, 1))).toEqual({
      installed: true,
      cliPath: CLI,
      daemonRunning: false,
      magicDns: false,
      health: [],
      error: msg,
    });
  });
  it('daemon down (macOS app bundle)', () => {
    const cli = '/Applications/Tailscale.app/Contents/MacOS/Tailscale';
    const t = parseTailscaleOutput(
      scriptOut('', 'failed to connect to local Tailscale service; is Tailscale running?', 1, cli),
    );
    expect(t).toMatchObject({
      installed: true,
      cliPath: cli,
      daemonRunning: false,
      error: 'failed to connect to local Tailscale service; is Tailscale running?',
    });
  });
  it('not installed', () => {
    expect(parseTailscaleOutput('@@hs-ts cli=\n')).toEqual({
      installed: false,
      daemonRunning: false,
      magicDns: false,
      health: [],
    });
  });
  it('no output at all is an error, not "not installed" silently', () => {
    expect(parseTailscaleOutput('')).toMatchObject({
      installed: false,
      error: expect.stringMatching(/no tailscale script output/),
    });
  });
  it('renderTailscaleScript looks in PATH and the fixed locations and asks for --peers=false', () => {
    const s = renderTailscaleScript();
    for (const p of [
      'command -v tailscale',
      '/usr/local/bin/tailscale',
      '/opt/homebrew/bin/tailscale',
      '/Applications/Tailscale.app/Contents/MacOS/Tailscale',
      'status --json --peers=false',
    ]) {
      expect(s).toContain(p);
    }
  });
});

describe('tailnetUrls', () => {
  const running: TailscaleFacts = {
    installed: true,
    daemonRunning: true,
    backendState: 'Running',
    ipv4: '100.101.102.103',
    ipv6: 'fd7a:115c:a1e0::9f01:6667',
    dnsName: 'box.tail1234.ts.net',
    magicDns: true,
    health: [],
  };
  const rows: Array<[string, TailscaleFacts, string, string[]]> = [
    [
      'wildcard 0.0.0.0 + MagicDNS',
      running,
      '0.0.0.0',
      ['http://100.101.102.103:9119', 'http://box.tail1234.ts.net:9119'],
    ],
    ['wildcard :: + MagicDNS', running, '::', ['http://100.101.102.103:9119', 'http://box.tail1234.ts.net:9119']],
    ['wildcard, MagicDNS off', { ...running, magicDns: false }, '0.0.0.0', ['http://100.101.102.103:9119']],
    [
      'bound to the tailnet IPv4: Host guard accepts only the IP',
      running,
      '100.101.102.103',
      ['http://100.101.102.103:9119'],
    ],
    [
      'bound to the tailnet IPv6',
      running,
      'fd7a:115c:a1e0:0:0:0:9f01:6667',
      ['http://[fd7a:115c:a1e0::9f01:6667]:9119'],
    ],
    ['bound to the MagicDNS name', running, 'box.tail1234.ts.net', ['http://box.tail1234.ts.net:9119']],
    ['loopback bind: unreachable from the tailnet', running, '127.0.0.1', []],
    ['LAN bind: not the tailnet interface', running, '192.168.1.10', []],
    ['NeedsLogin', { ...running, backendState: 'NeedsLogin' }, '0.0.0.0', []],
    ['daemon down', { installed: true, daemonRunning: false, magicDns: false, health: [] }, '0.0.0.0', []],
  ];
  for (const [name, facts, bind, want] of rows) it(name, () => expect(tailnetUrls(facts, 9119, bind)).toEqual(want));
});
