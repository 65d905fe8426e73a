import { defineConfig } from 'vitest/config';
import { ALL_INCLUDE, UNIT_INCLUDE, readTestLayer } from './test/support/test-layer.js';

export default defineConfig({
  test: {
    include: [readTestLayer() === 'unit' ? UNIT_INCLUDE : ALL_INCLUDE],
    exclude: ['test/simulator/dist/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    // The summary reporter prints the run's last line (passed, failed, skipped and why).
    reporters: ['default', './test/support/summary-reporter.ts'],
  },
});
