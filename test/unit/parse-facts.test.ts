// parseFacts over the facts script's own output format (`name=<base64>` lines), including the pieces that come
// from other parsers (port listeners, tailscale) and the full command lines of listeners.
import { describe, expect, it } from 'vitest';
import { parseFacts } from '../../src/facts/parse-facts.js';
import { parseLaunchctlPrint, parsePrintDisabled, parseSystemdShow } from '../../src/facts/service-facts.js';
import { parseMarkerProbe } from '../../src/facts/update-marker.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const line = (k: string, v: string) => `${k}=${b64(v)}`;

const TS =
  '@@hs-ts cli=/usr/bin/tailscale\n@@hs-ts begin stdout\n{"BackendState":"Running","Self":{"DNSName":"box.tail1.ts.net.","TailscaleIPs":["100.64.1.2"]},"CurrentTailnet":{"MagicDNSEnabled":true}}\n@@hs-ts end stdout\n@@hs-ts begin stderr\n\n@@hs-ts end stderr\n@@hs-ts rc=0\n';
const PORT = '@@hs-port begin lsof\np812\ncnode\nn100.64.1.2:9119\n@@hs-port end lsof rc=0\n';

function raw(extra: string[] = []): string {
  return [
    line('os', 'Linux'),
    line('arch', 'x86_64'),
    line('user', 'deploy'),
    line('uid', '1000'),
    line('gid', '1000'),
    line('home', '/home/deploy'),
    line('hostname', 'box'),
    line('boot_id', 'abc\n'),
    line('hermes.path', '/home/deploy/.local/bin/hermes'),
    line('hermes.via', 'login-shell'),
    line('hermes.key', 'k1'),
    line('hermes.version', 'Hermes Agent v0.18.0 (2026.7.1)\n'),
    line('env.type', 'file'),
    line('env.stat', '600 1000 51 1700000000'),
    line('env.content', 'HERMES_DASHBOARD_SESSION_TOKEN=x\n'),
    line('hermes_dir.type', 'dir'),
    line('hermes_dir.stat', '700 1000 4096 1700000000'),
    line('state.type', 'missing'),
    line('unit_user.type', 'symlink'),
    line('unit_user.target', '/elsewhere'),
    line('update_marker', 'no'),
    line('init', 'systemd'),
    line('user_bus', 'yes'),
    line('linger', 'yes'),
    line('ifaddrs', '127.0.0.1\n100.64.1.2\n'),
    line('free_kb', '123456'),
    line(
      'systemd.user',
      'LoadState=loaded\nActiveState=active\nSubState=running\nMainPID=812\nNRestarts=2\nUnitFileState=enabled\nExecMainStatus=0\n',
    ),
    line('tailscale', TS),
    line('port', PORT),
    line('cmdline.812', '/usr/bin/node /home/deploy/.local/bin/hermes dashboard --port 9119\n'),
    ...extra,
    line('done', 'yes'),
  ].join('\n');
}

describe('parseFacts', () => {
  it('reads every kind of fact', () => {
    const f = parseFacts(raw(), 9119);
    expect(f).toMatchObject({
      os: 'Linux',
      uid: 1000,
      home: '/home/deploy',
      bootId: 'abc',
      init: 'systemd',
      linger: true,
      userBus: true,
      freeKb: 123456,
      complete: true,
      updateMarker: false,
    });
    expect(f.hermes).toMatchObject({ path: '/home/deploy/.local/bin/hermes', key: 'k1', cached: false });
    expect(f.env).toMatchObject({ type: 'file', mode: 0o600, size: 51 });
    expect(f.env.content?.toString()).toBe('HERMES_DASHBOARD_SESSION_TOKEN=x\n');
    expect(f.unitUser).toEqual({ type: 'symlink', target: '/elsewhere' });
    expect(f.state).toEqual({ type: 'missing' });
    expect(f.systemdUser).toMatchObject({ activeState: 'active', mainPid: 812, nRestarts: 2 });
    expect(f.tailscale).toMatchObject({
      installed: true,
      backendState: 'Running',
      ipv4: '100.64.1.2',
      dnsName: 'box.tail1.ts.net',
    });
    expect(f.listeners).toEqual([
      expect.objectContaining({
        address: '100.64.1.2',
        port: 9119,
        pid: 812,
        command: '/usr/bin/node /home/deploy/.local/bin/hermes dashboard --port 9119',
      }),
    ]);
    expect(f.ifAddrs).toEqual(['127.0.0.1', '100.64.1.2']);
  });

  it('an output cut short (no done=) is incomplete; a missing hermes is undefined', () => {
    const cut = raw()
      .split('\n')
      .filter((l) => !l.startsWith('done=') && !l.startsWith('hermes.'))
      .join('\n');
    const f = parseFacts(cut, 9119);
    expect(f.complete).toBe(false);
    expect(f.hermes).toBeUndefined();
  });

  it('plain `name:value` lines (one line of plain bytes, printed without base64) read like base64 ones', () => {
    const plain = raw()
      .split('\n')
      .map((l) => {
        const [k = '', v = ''] = l.split('=');
        const text = Buffer.from(v, 'base64').toString('utf8');
        return /^[A-Za-z0-9_./:@+,= -]*$/.test(text) ? `${k}:${text}` : l;
      })
      .join('\n');
    expect(plain).toMatch(/^home:\/home\/deploy$/m);
    expect(plain).toMatch(/^env\.stat:600 1000 51 1700000000$/m);
    expect(parseFacts(plain, 9119)).toEqual(parseFacts(raw(), 9119));
    expect(parseFacts(`${raw()}\nhermes.via:login-shell=x:y`, 9119).hermes?.via).toBe('login-shell=x:y');
  });

  it('a cached install fingerprint skips version and help', () => {
    expect(parseFacts(raw([line('hermes.cached', 'yes')]), 9119).hermes?.cached).toBe(true);
  });
});

describe('service manager output parsers', () => {
  it('systemctl show', () => {
    expect(parseSystemdShow('LoadState=not-found\nActiveState=inactive\n')).toMatchObject({
      loadState: 'not-found',
      activeState: 'inactive',
      mainPid: 0,
    });
    expect(parseSystemdShow('garbage')).toBeUndefined();
  });

  it('launchctl print and print-disabled', () => {
    expect(
      parseLaunchctlPrint(
        'gui/501/ai.hermes.dashboard = {\n\tstate = running\n\tpid = 77\n\truns = 3\n\tlast exit code = 78: EX_CONFIG\n}',
      ),
    ).toEqual({ loaded: true, state: 'running', pid: 77, runs: 3, lastExitCode: 78 });
    expect(parseLaunchctlPrint('Could not find service "ai.hermes.dashboard" in domain for user gui: 501')).toEqual({
      loaded: false,
    });
    expect(
      parsePrintDisabled('disabled services = {\n\t"ai.hermes.dashboard" => disabled\n\t"com.other" => enabled\n}'),
    ).toEqual(['ai.hermes.dashboard']);
  });
});

describe('the update marker, read as upstream reads it (docs/hermes-contract.md#c11)', () => {
  const NOW = 1_700_000_000;
  const probe = (alive: string, content: string) => `${alive}\n${NOW}\n${Buffer.from(content).toString('base64')}\n`;
  it.each<[string, string, string, object | undefined]>([
    ['no marker', 'absent', '', undefined],
    ['a live updater, float start time', 'yes', `4242\n${NOW - 30}.25\n`, { state: 'live', pid: 4242, ageSec: 30 }],
    [
      'a live updater, whole seconds (update_lock.py)',
      'yes',
      `4242\n${NOW - 5}\n`,
      { state: 'live', pid: 4242, ageSec: 5 },
    ],
    ['a live PID without a start time still gates (age unknown)', 'yes', '4242\n', { state: 'live', pid: 4242 }],
    ['a dead PID is stale', 'no', `4242\n${NOW - 30}\n`, { state: 'stale', pid: 4242, detail: 'pid 4242 is gone' }],
    [
      'older than 20 minutes is stale, even with a live PID',
      'yes',
      `1\n${NOW - 21 * 60}\n`,
      { state: 'stale', pid: 1, detail: expect.stringMatching(/over 20 minutes/) },
    ],
    ['exactly 20 minutes still gates', 'yes', `1\n${NOW - 20 * 60}\n`, { state: 'live' }],
    [
      'the old JSON form is unreadable: stale, never waited on',
      'unknown',
      '{"pid":1,"started_at":0}\n',
      { state: 'stale', detail: expect.stringMatching(/not a PID/) },
    ],
    ['an empty file is stale', 'unknown', '', { state: 'stale' }],
    ['CRLF lines', 'yes', `77\r\n${NOW - 1}\r\n`, { state: 'live', pid: 77, ageSec: 1 }],
  ])('%s', (_n, alive, content, want) => {
    const m = parseMarkerProbe(probe(alive, content));
    if (want === undefined) expect(m).toBeUndefined();
    else expect(m).toMatchObject(want);
  });

  it('facts: only a live marker counts as an update in progress', () => {
    const f = (alive: string, content: string) =>
      parseFacts(raw([line('update_marker.probe', probe(alive, content).trimEnd())]), 9119);
    expect(f('yes', `9\n${NOW}\n`)).toMatchObject({ updateMarker: true, updateMarkerFile: { state: 'live', pid: 9 } });
    expect(f('no', `9\n${NOW}\n`)).toMatchObject({ updateMarker: false, updateMarkerFile: { state: 'stale' } });
    expect(parseFacts(raw(), 9119).updateMarkerFile).toBeUndefined();
  });
});
