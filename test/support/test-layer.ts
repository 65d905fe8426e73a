// Which layers a test run covers: every layer (the default), or only the unit layer when the user asks for it with
// HERMES_SETUP_TEST=unit (`npm run test:unit`). Read by vitest.config.ts, the summary reporter and the prerequisites.
export type TestLayer = 'all' | 'unit';

export const LAYER_ENV = 'HERMES_SETUP_TEST';

/** The unit layer: no root, no guests, no sshd; seconds. */
export const UNIT_INCLUDE = 'test/unit/**/*.test.ts';
export const ALL_INCLUDE = 'test/**/*.test.ts';

export function readTestLayer(env: NodeJS.ProcessEnv = process.env): TestLayer {
  const v = env[LAYER_ENV];
  if (v === undefined || v === '' || v === 'all') return 'all';
  if (v === 'unit') return 'unit';
  throw new Error(`${LAYER_ENV}=${v}: use ${LAYER_ENV}=unit (the unit layer only) or leave it unset (every layer)`);
}

/** The command a user types for this layer, for messages. */
export function layerCommand(layer: TestLayer): string {
  return layer === 'unit' ? 'npm run test:unit' : 'npm test';
}
