// The run's last line: how many tests passed, failed and were skipped, and why any were skipped or not run.
// A skip nobody asked for (skip/todo/runIf in the code, ctx.skip at run time) fails the run: a skipped test did not
// run. Asked-for narrowing (HERMES_SETUP_TEST=unit, files or -t on the command line) is named, never hidden.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Reporter, TestCase, TestModule, TestSpecification, Vitest } from 'vitest/node';
import { LAYER_ENV, readTestLayer, type TestLayer } from './test-layer.js';

export interface RunTally {
  passed: number;
  failed: number;
  /** Not run because a beforeAll hook or the file's collection failed (the failure is reported above). */
  setupFailed: number;
  /** Filtered out by -t or file:line on the command line, as the user asked. */
  filtered: number;
  /** skip/todo/only/runIf in the code, or ctx.skip() at run time: not allowed. */
  unrequested: number;
  /** Collected but never finished (interrupted run). */
  unfinished: number;
  filesRun: number;
  filesTotal: number;
  layer: TestLayer;
  unhandledErrors: number;
}

export function renderRunSummary(t: RunTally): string {
  const skipped = t.setupFailed + t.filtered + t.unrequested + t.unfinished;
  const why: string[] = [];
  if (t.setupFailed > 0) why.push(`${t.setupFailed} not run because their beforeAll or file failed (errors above)`);
  if (t.unrequested > 0)
    why.push(`${t.unrequested} skipped in the code (skip/todo/only/runIf/ctx.skip), which fails the run`);
  if (t.filtered > 0) why.push(`${t.filtered} filtered out by -t or file:line`);
  if (t.unfinished > 0) why.push(`${t.unfinished} unfinished (run interrupted)`);
  const notRun = t.filesTotal - t.filesRun;
  if (t.layer === 'unit')
    why.push(`unit layer only (${LAYER_ENV}=unit): ${notRun} test files of the other layers not run`);
  else if (notRun > 0) why.push(`${t.filesRun} of ${t.filesTotal} test files selected on the command line`);
  if (t.unhandledErrors > 0) why.push(`${t.unhandledErrors} unhandled errors`);
  return `Tests: ${t.passed} passed, ${t.failed} failed, ${skipped} skipped${why.length > 0 ? ` — ${why.join('; ')}` : ''}`;
}

function setupFailed(test: TestCase): boolean {
  for (let p: TestCase['parent'] | undefined = test.parent; p; p = p.type === 'module' ? undefined : p.parent) {
    if (p.errors().length > 0) return true;
  }
  return false;
}

/** Test files of every layer in this repository (what `npm test` runs). */
export function countTestFiles(testDir = join(import.meta.dirname, '..')): number {
  const files = readdirSync(testDir, { recursive: true, encoding: 'utf8' });
  return files.filter((f) => f.endsWith('.test.ts') && !f.includes('dist/') && !f.includes('node_modules/')).length;
}

export function tallyRun(
  modules: ReadonlyArray<TestModule>,
  filtering: boolean,
): Omit<RunTally, 'filesTotal' | 'layer' | 'unhandledErrors'> {
  const t = {
    passed: 0,
    failed: 0,
    setupFailed: 0,
    filtered: 0,
    unrequested: 0,
    unfinished: 0,
    filesRun: modules.length,
  };
  for (const m of modules) {
    for (const test of m.children.allTests()) {
      const state = test.result().state;
      if (state === 'passed') t.passed++;
      else if (state === 'failed') t.failed++;
      else if (state === 'pending') t.unfinished++;
      else if (setupFailed(test)) t.setupFailed++;
      else if (filtering && test.options.mode === 'skip') t.filtered++;
      else t.unrequested++;
    }
  }
  return t;
}

export default class SummaryReporter implements Reporter {
  private vitest: Vitest | undefined;
  private filtering = false;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunStart(specs: ReadonlyArray<TestSpecification>): void {
    this.filtering =
      this.vitest?.config.testNamePattern !== undefined ||
      specs.some((s) => (s.testLines?.length ?? 0) > 0 || (s.testIds?.length ?? 0) > 0);
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    const tally = tallyRun(modules, this.filtering);
    const line = renderRunSummary({
      ...tally,
      filesTotal: countTestFiles(),
      layer: readTestLayer(),
      unhandledErrors: unhandledErrors.length,
    });
    if (tally.unrequested > 0 && !process.exitCode) process.exitCode = 1;
    this.vitest?.logger.log(`\n${line}`);
  }
}
