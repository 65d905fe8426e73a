// Secret hygiene on a real systemd guest. While full `remote` runs are going (the first run, password mode on G2; then
// a token-mode run on G1 with --rotate-token), a root sampler reads every process's argv (/proc/*/cmdline) every 5 ms;
// the token, the basic-auth password and the cookie-signing secret must appear in no sample, and in no output the tool
// produces: stdout, stderr, --json (without --show-token), --dry-run diffs, the unit, ~/.hermes/logs, the journal.
// File modes: .env and its backup 0600, ~/.hermes 0700, the password file on this machine 0600.
// A changed host key is refused (exit 5) by every command, even with --accept-new-host-key.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { leaks, startArgvSampler, type ArgvSamples } from '../support/argv-sampler.js';
import { runCli, type CliResult } from '../support/cli.js';
import { expectRefusal, hostState } from '../support/host-state.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';

let h: LinuxHost;
let p: PreparedHost;
beforeAll(async () => {
  h = await bootLinuxHost();
  p = await prepareLinuxHost(h, { generation: 'G2' });
}, 240_000);
afterAll(async () => {
  await h?.teardown();
});

/** Every secret seen so far, by name; checked against everything that follows (an old secret must not leak either). */
const secrets: Record<string, string> = {};
/** Everything the tool printed, by label. */
const printed: Array<{ label: string; text: string }> = [];
const sampled: ArgvSamples[] = [];

function keep(label: string, r: CliResult): CliResult {
  printed.push({ label: `${label} stdout`, text: r.stdout }, { label: `${label} stderr`, text: r.stderr });
  return r;
}

async function envFile(): Promise<string> {
  const r = await h.ssh('cat ~/.hermes/.env');
  expect(r.code).toBe(0);
  return r.stdout;
}
function envValue(env: string, key: string): string {
  const v = new RegExp(`^${key}=(.+)$`, 'm').exec(env)?.[1];
  if (!v) throw new Error(`${key} not in .env:\n${env}`);
  return v.trim();
}
function storedPassword(): { path: string; password: string } {
  const dir = join(p.cliHome, '.config', 'hermes-setup', 'passwords');
  const files = readdirSync(dir);
  expect(files).toHaveLength(1);
  const path = join(dir, files[0]!);
  return { path, password: readFileSync(path, 'utf8').trim() };
}

/** Runs `remote` with the argv sampler going from before the CLI starts until after it exits. */
async function sampledRun(label: string, args: string[]): Promise<{ r: CliResult; samples: ArgvSamples; ms: number }> {
  const sampler = await startArgvSampler(h, 5);
  const t0 = Date.now();
  const r = await runCli(['remote', ...p.args, ...args], { HOME: p.cliHome }, { timeoutMs: 180_000 }); // never rejects
  const samples = await sampler.stop();
  const ms = Date.now() - t0;
  sampled.push(samples);
  process.stderr.write(
    `[secret-hygiene] ${label}: ${samples.samples} argv samples (${samples.reads} cmdline reads, ${samples.cmdlines.length} distinct) in ${ms} ms\n`,
  );
  return { r: keep(label, r), samples, ms };
}

function expectNoLeak(where: string, text: string): void {
  expect(leaks(text, secrets), `a secret appears in ${where}`).toEqual([]);
}

describe('password mode on G2, the first run', () => {
  it('a --dry-run on the fresh host shows the planned .env with the token redacted', async () => {
    const r = keep('first --dry-run', await runCli(['remote', ...p.args, '--dry-run'], { HOME: p.cliHome }));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\+HERMES_DASHBOARD_SESSION_TOKEN=<redacted sha256:[0-9a-f]{12}>$/m);
    expect(r.stdout).not.toMatch(/^[-+]HERMES_DASHBOARD_SESSION_TOKEN=(?!<redacted)/m);
    // (The output is checked again, at rest, against every secret the real runs create.)
  });

  it('no argv sample, stdout, stderr or --json holds the token or the password', async () => {
    const { r, samples } = await sampledRun('first run (password, G2)', ['--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      token?: string;
      basicAuth?: { password?: string };
      probes: Array<{ ok: boolean; status?: number }>;
    };
    expect(report).toMatchObject({ ok: true, mode: 'password', bind: h.tailnetIp });
    expect(report.token).toBeUndefined();
    expect(report.basicAuth?.password).toBeUndefined();
    expect(report.probes.some((x) => x.ok && x.status === 101)).toBe(true);

    const env = await envFile();
    secrets['token (first run)'] = envValue(env, 'HERMES_DASHBOARD_SESSION_TOKEN');
    secrets['basic-auth cookie secret'] = envValue(env, 'HERMES_DASHBOARD_BASIC_AUTH_SECRET');
    const pw = storedPassword();
    secrets['basic-auth password'] = pw.password;
    expect(pw.password).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(env).not.toContain(pw.password); // only its scrypt hash is on the host
    expect(envValue(env, 'HERMES_DASHBOARD_BASIC_AUTH_PASSWORD_HASH')).toMatch(/^scrypt\$/);
    // The detector finds what it should (positive control): the .env holds the token and the cookie secret.
    expect(leaks(env, secrets).sort()).toEqual(['basic-auth cookie secret', 'token (first run)']);

    expect(samples.samples).toBeGreaterThanOrEqual(200);
    // The sampler saw the run: the dashboard the run started, and the CLI's own remote commands.
    expect(samples.cmdlines.some((c) => /hermes dashboard --host 100\.100\.\d+\.2 --port 9119/.test(c))).toBe(true);
    expect(samples.cmdlines.some((c) => /^(ba)?sh -c /.test(c))).toBe(true);
    expectNoLeak('an argv sample', samples.cmdlines.join('\n'));
    expectNoLeak('stdout/stderr (--json)', r.stdout + r.stderr);
  });

  it('the human-readable output of a second run holds neither', async () => {
    const r = keep(
      'second run (human)',
      await runCli(['remote', ...p.args, '--no-update'], { HOME: p.cliHome }, { timeoutMs: 120_000 }),
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Token: +sha256:[0-9a-f]{12} \(--show-token prints it\)$/m);
    expect(r.stdout).toMatch(/password in .*passwords\/deploy@10\.231\.\d+\.2 \(0600\)/);
    expectNoLeak('stdout/stderr', r.stdout + r.stderr);
  });

  it('the password lives only in the 0600 file on this machine', () => {
    const { path } = storedPassword();
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe('token mode on G1 with --rotate-token', () => {
  beforeAll(async () => {
    // Another build in place, as a reinstall leaves it (the venv entry rewritten: the install fingerprint changes).
    const r = await h.ssh(
      `printf '%s' '{"generation":"G1"}' > ~/.hermes/hermes-agent/.sim-state.json && touch -d @$(( $(date +%s) + 1 )) ~/.hermes/hermes-agent/venv/bin/hermes`,
    );
    expect(r.code).toBe(0);
  });

  it('the --dry-run diff redacts the current token and secrets it would replace', async () => {
    const before = await hostState(h);
    const r = keep(
      '--dry-run --rotate-token',
      await runCli(['remote', ...p.args, '--dry-run', '--rotate-token', '--no-update'], { HOME: p.cliHome }),
    );
    expect(r.code).toBe(0);
    expect(await hostState(h)).toBe(before);
    // The diff does show the token line (so the check below is about a real diff).
    expect(r.stdout).toMatch(/^-HERMES_DASHBOARD_SESSION_TOKEN=/m);
    expect(r.stdout).toMatch(/^\+HERMES_DASHBOARD_SESSION_TOKEN=<redacted sha256:[0-9a-f]{12}>$/m);
    expectNoLeak('the --dry-run diff', r.stdout + r.stderr);
  });

  it('no argv sample, stdout or stderr holds the new token or any earlier secret', async () => {
    const { r, samples } = await sampledRun('rotate run (token, G1)', ['--rotate-token']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Mode: +token on /m);
    const env = await envFile();
    const token = envValue(env, 'HERMES_DASHBOARD_SESSION_TOKEN');
    expect(token).not.toBe(secrets['token (first run)']);
    secrets['token (rotated)'] = token;
    expect(samples.samples).toBeGreaterThanOrEqual(200);
    expect(
      samples.cmdlines.some((c) => /hermes dashboard --host 100\.100\.\d+\.2 --port 9119 .*--insecure/.test(c)),
    ).toBe(true);
    expectNoLeak('an argv sample', samples.cmdlines.join('\n'));
    expectNoLeak('stdout/stderr', r.stdout + r.stderr);
  });

  it('--json without --show-token holds no secret; with --show-token it holds exactly the token', async () => {
    const r = keep(
      'token --json',
      await runCli(['remote', ...p.args, '--no-update', '--json'], { HOME: p.cliHome }, { timeoutMs: 120_000 }),
    );
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { token?: string };
    expect(report).toMatchObject({
      ok: true,
      mode: 'token',
      tokenFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{12}$/),
    });
    expect(report.token).toBeUndefined();
    expectNoLeak('--json', r.stdout + r.stderr);
    const shown = await runCli(
      ['remote', ...p.args, '--no-update', '--json', '--show-token'],
      { HOME: p.cliHome },
      { timeoutMs: 120_000 },
    );
    expect((JSON.parse(shown.stdout) as { token?: string }).token).toBe(secrets['token (rotated)']);
  });
});

describe('at rest', () => {
  it('the argv samples add up to at least 200 (per sampled run, too)', () => {
    expect(sampled).toHaveLength(2);
    for (const s of sampled) expect(s.samples).toBeGreaterThanOrEqual(200);
    process.stderr.write(
      `[secret-hygiene] total: ${sampled.reduce((n, s) => n + s.samples, 0)} argv samples, 0 leaks\n`,
    );
  });

  it('the unit, every file under ~/.hermes/logs and the journal hold no secret', async () => {
    const unit = await h.ssh('cat ~/.config/systemd/user/hermes-dashboard.service');
    expect(unit.code).toBe(0);
    expect(unit.stdout).toMatch(/^ExecStart=.*hermes dashboard /m);
    expectNoLeak('the unit', unit.stdout);

    const logs = await h.ssh('find ~/.hermes/logs -type f -print -exec cat {} \\;');
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/\.log$/m);
    expectNoLeak('~/.hermes/logs', logs.stdout);

    const userJournal = await h.ssh('journalctl --user --no-pager -o cat');
    expect(userJournal.code).toBe(0);
    expect(userJournal.stdout).toMatch(/HERMES_DASHBOARD_READY port=9119/);
    expectNoLeak('journalctl --user', userJournal.stdout);
    const journal = await h.root('journalctl --no-pager -o verbose');
    expect(journal.stdout).toMatch(/hermes-dashboard\.service/);
    expectNoLeak('the whole journal', journal.stdout);
  });

  it('nothing the tool printed, in any run, holds a secret (including those created after it was printed)', () => {
    expect(printed.length).toBeGreaterThanOrEqual(12);
    const found = Object.fromEntries(
      printed.map(({ label, text }) => [label, leaks(text, secrets)] as const).filter(([, l]) => l.length > 0),
    );
    expect(found).toEqual({});
  });

  it('file modes: .env and its backup 0600, ~/.hermes 0700', async () => {
    const r = await h.ssh(
      "stat -c '%n %a' ~/.hermes ~/.hermes/.env ~/.hermes/.env.hermes-setup.bak ~/.hermes/.hermes-setup-state.json",
    );
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.replace('/home/deploy/', '~/')),
    ).toEqual([
      '~/.hermes 700',
      '~/.hermes/.env 600',
      '~/.hermes/.env.hermes-setup.bak 600',
      '~/.hermes/.hermes-setup-state.json 600',
    ]);
    // The backup is the previous .env (password mode), so it holds the first token: it must be as private as .env.
    expect((await h.ssh('cat ~/.hermes/.env.hermes-setup.bak')).stdout).toContain(secrets['token (first run)']);
  });
});

describe('a changed host key', () => {
  let home = '';
  let line = '';
  beforeAll(() => {
    home = mkdtempSync('/var/tmp/hs-hygiene-home-');
    mkdirSync(join(home, '.ssh'), { mode: 0o700 });
    const key = join(home, 'impostor');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    line = `${h.ip} ${readFileSync(`${key}.pub`, 'utf8').split(' ').slice(0, 2).join(' ')}\n`;
    writeFileSync(join(home, '.ssh', 'known_hosts'), line);
  });

  const commands: Array<[string, string[]]> = [
    ['remote', []],
    ['remote', ['--dry-run']],
    ['remote', ['--rotate-token', '--force']],
    ['check', []],
    ['check', ['--repair']],
    ['doctor', []],
    ['ping', []],
    ['uninstall', []],
  ];
  for (const [cmd, extra] of commands) {
    it(`is refused by ${[cmd, ...extra].join(' ')} even with --accept-new-host-key (exit 5), recording nothing`, async () => {
      const before = await hostState(h);
      const r = await runCli(
        [cmd, `deploy@${h.ip}`, '-i', h.keyPath, '--accept-new-host-key', ...extra],
        { HOME: home },
        { timeoutMs: 30_000 },
      );
      expectRefusal(r, 'E_HOSTKEY_CHANGED', 5, /the host key for 10\.231\.\d+\.2 changed/);
      expect(readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8')).toBe(line);
      expect(await hostState(h)).toBe(before);
    });
  }

  it('is refused when the pinned entry is hashed (ssh-keygen -H), too', async () => {
    const hashedHome = mkdtempSync('/var/tmp/hs-hygiene-home-');
    mkdirSync(join(hashedHome, '.ssh'), { mode: 0o700 });
    const kh = join(hashedHome, '.ssh', 'known_hosts');
    writeFileSync(kh, line);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', kh]);
    const hashed = readFileSync(kh, 'utf8');
    expect(hashed).toMatch(/^\|1\|/);
    const r = await runCli(
      ['remote', `deploy@${h.ip}`, '-i', h.keyPath, '--accept-new-host-key'],
      { HOME: hashedHome },
      { timeoutMs: 30_000 },
    );
    expectRefusal(r, 'E_HOSTKEY_CHANGED', 5);
    expect(readFileSync(kh, 'utf8')).toBe(hashed);
  });
});
