// The seed's own host on a real systemd guest (issue 12): a user unit hermes-dashboard.service set up by hand with
// the seed recipe (`hermes dashboard --host 0.0.0.0 --insecure --tui`, the token in .env and in Environment=), Hermes
// G1 with a pending update to G2 (where --insecure is a no-op and the public bind exits 1). `remote` adopts the unit:
// --dry-run shows the diff; the real run updates Hermes, backs the unit up, keeps the seed's token, binds the tailnet
// address, leaves exactly one unit, and `check` is healthy. A unit that runs something else is refused, and named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { runCli } from '../support/cli.js';
import { runCheckJson } from '../support/health-run.js';
import { expectRefusal } from '../support/host-state.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { mainPid, runRemote } from '../support/remote-run.js';
import { snapshotTrees } from '../support/snapshot.js';

const SEED_TOKEN = 'seedTokenFromTheRecipe_0123456789abcdefghijklm';
const UNIT_DIR = '~/.config/systemd/user';
const SEED_UNIT = `[Unit]
Description=Hermes dashboard (seed recipe)
After=network-online.target

[Service]
Environment=HERMES_DASHBOARD_SESSION_TOKEN=${SEED_TOKEN}
ExecStart=/home/deploy/.local/bin/hermes dashboard --host 0.0.0.0 --insecure --tui
Restart=always
RestartSec=2

[Install]
WantedBy=default.target
`;

async function must(p: PreparedHost, cmd: string, stdin?: string): Promise<string> {
  const r = await p.ssh(cmd, stdin);
  if (r.code !== 0) throw new Error(`${cmd} -> ${r.code}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** Listening addresses on the dashboard port, from the guest's own ss. */
async function listeners(p: PreparedHost): Promise<string[]> {
  return (await must(p, "ss -Hltn 'sport = :9119' | awk '{print $4}'")).split('\n').filter(Boolean);
}

async function waitListening(p: PreparedHost, addr: RegExp): Promise<void> {
  for (let n = 0; n < 100; n++) {
    if ((await listeners(p)).some((l) => addr.test(l))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `nothing listens on ${addr}: ${(await p.ssh('journalctl --user -u hermes-dashboard -n 20 --no-pager')).stdout}`,
  );
}

describe('the seed recipe host, Hermes G1 with a pending update to G2', () => {
  let h: LinuxHost;
  let p: PreparedHost;
  beforeAll(async () => {
    h = await bootLinuxHost();
    p = await prepareLinuxHost(h, { generation: 'G1', updateTo: 'G2' });
    await h.root('loginctl enable-linger deploy');
    await must(
      p,
      `umask 077; mkdir -p ~/.hermes && printf 'OPENAI_API_KEY=sk-seed\\nHERMES_DASHBOARD_SESSION_TOKEN=${SEED_TOKEN}\\n' > ~/.hermes/.env`,
    );
    await must(p, `mkdir -p ${UNIT_DIR} && cat > ${UNIT_DIR}/hermes-dashboard.service`, SEED_UNIT);
    await must(p, 'systemctl --user daemon-reload && systemctl --user enable --now hermes-dashboard.service');
    await waitListening(p, /^0\.0\.0\.0:9119$/);
  }, 240_000);
  afterAll(async () => h?.teardown());

  it('--dry-run says it adopts the unit and shows the diff (the token redacted), changing nothing', async () => {
    const before = await snapshotTrees(p.ssh);
    const r = await runRemote(p, ['--dry-run']);
    expect(r.code, r.stderr).toBe(0);
    const service = r.report.steps.find((s) => s.id === 'service');
    expect(service?.detail).toMatch(
      /^would adopt your hand-made hermes-dashboard\.service \(it ran `\/home\/deploy\/\.local\/bin\/hermes dashboard --host 0\.0\.0\.0 --insecure --tui`\): backed up to /,
    );
    expect(r.report.diffs).toMatch(
      /-ExecStart=\/home\/deploy\/\.local\/bin\/hermes dashboard --host 0\.0\.0\.0 --insecure --tui\n/,
    );
    expect(r.report.diffs).toMatch(/-Environment=HERMES_DASHBOARD_SESSION_TOKEN=<redacted sha256:/);
    expect(r.report.diffs).not.toContain(SEED_TOKEN);
    expect(await snapshotTrees(p.ssh)).toBe(before);
  });

  it('remote: hermes update runs, the unit is adopted (backup 0600), the seed token kept, no wildcard listener, one unit, check healthy', async () => {
    const r = await runRemote(p);
    expect(r.code, `${r.stderr}\n${JSON.stringify(r.report.steps, null, 1)}`).toBe(0);
    expect(r.report.steps.find((s) => s.id === 'update')).toMatchObject({
      status: 'changed',
      detail: expect.stringMatching(/^updated G1, v0\.16\.2 \(2026\.6\.10\) → G2, v0\.18\.0/),
    });
    expect(r.report.hermes).toMatchObject({ version: '0.18.0', generation: 'G2' });
    expect(r.report.mode).toBe('password');
    expect(r.report.steps.find((s) => s.id === 'service')?.detail).toMatch(
      /^adopt your hand-made hermes-dashboard\.service .*backed up to (~|\/home\/deploy)\/\.config\/systemd\/user\/hermes-dashboard\.service\.hermes-setup\.bak; its token is now pinned in ~\/\.hermes\/\.env only/,
    );
    expect(r.report.token).toBe(SEED_TOKEN);
    expect(
      await must(
        p,
        'grep -c "^HERMES_DASHBOARD_SESSION_TOKEN=" ~/.hermes/.env; grep "^HERMES_DASHBOARD_SESSION_TOKEN=" ~/.hermes/.env',
      ),
    ).toBe(`1\nHERMES_DASHBOARD_SESSION_TOKEN=${SEED_TOKEN}\n`);
    expect(await must(p, 'grep -c OPENAI_API_KEY=sk-seed ~/.hermes/.env')).toBe('1\n');
    const unit = await must(p, `cat ${UNIT_DIR}/hermes-dashboard.service`);
    expect(unit).toMatch(/^# Managed by hermes-setup \(password mode\)/);
    expect(unit).not.toContain(SEED_TOKEN);
    expect(unit).not.toMatch(/--insecure|0\.0\.0\.0/);
    expect(
      await must(
        p,
        `stat -c '%a' ${UNIT_DIR}/hermes-dashboard.service.hermes-setup.bak; cat ${UNIT_DIR}/hermes-dashboard.service.hermes-setup.bak`,
      ),
    ).toBe(`600\n${SEED_UNIT}`);
    expect(await must(p, `ls -A ${UNIT_DIR} | grep -v '\\.wants$'`)).toBe(
      'hermes-dashboard.service\nhermes-dashboard.service.hermes-setup.bak\n',
    );
    expect(
      (await must(p, "systemctl --user list-units --all --plain --no-legend 'hermes*' | awk '{print $1}'")).trim(),
    ).toBe('hermes-dashboard.service');
    expect((await must(p, "systemctl list-units --all --plain --no-legend 'hermes*' | wc -l")).trim()).toBe('0');
    const ls = await listeners(p);
    expect(ls).toEqual([`${p.tailnetIp}:9119`]);
    expect(r.report.probes[0]).toMatchObject({ ok: true, status: 101 });
    const c = await runCheckJson(p);
    expect(c.code, JSON.stringify(c.report.checks)).toBe(0);
  });

  it('a second run changes nothing and keeps the dashboard process', async () => {
    const pid = await mainPid(p);
    const r = await runRemote(p);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.recap.changed, JSON.stringify(r.report.steps)).toBe(0);
    expect(await mainPid(p)).toBe(pid);
  });
});

describe('a unit at our path that runs something else', () => {
  let h: LinuxHost;
  let p: PreparedHost;
  const OTHER = '[Service]\nExecStart=/usr/bin/python3 -m http.server 9119\n\n[Install]\nWantedBy=default.target\n';
  beforeAll(async () => {
    h = await bootLinuxHost();
    p = await prepareLinuxHost(h, { generation: 'G2' });
    await must(p, `mkdir -p ${UNIT_DIR} && cat > ${UNIT_DIR}/hermes-dashboard.service`, OTHER);
  }, 240_000);
  afterAll(async () => h?.teardown());

  it('is refused without --force, naming what it runs, with the host untouched; --force replaces it and keeps a backup', async () => {
    const before = await snapshotTrees(p.ssh);
    const r = await runCli(['remote', ...p.args, '--no-update'], { HOME: p.cliHome });
    expectRefusal(
      r,
      'E_SERVICE_FOREIGN',
      1,
      /runs `\/usr\/bin\/python3 -m http\.server 9119`, not `hermes dashboard` or `hermes serve`; refusing to replace it/,
    );
    expect(await snapshotTrees(p.ssh)).toBe(before);
    const f = await runRemote(p, ['--no-update', '--force']);
    expect(f.code, f.stderr).toBe(0);
    expect(await must(p, `cat ${UNIT_DIR}/hermes-dashboard.service.hermes-setup.bak`)).toBe(OTHER);
  });

  it('our own unit, edited by hand since: refused and says so', async () => {
    await must(p, `sed -i 's/^RestartSec=5$/RestartSec=1/' ${UNIT_DIR}/hermes-dashboard.service`);
    const r = await runCli(['remote', ...p.args, '--no-update'], { HOME: p.cliHome });
    expectRefusal(r, 'E_SERVICE_DRIFT', 1, /was written by hermes-setup and edited by hand since/);
  });
});
