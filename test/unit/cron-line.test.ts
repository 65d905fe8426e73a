// The cron line renderer and the idempotent crontab edit (pure), with the line run through a real sh.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cronSchedule, renderCheckCommand, renderCronLine, replaceCronEntry, type ScheduleSpec } from '../../src/render/cron-line.js';

const spec = (o: Partial<ScheduleSpec> = {}): ScheduleSpec => ({ node: '/usr/bin/node', cli: '/opt/hs/dist/cli.js', args: ['--local'], log: '/var/log/hs/check.log', every: 5, label: 'local', ...o });

describe('cron line', () => {
  it('renders the schedule, absolute node + CLI, the log and the marker', () => {
    const l = renderCronLine(spec());
    expect(l).toMatch(/^\*\/5 \* \* \* \* mkdir -p \/var\/log\/hs; .*\{ date -u; \/usr\/bin\/node \/opt\/hs\/dist\/cli\.js check --repair --local; \} >> \/var\/log\/hs\/check\.log 2>&1 # hermes-setup:local$/);
    expect(cronSchedule(120)).toBe('0 */2 * * *');
    expect(() => cronSchedule(90)).toThrow();
    expect(() => renderCronLine(spec({ log: '/tmp/100%.log' }))).toThrow(/%/);
    expect(() => renderCheckCommand(spec({ cli: 'dist/cli.js' }))).toThrow(/absolute/);
  });

  it('install twice leaves one line, other lines are kept, remove leaves none', () => {
    const other = 'MAILTO=""\n0 3 * * * /usr/bin/backup\n';
    const once = replaceCronEntry(other, 'local', renderCronLine(spec()));
    const twice = replaceCronEntry(once, 'local', renderCronLine(spec({ every: 10 })));
    expect(twice.split('\n').filter((l) => l.includes('# hermes-setup:local'))).toHaveLength(1);
    expect(twice).toContain('*/10 ');
    expect(twice.startsWith(other)).toBe(true);
    expect(replaceCronEntry(twice, 'local')).toBe(other);
    expect(replaceCronEntry(replaceCronEntry(twice, 'deploy@mini', renderCronLine(spec({ label: 'deploy@mini' }))), 'local')).toContain('# hermes-setup:deploy@mini');
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
