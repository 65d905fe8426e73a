// The converge as a user's terminal and scripts see it, on one real systemd guest (Hermes G2, Tailscale up):
// a closed pipe never stops the work; a real Ctrl-C under a pseudo-terminal leaves the cursor visible, one line, exit
// 130 and no lock; Ansible's colours and wrapping at a set width; each step once off a terminal; a failed run shows
// no URL and the steps it never ran; the tunnel command is the alias the user typed, and it works.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { dialTcp } from '../../src/probe/dial.js';
import { probeWebSocket } from '../../src/probe/ws-probe.js';
import { INTERRUPTED_LINE } from '../../src/interrupt.js';
import { CLI, runCli } from '../support/cli.js';
import { plainText, runOnPty } from '../support/pty.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { probeFromHere, runRemote } from '../support/remote-run.js';

const SIM_STATE = '~/.hermes/hermes-agent/.sim-state.json';
const STEPS = [
  'facts',
  'hermes',
  'preflight',
  'lock',
  'tidy',
  'update',
  'mode',
  'env',
  'config',
  'strays',
  'service',
  'record',
  'port',
  'probe',
];
const UNIT = '~/.config/systemd/user/hermes-dashboard.service';
const FOREIGN =
  'import socket,sys,time; s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((sys.argv[1], 9119)); s.listen(); time.sleep(600)  # foreign-listener';

let h: LinuxHost;
let p: PreparedHost;
const env = (): NodeJS.ProcessEnv => ({ HOME: p.cliHome });
const sh = async (cmd: string): Promise<string> => {
  const r = await p.ssh(cmd);
  if (r.code !== 0) throw new Error(`${cmd}: ${r.stderr}`);
  return r.stdout;
};
const unconverge = (): Promise<string> =>
  sh(
    `systemctl --user disable --now hermes-dashboard.service >/dev/null 2>&1; rm -f ${UNIT}; systemctl --user daemon-reload`,
  );

beforeAll(async () => {
  h = await bootLinuxHost();
  p = await prepareLinuxHost(h, { generation: 'G2' });
}, 240_000);
afterAll(async () => h?.teardown());

describe('pipes', () => {
  it('`remote | head -1`: the reader goes away after one line, the converge still finishes (exit 0, no stack trace)', async () => {
    const cmd = `node ${CLI} remote ${p.args.join(' ')} --no-update | head -1; echo "status=\${PIPESTATUS[0]}"`;
    const r = await new Promise<{ out: string; err: string }>((res) => {
      const c = spawn('bash', ['-c', cmd], { env: { ...process.env, ...env(), NO_COLOR: '1', SSH_AUTH_SOCK: '' } });
      let out = '';
      let err = '';
      c.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      c.stderr.on('data', (d: Buffer) => {
        err += d.toString();
      });
      c.on('close', () => res({ out, err }));
    });
    expect(r.err).not.toMatch(/EPIPE|\n\s+at |Unhandled/);
    expect(r.out).toMatch(/^facts: ok — .*\nstatus=0\n$/);
    expect(
      (await sh(`systemctl --user is-active hermes-dashboard.service; grep -c ExecStart= ${UNIT}`)).split('\n'),
    ).toEqual(['active', '1', '']);
    expect(await probeFromHere(p, p.tailnetIp)).toMatchObject({ ok: true, status: 101 });
  });
});

describe('off a terminal', () => {
  it('each step is one line, once; a skip says why once', async () => {
    const r = await runCli(['remote', ...p.args, '--no-update'], env());
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    for (const id of STEPS)
      expect(
        lines.filter((l) => l.startsWith(`${id}: `)),
        id,
      ).toHaveLength(1);
    expect(lines).toContain('update: skipped — --no-update');
    expect(r.stdout).not.toMatch(/SKIPPED|skipped \(/);
  });

  it('check --repair prints each repair step once and says the mode follows the recorded one (no --mode was given)', async () => {
    await sh('systemctl --user stop hermes-dashboard.service');
    const r = await runCli(['check', ...p.args, '--repair'], env());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const repairLines = r.stdout.split('\n').filter((l) => l.startsWith('repair '));
    expect(new Set(repairLines.map((l) => l.split(':')[0])).size).toBe(repairLines.length);
    expect(
      repairLines.filter((l) =>
        /^repair service: changed — start; hermes-dashboard\.service active \(pid \d+\)$/.test(l),
      ),
      r.stdout,
    ).toHaveLength(1);
    const j = await runCli(['check', ...p.args, '--repair', '--json'], env());
    expect(j.code).toBe(0);
    await sh('systemctl --user stop hermes-dashboard.service');
    const doc = JSON.parse((await runCli(['check', ...p.args, '--repair', '--json'], env())).stdout) as {
      repair: { steps: Array<{ id: string; detail: string }> };
    };
    const mode = doc.repair.steps.find((s) => s.id === 'mode')!;
    expect(mode.detail).not.toMatch(/as asked/);
    expect(mode.detail).toMatch(/as recorded at the last converge \(password mode\)/);
    expect(doc.repair.steps.find((s) => s.id === 'update')?.detail).not.toMatch(/--no-update/);
  });
});

describe('on a terminal 100 columns wide', () => {
  const green = '\x1b[32m';
  const yellow = '\x1b[33m';
  const cyan = '\x1b[36m';
  const red = '\x1b[31m';

  it('ok green, changed yellow, skipped cyan; the summary wraps at spaces under its labels, no token cut', async () => {
    await unconverge();
    const r = await runOnPty(['remote', ...p.args, '--no-update'], { env: env() });
    expect(r.code, plainText(r.output)).toBe(0);
    expect(r.output).toContain(`${green}ok\x1b[39m`);
    expect(r.output).toMatch(new RegExp(`service: \\x1b\\[33mchanged\\x1b\\[39m`));
    expect(r.output).toContain(`${yellow}✔`);
    expect(r.output).toContain(`${cyan}skipped\x1b[39m`);
    const text = plainText(r.output);
    const summary = text.slice(text.lastIndexOf('Mode:')).split('\n').filter(Boolean);
    for (const l of summary) expect([...l].length, l).toBeLessThanOrEqual(100);
    const password = join(p.cliHome, '.config', 'hermes-setup', 'passwords', p.target);
    expect(
      summary.some((l) => l.includes(password)),
      'the path is whole on one line',
    ).toBe(true);
    const mode = summary.findIndex((l) => l.startsWith('Mode:'));
    expect(summary[mode + 1]).toMatch(/^ {13}\S/);
    expect(`${summary[mode]} ${summary[mode + 1]!.trim()}`).toMatch(
      /^Mode: {8}password on .* — this build .* so pin a basic-auth login$/,
    );
  });

  it('check: FAIL red; a dry run: + green, - red, @@ cyan; NO_COLOR: no colour at all', async () => {
    await sh('systemctl --user stop hermes-dashboard.service');
    const c = await runOnPty(['check', ...p.args], { env: env() });
    expect(c.code).toBe(3);
    expect(c.output).toContain(`${red}FAIL\x1b[39m`);
    await sh(`sed -i 's/^RestartSec=5$/RestartSec=7/' ${UNIT}`);
    const d = await runOnPty(['remote', ...p.args, '--no-update', '--dry-run', '--force'], { env: env() });
    expect(d.code, plainText(d.output)).toBe(0);
    expect(d.output).toContain(`${red}-RestartSec=7\x1b[39m`);
    expect(d.output).toContain(`${green}+RestartSec=5\x1b[39m`);
    expect(d.output).toMatch(/\x1b\[36m@@ [^\n]*@@\x1b\[39m/);
    const plain = await runOnPty(['remote', ...p.args, '--no-update', '--dry-run', '--force'], {
      env: { ...env(), NO_COLOR: '1' },
    });
    expect(plain.output).not.toMatch(/\x1b\[(3\d|9\d|1|2)m/);
    await runCli(['remote', ...p.args, '--no-update', '--force'], env());
  });
});

describe('a failed run (a foreign process holds the port)', () => {
  it('names no URL, tunnel or mode; the steps after the failure are "not run" (text, tree and --json)', async () => {
    expect((await runRemote(p, ['--no-update'])).code).toBe(0);
    await sh('systemctl --user stop hermes-dashboard.service');
    try {
      // A plain listener (python's http.server looks the bind address up in DNS first, which the guests lack).
      await sh(
        `(setsid nohup python3 -c "${FOREIGN}" ${p.tailnetIp} >/dev/null 2>&1 &); for i in $(seq 50); do lsof -nP -iTCP:9119 -sTCP:LISTEN -t >/dev/null && exit 0; sleep 0.1; done; exit 1`,
      );
      const r = await runCli(['remote', ...p.args, '--no-update'], env());
      expect(r.code).toBe(1);
      expect(r.stdout).not.toMatch(/^(Mode|Tunnel|Remote URL|Token|Sign-in|Desktop app):/m);
      const failed = STEPS.findIndex((id) => new RegExp(`^${id}: failed — `, 'm').test(r.stdout));
      expect(failed).toBeGreaterThan(0);
      for (const id of STEPS.slice(failed + 1))
        expect(r.stdout, id).toMatch(new RegExp(`^${id}: not run — the run stopped at ${STEPS[failed]}$`, 'm'));
      expect(r.stdout).toMatch(/^Recap: {7}ok=\d+ changed=0 skipped=\d+ failed=1 \(\d+ steps? not run\)$/m);
      const { report } = await runRemote(p, ['--no-update']);
      expect(report.steps.slice(failed + 1).map((s) => s.status)).toEqual(STEPS.slice(failed + 1).map(() => 'not run'));
      expect(report.recap.failed).toBe(1);
      expect(report.urls).toEqual([]);
      const t = await runOnPty(['remote', ...p.args, '--no-update'], { env: env() });
      expect(t.code).toBe(1);
      expect(plainText(t.output)).toMatch(/· probe: not run — the run stopped at /);
      expect(plainText(t.output)).not.toMatch(/Remote URL|Verify the WebSocket/);
    } finally {
      await sh("pkill -f 'foreign[-]listener'; true");
    }
  });
});

describe('Ctrl-C', () => {
  it('a real ^C mid-update: the cursor comes back, one line, exit 130, the remote lock is released; a rerun finishes', async () => {
    await unconverge();
    await sh(`echo '{"generation":"G2","updateDelaySeconds":8}' > ${SIM_STATE}`);
    const lockHeld = async (): Promise<void> => {
      for (let n = 0; n < 300; n++) {
        if ((await p.ssh('test -e ~/.hermes/.hermes-setup.lock')).code === 0) return;
        await new Promise((res) => setTimeout(res, 100));
      }
      throw new Error('the lock was never taken');
    };
    const r = await runOnPty(['remote', ...p.args], {
      env: env(),
      interruptWhen: async () => {
        await lockHeld();
        await new Promise((res) => setTimeout(res, 1000));
      },
    });
    expect(r.code).toBe(130);
    const hidden = r.output.lastIndexOf('\x1b[?25l');
    expect(hidden).toBeGreaterThanOrEqual(0);
    expect(r.output.indexOf('\x1b[?25h', hidden), 'the cursor is shown again after it was hidden').toBeGreaterThan(
      hidden,
    );
    expect(
      plainText(r.output)
        .split('\n')
        .filter((l) => l.includes('interrupted;')),
    ).toEqual([INTERRUPTED_LINE]);
    expect((await p.ssh('test -e ~/.hermes/.hermes-setup.lock')).code, 'lock released').not.toBe(0);
    await sh('while pgrep -f "hermes[ ]update" >/dev/null; do sleep 0.2; done');
    await sh(`echo '{"generation":"G2"}' > ${SIM_STATE}`);
    const again = await runRemote(p, ['--no-update']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.report.probes[0]).toMatchObject({ ok: true, status: 101 });
  }, 180_000);
});

describe('tunnel mode through an ~/.ssh/config alias', () => {
  it('prints the alias the user typed, and that exact command forwards the dashboard (101 with the token)', async () => {
    const config = join(p.cliHome, '.ssh', 'config');
    writeFileSync(config, `Host box\n  HostName ${h.ip}\n  User deploy\n  IdentityFile ${h.keyPath}\n`);
    const r = await runCli(['remote', 'box', '--mode', 'tunnel', '--no-update', '--json', '--show-token'], env());
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { tunnel: { command: string; url: string }; token: string };
    expect(report.tunnel.command).toBe('ssh -N -L 19119:127.0.0.1:9119 box');
    // The user's own ssh reads ~/.ssh/config from their home; here the test's config and known_hosts are named.
    const [bin, ...args] = report.tunnel.command.split(' ');
    const fwd = spawn(
      bin!,
      [
        '-F',
        config,
        '-o',
        `UserKnownHostsFile=${join(p.cliHome, '.ssh', 'known_hosts')}`,
        '-o',
        'BatchMode=yes',
        ...args,
      ],
      { stdio: 'ignore' },
    );
    try {
      let probe = await probeWebSocket({ dial: dialTcp(2000), host: '127.0.0.1', port: 19119, token: report.token });
      for (let n = 0; n < 50 && !probe.ok; n++) {
        await new Promise((res) => setTimeout(res, 200));
        probe = await probeWebSocket({ dial: dialTcp(2000), host: '127.0.0.1', port: 19119, token: report.token });
      }
      expect(probe).toMatchObject({ ok: true, status: 101 });
    } finally {
      fwd.kill();
    }
    const text = await runCli(['remote', 'box', '--mode', 'tunnel', '--no-update'], env());
    expect(text.stdout).toMatch(/^Tunnel: {6}ssh -N -L 19119:127\.0\.0\.1:9119 box$/m);
  });
});
