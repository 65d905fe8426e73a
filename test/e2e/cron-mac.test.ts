// `cron --timer` on macOS (a launchd StartInterval agent) on the emulated Mac: a bootstrap that fails after the
// plist and script were written leaves nothing behind, and a failed reinstall puts the previous agent back.
// The CLI picks launchd by os.platform(), which is 'linux' on the emulated Mac, so the test calls the same
// function `cron install --timer` calls on a Mac (dist/cron/launchd-timer.js) as the Mac user over SSH.
// The failure is the real one (peers.md §2, launchd error 5 cause (a)): the label is still draining after
// bootout; the host's drain time (15 s) outlasts the install's 10 s wait.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMacHost, type MacHost } from '../hosts/mac-host.js';

const DIST = join(import.meta.dirname, '..', '..', 'dist');
const LABEL = 'ai.hermes-setup.hermes-setup-check-local';

describe('cron --timer on the emulated Mac', () => {
  let h: MacHost;
  beforeAll(async () => {
    h = await startMacHost({ drainMs: 15_000, gui: false });
  }, 120_000);
  afterAll(async () => h?.teardown());

  /** applyLaunchdTimer(spec, install) as the Mac user; prints the result JSON or the error line. */
  const timer = (install: boolean, every = 5) =>
    h.ssh(`node --input-type=module -e '
    const m = await import("${DIST}/cron/launchd-timer.js");
    const spec = { node: "/usr/bin/node", cli: "${DIST}/cli.js", args: ["--local"], log: process.env.HOME + "/Library/Logs/hs-check.log", every: ${every}, label: "local" };
    try { console.log(JSON.stringify(await m.applyLaunchdTimer(spec, ${install}))); } catch (e) { console.error(e.toLine ? e.toLine() : e.stack); process.exit(1); }'`);
  const tree = async (): Promise<string> => (await h.ssh('find ~ -printf "%P %m %s\\n" | sort')).stdout;
  /** Waits (≤ 30 s) until launchd has let go of the label (a bootout drains for 15 s here). */
  const gone = async (): Promise<void> => {
    for (let i = 0; i < 60 && (await h.ssh(`launchctl print user/${h.uid}/${LABEL}`)).code === 0; i++)
      await new Promise((res) => setTimeout(res, 500));
  };
  const cat = async (): Promise<string> =>
    (await h.ssh(`cat ~/Library/LaunchAgents/${LABEL}.plist ~/.config/hermes-setup/hermes-setup-check-local.sh`))
      .stdout;

  it('install, idempotent reinstall, remove leaves the home as found', async () => {
    const before = await tree();
    const a = await timer(true);
    expect(a.code, a.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ kind: 'launchd', changed: true, entry: `user/${h.uid}/${LABEL}` });
    expect((await h.ssh(`launchctl print user/${h.uid}/${LABEL}`)).code).toBe(0);
    expect(JSON.parse((await timer(true)).stdout)).toMatchObject({ changed: false });
    const r = await timer(false);
    expect(JSON.parse(r.stdout)).toMatchObject({ changed: true });
    const after = (await tree()).split('\n');
    expect(after.filter((l) => l.includes('hermes-setup'))).toEqual([]);
    expect(before.split('\n').filter((l) => !after.includes(l))).toEqual([]);
  }, 60_000);

  it('first install, bootstrap fails (label still draining): no file or directory left behind', async () => {
    await gone();
    // Another job holds the label (a plist outside ~/Library/LaunchAgents), and ignores SIGTERM.
    const dir = (await h.ssh('mktemp -d')).stdout.trim();
    await h.ssh(`cat > ${dir}/x.plist`, {
      stdin: `<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0"><dict><key>Label</key><string>${LABEL}</string><key>ProgramArguments</key><array><string>/bin/sh</string><string>-c</string><string>trap "" TERM; sleep 600</string></array><key>RunAtLoad</key><true/><key>ExitTimeOut</key><integer>2</integer><key>LimitLoadToSessionType</key><array><string>Background</string></array></dict></plist>\n`,
    });
    try {
      expect((await h.ssh(`launchctl bootstrap user/${h.uid} ${dir}/x.plist`)).code).toBe(0);
      await h.ssh('rm -rf ~/.config ~/Library/LaunchAgents');
      const before = await tree();
      const r = await timer(true);
      expect(await tree(), 'files left behind').toBe(before);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^E_TIMER: launchctl bootstrap user\/\d+ failed: .*5.* — hint: /);
    } finally {
      await h.ssh(`rm -rf ${dir}`);
    }
  }, 60_000);

  it('reinstall with a new interval, bootstrap fails: the previous plist and script are back, and loaded', async () => {
    await gone();
    expect((await timer(true, 5)).code).toBe(0);
    const prev = await cat();
    const r = await timer(true, 10);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^E_TIMER: /);
    expect(await cat()).toBe(prev);
    expect((await h.ssh(`launchctl print user/${h.uid}/${LABEL}`)).code, 'the previous agent is loaded again').toBe(0);
    expect((await timer(false)).code).toBe(0);
  }, 90_000);
});
