// Test-host acceptance: a real systemd guest runs the simulated Hermes dashboard as a user unit with linger,
// and after a real guest reboot the dashboard answers the desktop app's WebSocket handshake before any login.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderSystemdUnit } from '../../src/render/systemd-unit.js';
import { readTemplate } from '../../src/templates.js';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { installSimulator } from '../simulator/install.js';
import { connectLikeDesktop, isGatewayReady } from '../support/ws-client.js';

let host: LinuxHost;
const token = randomBytes(32).toString('base64url');

beforeAll(async () => {
  host = await bootLinuxHost();
  await installSimulator((cmd, stdin) => host.ssh(cmd, { stdin: stdin?.toString() }), {
    generation: 'G1',
    home: '/home/deploy',
  });
}, 240_000);

afterAll(async () => host?.teardown());

async function must(cmd: string, stdin?: string): Promise<string> {
  const r = await host.ssh(cmd, { stdin });
  if (r.code !== 0) throw new Error(`${cmd} -> ${r.code}: ${r.stderr}`);
  return r.stdout;
}

describe('Linux test host + Hermes simulator', () => {
  it('installs and enables a user unit running the dashboard, with linger, and answers WS 101', async () => {
    await must('umask 077; mkdir -p ~/.hermes && cat > ~/.hermes/.env', `HERMES_DASHBOARD_SESSION_TOKEN=${token}\n`);
    const unit = renderSystemdUnit(await readTemplate('systemd/hermes-dashboard.service'), {
      programArguments: [
        '/home/deploy/.local/bin/hermes',
        'dashboard',
        '--host',
        host.tailnetIp,
        '--port',
        '9119',
        '--insecure',
        '--no-open',
      ],
      hermesHome: '/home/deploy/.hermes',
      home: '/home/deploy',
      path: '/home/deploy/.local/bin:/usr/local/bin:/usr/bin:/bin',
      logDir: '/home/deploy/.hermes/logs',
      mode: 'token',
    });
    await must('mkdir -p ~/.config/systemd/user && cat > ~/.config/systemd/user/hermes-dashboard.service', unit);
    await must(
      'loginctl enable-linger deploy && systemctl --user daemon-reload && systemctl --user enable --now hermes-dashboard.service',
    );
    expect((await host.ssh('systemctl --user is-active hermes-dashboard.service')).stdout.trim()).toBe('active');
    const url = `ws://${host.tailnetIp}:9119/api/ws?token=${token}`;
    let outcome = await connectLikeDesktop(url).catch(() => undefined);
    for (let i = 0; i < 50 && outcome?.status !== 101; i++) {
      await new Promise((r) => setTimeout(r, 100));
      outcome = await connectLikeDesktop(url).catch(() => undefined);
    }
    expect(outcome?.status).toBe(101);
    expect(isGatewayReady(outcome?.firstFrame)).toBe(true);
    expect((await connectLikeDesktop(`ws://${host.tailnetIp}:9119/api/ws?token=wrong`)).status).toBe(403);
  });

  it('after a guest reboot the dashboard answers WS 101 before any login', async () => {
    const before = await host.bootId();
    await host.reboot();
    expect(await host.bootId()).not.toBe(before);
    const url = `ws://${host.tailnetIp}:9119/api/ws?token=${token}`;
    let outcome = await connectLikeDesktop(url).catch(() => undefined);
    for (let i = 0; i < 100 && outcome?.status !== 101; i++) {
      await new Promise((r) => setTimeout(r, 100));
      outcome = await connectLikeDesktop(url).catch(() => undefined);
    }
    const sessions = await host.root('loginctl list-sessions --no-legend');
    expect(sessions.stdout.trim()).toBe('');
    expect(outcome?.status).toBe(101);
    expect(isGatewayReady(outcome?.firstFrame)).toBe(true);
  });
});
