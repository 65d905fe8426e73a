// The crontab edit (pure): a table of crontabs and 3,000 generated ones. Install then remove gives back the same
// bytes (or no crontab when there was none), install changes only our line and is idempotent. The same cases run
// against the real crontab binary for a real user in test/e2e/cron-crontab.test.ts.
import { describe, expect, it } from 'vitest';
import { renderCronLine, type ScheduleSpec } from '../../src/render/cron-line.js';
import { CREATED_TAG, editCrontab, splitCrontab } from '../../src/render/crontab-edit.js';

const spec = (label: string, o: Partial<ScheduleSpec> = {}): ScheduleSpec => ({
  node: '/usr/bin/node',
  cli: '/opt/hs/dist/cli.js',
  args: [label === 'local' ? '--local' : label],
  log: '/var/log/hs/100%.log',
  every: 5,
  label,
  ...o,
});
const LINE = renderCronLine(spec('local'));

const TABLE: Array<[string, string | null]> = [
  ['none at all', null],
  ['empty', ''],
  ['trailing blank lines', '0 5 * * * /usr/bin/true\n\n'],
  ['leading blank lines', '\n\n0 5 * * * /usr/bin/true\n'],
  ['only blank lines', '\n\n\n'],
  ['comments', '# a\n0 3 * * * /usr/bin/backup # nightly\n# hermes-setup:local\n'],
  ['MAILTO', 'MAILTO=""\nSHELL=/bin/bash\n*/10 * * * * env\n'],
  ['% signs', '0 0 * * * /bin/date +\\%Y\n5 0 * * * mail -s hi root%body%\n'],
  ['CRLF', 'MAILTO=ops@example.org\r\n0 5 * * * /usr/bin/true\r\n\r\n'],
  ['CR and backspace bytes', "0 1 * * * sed 's/\\r$//' x\r\n# \b\n"],
  ['latin-1 bytes', '# caf\xe9\n0 5 * * * /usr/bin/true\n'],
  ['no trailing newline', 'MAILTO=""\n0 5 * * * /usr/bin/true'],
  ['our marker, another target', '*/5 * * * * /usr/bin/true # hermes-setup:deploy@mini.lan\n'],
  [
    'our marker, another target, created by us',
    `*/5 * * * * /usr/bin/true # hermes-setup:deploy@mini.lan ${CREATED_TAG}\n`,
  ],
  ['a commented-out entry of ours', '#*/5 * * * * /usr/bin/true # hermes-setup:local\n'],
  ['a label that starts like ours', '*/5 * * * * /usr/bin/true # hermes-setup:localhost\n'],
];

function checkRoundTrip(name: string, before: string | null): void {
  const installed = editCrontab(before, 'local', LINE);
  expect(installed, name).not.toBeNull();
  const lines = splitCrontab(installed!);
  expect(
    lines.filter((l) => l.includes(' # hermes-setup:local') && !l.startsWith('#') && !l.includes(':localhost')),
    name,
  ).toHaveLength(1);
  if (before && before.endsWith('\n'))
    expect(installed!.startsWith(before), `${name}: only our line is added`).toBe(true);
  expect(editCrontab(installed, 'local', LINE), `${name}: install is idempotent`).toBe(installed);
  const removed = editCrontab(installed, 'local');
  const expected = before !== null && before !== '' && !before.endsWith('\n') ? `${before}\n` : before; // applyCron refuses this case
  expect(removed, `${name}: install + remove`).toBe(expected);
  expect(editCrontab(removed, 'local'), `${name}: remove is idempotent`).toBe(removed);
}

describe('crontab edit', () => {
  it.each(TABLE)('%s: install then remove gives back the same bytes', (name, before) => checkRoundTrip(name, before));

  it('no crontab: the entry carries the tag; the last entry out removes the crontab, in any order', () => {
    const a = editCrontab(null, 'local', LINE)!;
    expect(a).toBe(`${LINE} ${CREATED_TAG}\n`);
    const ab = editCrontab(a, 'mini', renderCronLine(spec('mini')))!;
    expect(splitCrontab(ab).filter((l) => l.includes(CREATED_TAG))).toHaveLength(1);
    expect(editCrontab(editCrontab(ab, 'local'), 'mini')).toBeNull();
    expect(editCrontab(editCrontab(ab, 'mini'), 'local')).toBeNull();
  });

  it('no crontab, then the user adds lines: remove keeps their lines (and the crontab)', () => {
    const a = editCrontab(null, 'local', LINE)!;
    expect(editCrontab(`${a}0 4 * * * mine\n`, 'local')).toBe('0 4 * * * mine\n');
    expect(editCrontab(`# mine\n${a}`, 'local')).toBe('# mine\n');
    expect(editCrontab(`${a}\n`, 'local')).toBe('\n');
    const ab = editCrontab(`${a}0 4 * * * mine\n`, 'mini', renderCronLine(spec('mini')))!;
    expect(editCrontab(editCrontab(ab, 'local'), 'mini')).toBe('0 4 * * * mine\n');
  });

  it('an empty crontab stays an empty crontab (not none)', () => {
    expect(editCrontab(editCrontab('', 'local', LINE), 'local')).toBe('');
  });

  it('reinstall replaces our line in place, keeps the tag, drops duplicates', () => {
    const before = `A=1\n${LINE}\n# after\n${LINE}\r\n`;
    const next = editCrontab(before, 'local', renderCronLine(spec('local', { every: 10 })))!;
    expect(splitCrontab(next).map((l) => l.slice(0, 6))).toEqual(['A=1\n', '*/10 *', '# afte']);
    const tagged = editCrontab(null, 'local', LINE)!;
    expect(editCrontab(tagged, 'local', renderCronLine(spec('local', { every: 10 })))).toMatch(
      new RegExp(` ${CREATED_TAG}\\n$`),
    );
  });

  it('property: 3,000 generated crontabs round-trip', () => {
    const parts = [
      '\n',
      '\r\n',
      '# c\n',
      '0 5 * * * /usr/bin/true\n',
      'MAILTO=""\n',
      'x=%%\\%\n',
      ' \t\n',
      '\xe9\xff\n',
      '0 1 * * * a # hermes-setup:other\n',
      `0 1 * * * a # hermes-setup:other ${CREATED_TAG}\n`,
      '0 2 * * * b\r\n',
      '\b\n',
      '0 3 * * * no-newline',
    ];
    let seed = 42;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 3000; i++) {
      const n = rnd(7);
      let text = '';
      for (let k = 0; k < n; k++) text += parts[rnd(parts.length)];
      checkRoundTrip(`#${i} ${JSON.stringify(text)}`, rnd(10) === 0 ? null : text);
    }
  });
});
