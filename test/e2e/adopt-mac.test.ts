// A hand-made LaunchAgent `ai.hermes.dashboard` (the seed recipe as macOS users write it, docs/hermes-contract.md#c14)
// on the emulated Mac: loaded, running `hermes dashboard --host 0.0.0.0 --insecure --tui` with the token in
// EnvironmentVariables. `remote` adopts it: backup next to it (0600), the token pinned in .env and gone from the plist,
// the job replaced (booted out and bootstrapped), one job, a 101 probe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMacHost, type MacHost } from '../hosts/mac-host.js';
import { prepareMacHost, type PreparedHost } from '../support/prepare-host.js';
import { runRemote } from '../support/remote-run.js';

const TOKEN = 'handMadePlistTokenTheAppHas_0123456789abcdefg';
const PLIST = '~/Library/LaunchAgents/ai.hermes.dashboard.plist';

function handMade(home: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>ai.hermes.dashboard</string>
  <key>ProgramArguments</key>
  <array><string>${home}/.local/bin/hermes</string><string>dashboard</string><string>--host</string><string>0.0.0.0</string><string>--insecure</string><string>--tui</string></array>
  <key>EnvironmentVariables</key>
  <dict><key>HERMES_DASHBOARD_SESSION_TOKEN</key><string>${TOKEN}</string></dict>
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><true/>
</dict>
</plist>
`;
}

describe('a hand-made ai.hermes.dashboard LaunchAgent (emulated Mac, Hermes G1)', () => {
  let mac: MacHost;
  let p: PreparedHost;
  beforeAll(async () => {
    mac = await startMacHost();
    p = await prepareMacHost(mac, { generation: 'G1' });
    const r = await p.ssh(
      `mkdir -p ~/Library/LaunchAgents && cat > ${PLIST} && launchctl bootstrap gui/$(id -u) ${PLIST}`,
      handMade(mac.home),
    );
    expect(r.code, r.stderr).toBe(0);
  }, 120_000);
  afterAll(async () => mac?.teardown());

  it('is adopted: backed up (0600), its token pinned in .env and gone from the plist, replaced, one job, 101', async () => {
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, `${r.stderr}\n${JSON.stringify(r.report.steps, null, 1)}`).toBe(0);
    expect(r.report.steps.find((s) => s.id === 'service')?.detail).toMatch(
      /^adopt your hand-made ai\.hermes\.dashboard\.plist \(it ran `.*\/\.local\/bin\/hermes dashboard --host 0\.0\.0\.0 --insecure --tui`\): backed up to .*; its token is now pinned in ~\/\.hermes\/\.env only, write plist, .*bootout, bootstrap/,
    );
    expect(r.report.token).toBe(TOKEN);
    expect(r.report.steps.find((s) => s.id === 'env')?.detail).toContain(
      'pinned the token the service file set (moved out of it)',
    );
    expect((await p.ssh(`cat ${PLIST}.hermes-setup.bak`)).stdout).toBe(handMade(mac.home));
    expect(
      (
        await p.ssh(`stat -c %a ${PLIST}.hermes-setup.bak 2>/dev/null || stat -f %Lp ${PLIST}.hermes-setup.bak`)
      ).stdout.trim(),
    ).toBe('600');
    const plist = (await p.ssh(`cat ${PLIST}`)).stdout;
    expect(plist).toContain('Managed by hermes-setup');
    expect(plist).not.toContain(TOKEN);
    expect((await p.ssh('ls ~/Library/LaunchAgents')).stdout).toBe(
      'ai.hermes.dashboard.plist\nai.hermes.dashboard.plist.hermes-setup.bak\n',
    );
    expect(r.report.probes[0]).toMatchObject({ ok: true, status: 101 });
    const again = await runRemote(p, ['--no-update']);
    expect(again.report.recap.changed, JSON.stringify(again.report.steps)).toBe(0);
  });
});
