// The states and argument lists whose answers were recorded from the former Node tailscale emulator
// (tailscale-golden.json); tailscale-emu.test.ts replays them against the sh emulator byte for byte.
import { presetTailscaleState, type TailscaleEmuState } from './tailscale-state.js';

export interface GoldenState {
  name: string;
  state: TailscaleEmuState | null;
}

export const GOLDEN_ARGS: string[][] = [
  ['version'],
  ['status'],
  ['status', '--json'],
  ['status', '--json', '--peers=false'],
  ['status', '--json=true'],
  ['status', '--json=false'],
  ['status', '--peers=false'],
  ['--socket=/tmp/x', 'status', '--json'],
  ['ip'],
  ['ip', '-4'],
  ['ip', '-6'],
  ['ip', '-1'],
  ['ip', '-4', '-1'],
  ['ip', '-6', '-1'],
  ['ip', '-4', '-6'],
  ['ip', '-1', '-6', '-4'],
  ['serve', 'status'],
  ['serve', 'status', '--json'],
  ['funnel', 'status'],
  ['funnel', 'status', '--json'],
  ['serve'],
  ['funnel', 'reset'],
  ['up'],
  [],
];

const SERVE = [
  { port: 443, target: 'http://127.0.0.1:9119', funnel: true },
  { port: 8443, target: 'http://127.0.0.1:3000', path: '/api' },
  { port: 80, target: 'http://127.0.0.1:8080', https: false },
  { port: 443, target: 'http://127.0.0.1:9120', path: '/two' },
];

export const GOLDEN_STATES: GoldenState[] = [
  { name: 'running', state: presetTailscaleState('Running', { hostName: 'box', ipv4: '100.64.0.1' }) },
  {
    name: 'running-v6',
    state: presetTailscaleState('Running', { hostName: 'box', ipv4: '100.64.0.1', ipv6: 'fd7a:115c:a1e0::1' }),
  },
  { name: 'running-hostname', state: presetTailscaleState('Running', { ipv4: '100.64.0.2' }) },
  { name: 'running-v6-only', state: presetTailscaleState('Running', { hostName: 'six', ipv6: 'fd7a:115c:a1e0::6' }) },
  { name: 'running-no-ips', state: presetTailscaleState('Running', { hostName: 'none' }) },
  {
    name: 'running-no-magicdns',
    state: presetTailscaleState('Running', {
      hostName: 'box',
      ipv4: '100.64.0.3',
      magicDNSEnabled: false,
      dnsName: 'custom.example.ts.net.',
      health: ['warn: x'],
      certDomains: ['a.example.ts.net'],
      tailnetName: "o'brien@example.com",
      magicDNSSuffix: 'example.ts.net',
    }),
  },
  {
    name: 'running-serve',
    state: presetTailscaleState('Running', { hostName: 'box', ipv4: '100.64.0.4', serve: SERVE }),
  },
  {
    name: 'running-serve-empty',
    state: presetTailscaleState('Running', { hostName: 'box', ipv4: '100.64.0.4', serve: [] }),
  },
  {
    name: 'running-macos',
    state: presetTailscaleState('Running', {
      hostName: 'mac',
      ipv4: '100.64.0.5',
      platform: 'macos',
      version: '1.90.1',
    }),
  },
  { name: 'running-bare', state: { backendState: 'Running', ipv4: '100.64.0.6', hostName: 'bare' } },
  { name: 'needs-login', state: presetTailscaleState('NeedsLogin') },
  {
    name: 'needs-login-no-url',
    state: { ...presetTailscaleState('NeedsLogin', { hostName: 'box' }), authURL: undefined },
  },
  {
    name: 'needs-login-quoted',
    state: presetTailscaleState('NeedsLogin', { hostName: 'box', authURL: "https://login.example/a/$HOME`x`\\n'q'" }),
  },
  {
    name: 'needs-machine-auth',
    state: presetTailscaleState('NeedsMachineAuth', { hostName: 'box', ipv4: '100.64.0.7' }),
  },
  { name: 'stopped', state: presetTailscaleState('Stopped', { hostName: 'box', serve: SERVE }) },
  { name: 'starting', state: presetTailscaleState('Starting', { hostName: 'box' }) },
  { name: 'no-state', state: presetTailscaleState('NoState', { hostName: 'box' }) },
  { name: 'in-use-other-user', state: presetTailscaleState('InUseOtherUser', { hostName: 'box' }) },
  {
    name: 'down-linux',
    state: { ...presetTailscaleState('Running', { hostName: 'box' }), daemon: 'down', platform: 'linux' },
  },
  {
    name: 'down-macos',
    state: {
      ...presetTailscaleState('Running', { hostName: 'box', version: '1.86.0' }),
      daemon: 'down',
      platform: 'macos',
    },
  },
  { name: 'missing-file', state: null },
];
