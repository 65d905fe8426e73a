// What the CLI prints, without a host: plurals, wrapping at spaces, Ansible's colours, the summary after a failure,
// the fleet recap, the ssh destination of the tunnel command, and the password file name across label changes.
import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import { renderSummary, tunnelCommand, type ConvergeReport } from '../../src/converge/report.js';
import { renderRecap, type HostResult } from '../../src/fleet/run-fleet.js';
import { defaultPasswordFile, sshDestination } from '../../src/options/converge-options.js';
import { count, paintDiff, paintStatus, visibleLength, wrapLine } from '../../src/output.js';

const c = pc.createColors(true);

describe('wording and colour', () => {
  it('plurals', () => {
    expect([
      count(0, 'step'),
      count(1, 'step'),
      count(3, 'step'),
      count(1, 'problem'),
      count(2, 'address', 'addresses'),
    ]).toEqual(['0 steps', '1 step', '3 steps', '1 problem', '2 addresses']);
  });

  it("Ansible's colours: ok green, changed yellow, failed red, skipped cyan; FAIL red", () => {
    expect(['ok', 'changed', 'failed', 'skipped', 'FAIL'].map((s) => paintStatus(c, s))).toEqual([
      '\x1b[32mok\x1b[39m',
      '\x1b[33mchanged\x1b[39m',
      '\x1b[31mfailed\x1b[39m',
      '\x1b[36mskipped\x1b[39m',
      '\x1b[31mFAIL\x1b[39m',
    ]);
    expect(paintStatus(pc.createColors(false), 'changed')).toBe('changed');
  });

  it('a diff: + green, - red, @@ cyan, headers bold', () => {
    expect(paintDiff(c, '--- a\n+++ a\n@@ -1 +1 @@\n-old\n+new\n same').split('\n')).toEqual([
      '\x1b[1m--- a\x1b[22m',
      '\x1b[1m+++ a\x1b[22m',
      '\x1b[36m@@ -1 +1 @@\x1b[39m',
      '\x1b[31m-old\x1b[39m',
      '\x1b[32m+new\x1b[39m',
      ' same',
    ]);
  });
});

describe('wrapLine', () => {
  const line =
    'Sign-in:     user "hermes", password in /var/tmp/hs-cli-home-abcdef/.config/hermes-setup/passwords/deploy@10.231.14.2 (0600)';

  it('breaks at spaces under the label; a token is never cut, even when longer than the line', () => {
    const out = wrapLine(line, 60, 13);
    expect(out).toEqual([
      'Sign-in:     user "hermes", password in',
      '             /var/tmp/hs-cli-home-abcdef/.config/hermes-setup/passwords/deploy@10.231.14.2',
      '             (0600)',
    ]);
    expect(out.map((l) => l.trim()).join(' ')).toBe(line);
  });

  it('keeps a line that fits, and everything off a terminal (no width)', () => {
    expect(wrapLine(line, 200, 13)).toEqual([line]);
    expect(wrapLine(line, undefined, 13)).toEqual([line]);
  });

  it('measures without colour escapes', () => {
    const coloured = `${c.red('FAIL')}  service  ${'word '.repeat(20).trim()}`;
    for (const l of wrapLine(coloured, 40, 17)) expect(visibleLength(l)).toBeLessThanOrEqual(40);
  });
});

const base: ConvergeReport = {
  schema: 'hermes-setup/remote@1',
  target: 'deploy@box',
  ok: true,
  dryRun: false,
  port: 9119,
  mode: 'tunnel',
  bind: '127.0.0.1',
  reason: 'as asked (--mode tunnel)',
  urls: [],
  tunnel: { command: tunnelCommand('box', 9119), url: 'http://127.0.0.1:19119' },
  tokenFingerprint: 'sha256:0123456789ab',
  steps: [{ id: 'facts', status: 'ok', detail: 'x' }],
  recap: { ok: 1, changed: 0, skipped: 0, failed: 0 },
  probes: [],
  warnings: [],
};

describe('the summary', () => {
  it('a good run: mode, tunnel (as typed), URL, token, desktop steps, recap', () => {
    expect(renderSummary(base)).toEqual([
      'Mode:        tunnel on 127.0.0.1:9119 — as asked (--mode tunnel)',
      'Tunnel:      ssh -N -L 19119:127.0.0.1:9119 box',
      'Remote URL:  http://127.0.0.1:19119   (while the tunnel runs)',
      'Token:       sha256:0123456789ab (--show-token prints it)',
      'Desktop app: Settings > Gateway > Remote connection → URL above + the token',
      '             or: HERMES_DESKTOP_REMOTE_URL=http://127.0.0.1:19119 HERMES_DESKTOP_REMOTE_TOKEN=<token> (token: --show-token)',
      'Recap:       ok=1 changed=0 skipped=0 failed=0',
    ]);
  });

  it('a failed run: no mode, tunnel, URL or token; the recap says how many steps did not run', () => {
    const steps = [
      { id: 'port', status: 'failed' as const, detail: 'E_PORT_OWNER: …' },
      { id: 'probe', status: 'not run' as const, detail: 'the run stopped at port' },
    ];
    expect(
      renderSummary({
        ...base,
        ok: false,
        steps,
        recap: { ok: 9, changed: 1, skipped: 1, failed: 1 },
        warnings: ['w'],
      }),
    ).toEqual(['Warning:     w', 'Recap:       ok=9 changed=1 skipped=1 failed=1 (1 step not run)']);
  });
});

describe('the fleet recap', () => {
  it("an unreachable host counts once; each ok host's URL", () => {
    const r: HostResult[] = [
      { host: 'mini', status: 'ok', ok: 12, changed: 1, failed: 0, report: {}, url: 'http://100.64.1.2:9119' },
      { host: 'down', status: 'unreachable', ok: 0, changed: 0, failed: 0, report: {} },
      { host: 'busy', status: 'failed', ok: 9, changed: 0, failed: 1, report: {} },
    ];
    expect(renderRecap(r)).toEqual([
      'Recap:',
      'host  ok  changed  failed  unreachable  url',
      'mini  12        1       0            0  http://100.64.1.2:9119',
      'down   0        0       0            1',
      'busy   9        0       1            0',
    ]);
  });
});

describe('the ssh destination (tunnel command, desktop hints)', () => {
  it.each([
    ['box', [], 'box'],
    ['deploy@10.0.0.5', [], 'deploy@10.0.0.5'],
    ['deploy@10.0.0.5:22', [], 'deploy@10.0.0.5'],
    ['deploy@10.0.0.5:2222', [], '-p 2222 deploy@10.0.0.5'],
    ['ssh://deploy@mini.lan:2200', [], '-p 2200 deploy@mini.lan'],
    ['u@[fd7a::1]:2200', [], '-p 2200 u@fd7a::1'],
    ['box', ['/home/me/.ssh/lab key'], "-i '/home/me/.ssh/lab key' box"],
  ])('%s %j → %s', (typed, identity, want) => {
    expect(sshDestination(typed, 'deploy@10.0.0.5', identity)).toBe(want);
  });

  it('--local: the label', () => {
    expect(sshDestination(undefined, 'local')).toBe('local');
  });
});

it('the password file keeps its name now that labels read user@host:port (was user@[host]:port)', () => {
  expect(defaultPasswordFile('deploy@10.0.0.5:2222')).toBe(defaultPasswordFile('deploy@[10.0.0.5]:2222'));
  expect(defaultPasswordFile('deploy@10.0.0.5')).toMatch(/passwords\/deploy@10\.0\.0\.5$/);
});
