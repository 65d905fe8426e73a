// tailscale CLI emulator: states, exit codes and install variants, on the emulated mac host and locally.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startMacHost, type MacHost } from './mac-host.js';
import {
  TAILSCALE_EMULATOR_PATH,
  installTailscaleEmulator,
  presetTailscaleState,
  writeTailscaleState,
} from './emulators/tailscale-state.js';
import { GOLDEN_STATES } from './emulators/tailscale-golden-cases.js';

interface Status {
  BackendState: string;
  AuthURL: string;
  TailscaleIPs: string[] | null;
  Peer?: unknown;
  Version: string;
  Health: string[];
  Self: { DNSName: string; TailscaleIPs: string[] | null; OS: string; HostName: string };
  CurrentTailnet: { Name: string; MagicDNSSuffix: string; MagicDNSEnabled: boolean } | null;
}

function runLocal(args: string[], env: Record<string, string>, bin = TAILSCALE_EMULATOR_PATH) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(bin, args, { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('tailscale emulator on the mac host', () => {
  let h: MacHost;
  const ts = (args: string) => h.ssh(`tailscale ${args}`);
  const statusJson = async () => {
    const r = await ts('status --json --peers=false');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Status;
  };
  beforeAll(async () => {
    h = await startMacHost({ tailscale: presetTailscaleState('Running', { ipv6: 'fd7a:115c:a1e0::1' }) });
  });
  afterAll(async () => {
    await h?.teardown();
  });

  it('Running: status --json with trailing-dot DNSName, IPs, CurrentTailnet; ip -4/-6/-1', async () => {
    const s = await statusJson();
    expect(s.BackendState).toBe('Running');
    expect(s.Self.DNSName).toBe(`${h.name}.tail-emu.ts.net.`);
    expect(s.Self.OS).toBe('macOS');
    expect(s.TailscaleIPs).toEqual([h.tailnetIp, 'fd7a:115c:a1e0::1']);
    expect(s.Self.TailscaleIPs).toEqual(s.TailscaleIPs);
    expect(s.CurrentTailnet).toEqual({
      Name: 'user@example.com',
      MagicDNSSuffix: 'tail-emu.ts.net',
      MagicDNSEnabled: true,
    });
    expect(s.Peer).toBeNull();
    expect(s.Version).toMatch(/^1\.\d+\.\d+/);
    expect((await ts('ip -4')).stdout).toBe(`${h.tailnetIp}\n`);
    expect((await ts('ip -6')).stdout).toBe('fd7a:115c:a1e0::1\n');
    expect((await ts('ip -1')).stdout).toBe(`${h.tailnetIp}\n`);
    const text = await ts('status');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(h.tailnetIp);
  });

  it('a server in the host namespace is reachable from the test machine on `tailscale ip -4`', async () => {
    const ip = (await ts('ip -4')).stdout.trim();
    const srv = await h.ssh(
      `nohup node -e "require('http').createServer((q,r)=>r.end('tailnet ok')).listen(18100,'0.0.0.0')" >/dev/null 2>&1 < /dev/null & echo $!`,
    );
    expect(srv.code).toBe(0);
    let body = '';
    for (let i = 0; i < 100 && !body; i++) {
      body = await fetch(`http://${ip}:18100/`).then(
        (r) => r.text(),
        () => '',
      );
      if (!body) await new Promise((r) => setTimeout(r, 30));
    }
    expect(body).toBe('tailnet ok');
  });

  it.each([
    ['NeedsLogin', 'Logged out.'],
    ['Stopped', 'Tailscale is stopped.'],
    ['NeedsMachineAuth', 'Machine is not yet approved by tailnet admin.'],
  ] as const)('%s: JSON exits 0 with no IPs/tailnet, text status exits 1 with %j, ip fails', async (state, text) => {
    await h.setTailscale(presetTailscaleState(state));
    const s = await statusJson();
    expect(s.BackendState).toBe(state);
    expect(s.TailscaleIPs).toBeNull();
    expect(s.CurrentTailnet).toBeNull();
    expect(s.Self.DNSName).toBe('');
    expect(s.AuthURL).toBe(state === 'NeedsLogin' ? 'https://login.tailscale.com/a/emu0123456789' : '');
    const st = await ts('status');
    expect(st.code).toBe(1);
    expect(st.stdout.split('\n')[0]).toBe(text);
    const ip = await ts('ip -4');
    expect(ip.code).toBe(1);
    expect(ip.stderr).toBe(`no current Tailscale IPs; state: ${state}\n`);
  });

  it('daemon down: every command fails with the macOS hint', async () => {
    await h.setTailscale({ ...presetTailscaleState('Running'), daemon: 'down' });
    for (const args of ['status --json', 'status', 'ip -4']) {
      const r = await ts(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('failed to connect to local Tailscale service; is Tailscale running?\n');
    }
  });

  it('install variants: not installed, app bundle only, Homebrew', async () => {
    await h.setTailscale({ ...presetTailscaleState('Running'), install: 'none' });
    const none = await h.ssh('command -v tailscale; tailscale version');
    expect(none.code).toBe(127);
    await h.setTailscale({ ...presetTailscaleState('Running'), install: 'app-bundle' });
    const app = await h.ssh(
      'command -v tailscale || echo not-on-path; /Applications/Tailscale.app/Contents/MacOS/Tailscale ip -4',
    );
    expect(app.stdout).toBe(`not-on-path\n${h.tailnetIp}\n`);
    await h.setTailscale({ ...presetTailscaleState('Running'), install: 'homebrew' });
    const brew = await h.ssh('command -v tailscale || echo not-on-path; /opt/homebrew/bin/tailscale ip -4');
    expect(brew.stdout).toBe(`not-on-path\n${h.tailnetIp}\n`);
  });

  it('serve/funnel status --json report configured mappings', async () => {
    await h.setTailscale(presetTailscaleState('Running', { serve: [] }));
    expect(JSON.parse((await ts('serve status --json')).stdout)).toEqual({});
    expect((await ts('serve status')).stdout).toBe('No serve config\n');
    await h.setTailscale(
      presetTailscaleState('Running', {
        serve: [
          { port: 443, target: 'http://127.0.0.1:9119', funnel: true },
          { port: 8443, target: 'http://127.0.0.1:3000' },
        ],
      }),
    );
    const fqdn = `${h.name}.tail-emu.ts.net`;
    const serve = JSON.parse((await ts('serve status --json')).stdout) as Record<string, Record<string, unknown>>;
    expect(serve.TCP).toEqual({ 443: { HTTPS: true }, 8443: { HTTPS: true } });
    expect(serve.Web?.[`${fqdn}:443`]).toEqual({ Handlers: { '/': { Proxy: 'http://127.0.0.1:9119' } } });
    expect(serve.AllowFunnel).toEqual({ [`${fqdn}:443`]: true });
    const funnel = JSON.parse((await ts('funnel status --json')).stdout) as Record<string, Record<string, unknown>>;
    expect(Object.keys(funnel.Web ?? {})).toEqual([`${fqdn}:443`]);
    expect((await ts('funnel status')).stdout).toContain(
      `https://${fqdn} (Funnel on)\n|-- / proxy http://127.0.0.1:9119`,
    );
  });
});

describe('tailscale emulator as installed in a Linux guest', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp('/var/tmp/hs-tsemu-');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('uses TAILSCALE_EMU_STATE, Linux daemon hint when down or without state', async () => {
    const state = join(dir, 'state.json');
    const missing = await runLocal(['status', '--json'], { TAILSCALE_EMU_STATE: state });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(
      "failed to connect to local tailscaled; it doesn't appear to be running (sudo systemctl start tailscaled ?)\n",
    );
    await writeTailscaleState(state, presetTailscaleState('NeedsLogin'));
    const r = await runLocal(['status', '--json'], { TAILSCALE_EMU_STATE: state });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as Status).Self.OS).toBe('linux');
    const text = await runLocal(['status'], { TAILSCALE_EMU_STATE: state });
    expect(text).toMatchObject({
      code: 1,
      stdout: 'Logged out.\n\nLog in at: https://login.tailscale.com/a/emu0123456789\n',
    });
  });

  it('an installed copy reads its baked-in state path', async () => {
    const bin = join(dir, 'bin', 'tailscale');
    const state = join(dir, 'baked.json');
    await installTailscaleEmulator(bin, state);
    await writeTailscaleState(state, presetTailscaleState('Running', { ipv4: '100.64.0.7', ipv6: undefined }));
    const r = await new Promise<string>((resolve, reject) =>
      execFile(bin, ['ip', '-4'], (e: Error | null, out) => (e ? reject(e) : resolve(out))),
    );
    expect(r).toBe('100.64.0.7\n');
    const v6 = await runLocal(['ip', '-6'], {}, bin);
    expect(v6).toMatchObject({ code: 1, stderr: 'no Tailscale IPv6 address\n' });
  });
});

interface GoldenRun {
  args: string[];
  code: number;
  stdout: string;
  stderr: string;
}

describe('tailscale emulator answers, byte for byte', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp('/var/tmp/hs-tsgold-');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  // Recorded from the former Node emulator (tailscale.cjs) by record-tailscale-golden.ts before it was removed.
  const golden = JSON.parse(
    readFileSync(join(import.meta.dirname, 'emulators', 'tailscale-golden.json'), 'utf8'),
  ) as Record<string, GoldenRun[]>;
  const host = hostname().split('.')[0]!;

  it.each(GOLDEN_STATES.map((g) => [g.name, g] as const))(
    '%s: every argument list gives the recorded stdout, stderr and exit code',
    async (name, g) => {
      const state = join(dir, `${name}.state`);
      if (g.state) await writeTailscaleState(state, g.state);
      const runs = golden[name]!;
      expect(runs.length).toBeGreaterThan(20);
      for (const want of runs) {
        const got = await runLocal(want.args, { TAILSCALE_EMU_STATE: state });
        const unmask = (s: string) => s.split('<HOSTNAME>').join(host);
        expect({ args: want.args, ...got }).toEqual({
          args: want.args,
          code: want.code,
          stdout: unmask(want.stdout),
          stderr: unmask(want.stderr),
        });
      }
    },
  );
});
