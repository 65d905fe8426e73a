// The run's last line (test/support/summary-reporter.ts), from real vitest runs of a fixture directory: failing
// setup, skips in the code and -t are each named, and a skip nobody asked for fails the run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { countTestFiles, renderRunSummary, type RunTally } from '../support/summary-reporter.js';

const REPORTER = join(import.meta.dirname, '..', 'support', 'summary-reporter.ts');
const VITEST = join(createRequire(import.meta.url).resolve('vitest/package.json'), '..', 'vitest.mjs');

const FIXTURES: Record<string, string> = {
  'vitest.config.mjs': `export default { test: { globals: true, reporters: ['default', ${JSON.stringify(REPORTER)}] } };\n`,
  'ok.test.mjs': `it('adds', () => { expect(1 + 1).toBe(2); });\nit('concats', () => { expect('a' + 'b').toBe('ab'); });\n`,
  'setup.test.mjs': `describe('needs sshd', () => {\n  beforeAll(() => { throw new Error('sshd: not found'); });\n  it('one', () => {});\n  it('two', () => {});\n});\n`,
  'in-code.test.mjs': `it.skip('skipped', () => {});\ndescribe.runIf(false)('gated', () => { it('g', () => {}); });\nit('dynamic', (ctx) => { ctx.skip(); });\n`,
};

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runFixture(...args: string[]): { code: number | null; last: string } {
  const dir = mkdtempSync(join(tmpdir(), 'hs-summary-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(FIXTURES)) writeFileSync(join(dir, name), text);
  const r = spawnSync(process.execPath, [VITEST, 'run', '--root', dir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', HERMES_SETUP_TEST: '' },
  });
  return { code: r.status, last: r.stdout.trimEnd().split('\n').at(-1) ?? '' };
}

const base: RunTally = {
  passed: 9,
  failed: 0,
  setupFailed: 0,
  filtered: 0,
  unrequested: 0,
  unfinished: 0,
  filesRun: 4,
  filesTotal: 4,
  layer: 'all',
  unhandledErrors: 0,
};

describe('summary line', () => {
  it('says 0 skipped when nothing was, and names each reason otherwise', () => {
    expect(renderRunSummary(base)).toBe('Tests: 9 passed, 0 failed, 0 skipped');
    expect(renderRunSummary({ ...base, filesRun: 1, layer: 'unit' })).toBe(
      'Tests: 9 passed, 0 failed, 0 skipped — unit layer only (HERMES_SETUP_TEST=unit): 3 test files of the other layers not run',
    );
    expect(renderRunSummary({ ...base, failed: 1, setupFailed: 62, unhandledErrors: 1 })).toBe(
      'Tests: 9 passed, 1 failed, 62 skipped — 62 not run because their beforeAll or file failed (errors above); 1 unhandled errors',
    );
  });

  it('counts the test files of every layer in this repository', () => {
    expect(countTestFiles()).toBeGreaterThan(40);
  });

  it('a real run: setup failures and skips in the code are named last, and the run fails', () => {
    const r = runFixture();
    expect(r.code).toBe(1);
    expect(r.last).toMatch(
      /^Tests: 2 passed, 0 failed, 5 skipped — 2 not run because their beforeAll or file failed \(errors above\); 3 skipped in the code \(skip\/todo\/only\/runIf\/ctx\.skip\), which fails the run/,
    );
  });

  it('a real run narrowed with -t and a file: the filtered tests and files are named, and the run passes', () => {
    const passing = runFixture('-t', 'adds', 'ok.test.mjs');
    expect(passing.code).toBe(0);
    expect(passing.last).toMatch(
      /^Tests: 1 passed, 0 failed, 1 skipped — 1 filtered out by -t or file:line; 1 of \d+ test files selected on the command line$/,
    );
  });
});
