// renderTailscaleScript run locally with `sh -c` against the tailscale CLI emulator of test/hosts
// (real executable, canned `status --json` per BackendState), parsed by parseTailscaleOutput.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  installTailscaleEmulator,
  presetTailscaleState,
  writeTailscaleState,
} from '../hosts/emulators/tailscale-state.js';
import { parseTailscaleOutput, renderTailscaleScript, tailnetUrls } from '../../src/probe/tailscale.js';

const FIXED_CANDIDATES = [
  '/usr/local/bin/tailscale',
  '/opt/homebrew/bin/tailscale',
  '/Applications/Tailscale.app/Contents/MacOS/Tailscale',
];
let dir: string;
let binDir: string;
let statePath: string;

function runScript(pathDirs: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const env = {
      PATH: [...pathDirs, path.dirname(process.execPath), '/usr/bin', '/bin'].join(':'),
      TAILSCALE_EMU_STATE: statePath,
      HOME: dir,
      TMPDIR: dir,
    };
    const child = spawn('sh', ['-c', renderTailscaleScript()], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`script exited ${code}`))));
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'probe-ts-'));
  binDir = path.join(dir, 'bin');
  statePath = path.join(dir, 'state.json');
  await installTailscaleEmulator(path.join(binDir, 'tailscale'), statePath);
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('tailscale script + parser against the CLI emulator', () => {
  it('Running with MagicDNS: IPs, DNS name without the dot, tailnet URLs for a wildcard bind', async () => {
    await writeTailscaleState(
      statePath,
      presetTailscaleState('Running', { hostName: 'box', ipv4: '100.101.102.103', ipv6: 'fd7a:115c:a1e0::1234' }),
    );
    const t = parseTailscaleOutput(await runScript([binDir]));
    expect(t).toMatchObject({
      installed: true,
      cliPath: path.join(binDir, 'tailscale'),
      daemonRunning: true,
      backendState: 'Running',
      ipv4: '100.101.102.103',
      ipv6: 'fd7a:115c:a1e0::1234',
      dnsName: 'box.tail-emu.ts.net',
      magicDns: true,
      tailnet: 'user@example.com',
    });
    expect(t.version).toMatch(/^1\.84\.3/);
    expect(tailnetUrls(t, 9119, '0.0.0.0')).toEqual(['http://100.101.102.103:9119', 'http://box.tail-emu.ts.net:9119']);
    expect(tailnetUrls(t, 9119, '100.101.102.103')).toEqual(['http://100.101.102.103:9119']);
    expect(tailnetUrls(t, 9119, '127.0.0.1')).toEqual([]);
  });

  it('Running without MagicDNS: only the IP URL', async () => {
    await writeTailscaleState(
      statePath,
      presetTailscaleState('Running', { hostName: 'box', ipv4: '100.101.102.103', magicDNSEnabled: false }),
    );
    const t = parseTailscaleOutput(await runScript([binDir]));
    expect(t).toMatchObject({ backendState: 'Running', magicDns: false });
    expect(tailnetUrls(t, 9119, '0.0.0.0')).toEqual(['http://100.101.102.103:9119']);
  });

  it('NeedsLogin: exit 0 from status --json, state and AuthURL from the JSON, no URL', async () => {
    await writeTailscaleState(statePath, presetTailscaleState('NeedsLogin'));
    const out = await runScript([binDir]);
    expect(out).toContain('@@hs-ts rc=0');
    const t = parseTailscaleOutput(out);
    expect(t).toMatchObject({
      daemonRunning: true,
      backendState: 'NeedsLogin',
      authUrl: 'https://login.tailscale.com/a/emu0123456789',
      magicDns: false,
    });
    expect(t.ipv4).toBeUndefined();
    expect(tailnetUrls(t, 9119, '0.0.0.0')).toEqual([]);
  });

  for (const state of ['Stopped', 'NeedsMachineAuth'] as const) {
    it(`${state}: reported from the JSON, health kept, no URL`, async () => {
      await writeTailscaleState(statePath, presetTailscaleState(state));
      const t = parseTailscaleOutput(await runScript([binDir]));
      expect(t).toMatchObject({ daemonRunning: true, backendState: state });
      expect(t.health.join(' ')).toContain(`state=${state}`);
      expect(tailnetUrls(t, 9119, '0.0.0.0')).toEqual([]);
    });
  }

  it('daemon down: daemonRunning false with the hint as error', async () => {
    await writeTailscaleState(statePath, { ...presetTailscaleState('Running'), daemon: 'down', platform: 'linux' });
    const t = parseTailscaleOutput(await runScript([binDir]));
    expect(t).toMatchObject({ installed: true, daemonRunning: false });
    expect(t.error).toMatch(/failed to connect to local tailscaled; it doesn't appear to be running/);
  });

  it('not installed: no CLI on PATH or in the fixed locations', async () => {
    const fixed = FIXED_CANDIDATES.find((c) => fs.existsSync(c));
    const t = parseTailscaleOutput(await runScript([path.join(dir, 'empty')]));
    if (fixed) expect(t).toMatchObject({ installed: true, cliPath: fixed });
    else expect(t).toEqual({ installed: false, daemonRunning: false, magicDns: false, health: [] });
  });
});
