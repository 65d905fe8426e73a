// npm's `prepare` (after `npm ci`/`npm install` in a clone): builds dist/ with TypeScript. A production install
// (`npm ci --omit=dev`) has no TypeScript: it keeps a dist/ that is already there, or says in one line how to get a
// runnable CLI; the install itself succeeds either way (README, "Installing from a clone"). Plain JS: no dev deps.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

function findTsc() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

const tsc = findTsc();
if (tsc) {
  const r = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
if (existsSync('dist/cli.js')) {
  console.error(
    'hermes-setup: TypeScript is not installed (--omit=dev), so dist/ was not rebuilt; node dist/cli.js runs the dist/ already there',
  );
} else {
  console.error(
    'hermes-setup: no CLI built: TypeScript is a dev dependency and --omit=dev left it out — for a runnable CLI with production dependencies only: npm ci && npm prune --omit=dev',
  );
}
