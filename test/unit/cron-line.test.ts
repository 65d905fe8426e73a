// The cron line renderer and the idempotent crontab edit (pure), with the line run through a real sh.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronSchedule, renderCheckCommand, renderCronLine, type ScheduleSpec } from '../../src/render/cron-line.js';
import { editCrontab } from '../../src/render/crontab-edit.js';

/**
 * What Vixie/Debian cron and cronie do with a command before sh sees it (do_command.c): `\%` becomes `%`, the first
 * other `%` ends the command (the rest would be stdin). The real daemon runs the line in cron-guest.test.ts.
 */
function cronCommand(cmd: string): string {
  let out = '';
  for (let i = 0; i < cmd.length; i++) {
    if (cmd[i] === '\\' && cmd[i + 1] === '%') {
      out += '%';
      i++;
      continue;
    }
    if (cmd[i] === '\\') {
      out += cmd[i]! + (cmd[i + 1] ?? '');
      i++;
      continue;
    }
    if (cmd[i] === '%') break;
    out += cmd[i];
  }
  return out;
}

const spec = (o: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  node: '/usr/bin/node',
  cli: '/opt/hs/dist/cli.js',
  args: ['--local'],
  log: '/var/log/hs/check.log',
  every: 5,
  label: 'local',
  ...o,
});

describe('cron line', () => {
  it('renders the schedule, absolute node + CLI, the log and the marker', () => {
    const l = renderCronLine(spec());
    expect(l).toMatch(
      /^\*\/5 \* \* \* \* mkdir -p \/var\/log\/hs; .*\{ date -u; \/usr\/bin\/node \/opt\/hs\/dist\/cli\.js check --repair --local; \} >> \/var\/log\/hs\/check\.log 2>&1 # hermes-setup:local$/,
    );
    expect(cronSchedule(120)).toBe('0 */2 * * *');
    expect(() => cronSchedule(90)).toThrow();
    expect(() => renderCheckCommand(spec({ cli: 'dist/cli.js' }))).toThrow(/absolute/);
  });

  it('install twice leaves one line, other lines are kept, remove leaves none', () => {
    const other = 'MAILTO=""\n0 3 * * * /usr/bin/backup\n';
    const once = editCrontab(other, 'local', renderCronLine(spec()))!;
    const twice = editCrontab(once, 'local', renderCronLine(spec({ every: 10 })))!;
    expect(twice.split('\n').filter((l) => l.includes('# hermes-setup:local'))).toHaveLength(1);
    expect(twice).toContain('*/10 ');
    expect(twice.startsWith(other)).toBe(true);
    expect(editCrontab(twice, 'local')).toBe(other);
    expect(
      editCrontab(editCrontab(twice, 'deploy@mini', renderCronLine(spec({ label: 'deploy@mini' }))), 'local'),
    ).toContain('# hermes-setup:deploy@mini');
  });

  it('a % anywhere (log, CLI path, arguments) reaches sh intact under the % rule of cron (real sh)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-cron-%d-'));
    const log = join(dir, "it's 100%", 'c%%d.log');
    const line = renderCronLine(spec({ node: '/bin/echo', cli: '/opt/a%b/cli.js', args: ['-i', '/k/%h\\%x'], log }));
    const cmd = line.slice('*/5 * * * * '.length);
    execFileSync('sh', ['-c', cronCommand(cmd)]);
    expect(readFileSync(log, 'utf8')).toMatch(/\n\/opt\/a%b\/cli\.js check --repair -i \/k\/%h\\%x\n$/);
  });

  it('the command rotates the log above 1 MiB (real sh)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hs-cron-'));
    const log = join(dir, 'sub', 'c.log');
    const cmd = renderCheckCommand(spec({ node: '/bin/echo', cli: '/bin/true', log }));
    execFileSync('sh', ['-c', cmd]);
    writeFileSync(log, Buffer.alloc(1024 * 1024 + 1, 65));
    execFileSync('sh', ['-c', cmd]);
    expect(readFileSync(`${log}.1`).length).toBe(1024 * 1024 + 1);
    expect(readFileSync(log, 'utf8')).toMatch(/\/bin\/true check --repair --local\n$/);
  });
});
