// ~/.hermes/.env bytes exactly as python-dotenv (Hermes) reads them, on a real systemd guest (docs/hermes-contract.md
// #c5): a token on the first line behind a UTF-8 BOM is not pinned for Hermes (it starts with a random token, so the
// desktop app gets 403); `remote` drops that BOM, keeps the token and says so; a BOM before someone else's key stays;
// a latin-1 file is edited byte for byte. check and doctor name a BOM that hides the token.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { presetTailscaleState } from '../hosts/emulators/tailscale-state.js';
import { expectFixClears, runCheckJson } from '../support/health-run.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';
import { runRemote } from '../support/remote-run.js';

const ok = (cond: boolean, msg: string): void => {
  expect(cond, msg).toBe(true);
};
const TOKEN = 'bomHiddenTokenTheDesktopAppHas_0123456789abcd';
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

let h: LinuxHost;
let p: PreparedHost;

async function writeEnv(bytes: Buffer): Promise<void> {
  const r = await p.ssh(
    'mkdir -p ~/.hermes && base64 -d > ~/.hermes/.env && chmod 600 ~/.hermes/.env',
    bytes.toString('base64'),
  );
  expect(r.code, r.stderr).toBe(0);
}

async function readEnv(): Promise<Buffer> {
  return Buffer.from((await p.ssh('base64 -w0 ~/.hermes/.env')).stdout, 'base64');
}

beforeAll(async () => {
  h = await bootLinuxHost();
  p = await prepareLinuxHost(h, { generation: 'G3', tailscale: presetTailscaleState('NeedsLogin') });
}, 240_000);
afterAll(async () => h?.teardown());

describe('.env bytes (tunnel mode, G3)', () => {
  it('a token behind a BOM: remote drops the BOM, keeps the token (the probe with it passes) and says so; other bytes stay', async () => {
    const rest = Buffer.from('OPENAI_API_KEY=sk-1\r\n# mine\r\n');
    await writeEnv(Buffer.concat([BOM, Buffer.from(`HERMES_DASHBOARD_SESSION_TOKEN=${TOKEN}\r\n`), rest]));
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, `${r.stderr}\n${JSON.stringify(r.report.steps, null, 1)}`).toBe(0);
    expect(r.report.steps.find((s) => s.id === 'env')?.detail).toMatch(
      /dropped the UTF-8 BOM before HERMES_DASHBOARD_SESSION_TOKEN on line 1 \(python-dotenv read the key as \\ufeffHERMES_DASHBOARD_SESSION_TOKEN, so Hermes did not see it\)/,
    );
    expect(r.report.token).toBe(TOKEN);
    expect(await readEnv()).toEqual(Buffer.concat([Buffer.from(`HERMES_DASHBOARD_SESSION_TOKEN=${TOKEN}\r\n`), rest]));
    expect(r.report.probes[0]).toMatchObject({ ok: true, status: 101 });
    expect((await runCheckJson(p)).code).toBe(0);
  });

  it('a BOM put back by hand: check and doctor name it (not "no token"), and the fix clears it', async () => {
    await writeEnv(Buffer.concat([BOM, await readEnv()]));
    await p.ssh('systemctl --user restart hermes-dashboard.service; sleep 1');
    const c = await runCheckJson(p);
    expect(c.code).toBe(3);
    expect(c.report.checks.find((l) => l.id === 'token')?.detail).toMatch(/behind a UTF-8 BOM/);
    await expectFixClears(p, 'env-bom', ok);
    expect((await readEnv()).subarray(0, 3)).not.toEqual(BOM);
    expect((await runCheckJson(p)).code).toBe(0);
  });

  it("a BOM before someone else's key stays byte for byte (our own line is left as it is) and a warning says so", async () => {
    const theirs = Buffer.concat([BOM, Buffer.from(`OPENAI_API_KEY=sk-2\nHERMES_DASHBOARD_SESSION_TOKEN=${TOKEN}\n`)]);
    await writeEnv(theirs);
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, r.stderr).toBe(0);
    expect(await readEnv()).toEqual(theirs);
    expect(r.report.warnings.join('\n')).toMatch(
      /starts with a UTF-8 BOM: python-dotenv reads its first key as "\\ufeffOPENAI_API_KEY" \(left as it is/,
    );
  });

  it('a latin-1 .env (Hermes retries latin-1) is edited byte for byte', async () => {
    const before = Buffer.concat([
      Buffer.from('GREETING=Caf'),
      Buffer.from([0xe9]),
      Buffer.from('\nHERMES_DASHBOARD_SESSION_TOKEN=weak\n'),
    ]);
    await writeEnv(before);
    const r = await runRemote(p, ['--no-update']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.report.steps.find((s) => s.id === 'env')?.detail).toContain('.env is latin-1: edited byte for byte');
    const after = await readEnv();
    expect(after.subarray(0, 14)).toEqual(before.subarray(0, 14));
    expect(after.toString('latin1')).toBe(`GREETING=Caf\u00e9\nHERMES_DASHBOARD_SESSION_TOKEN=${r.report.token}\n`);
    expect(r.report.probes[0]).toMatchObject({ ok: true, status: 101 });
  });
});
