// Writes docs/error-codes.md from the registry in src/error-codes.ts (npm run docs:errors).
import { writeFileSync } from 'node:fs';
import { renderErrorCodesDoc } from '../src/error-codes.js';

writeFileSync(new URL('../docs/error-codes.md', import.meta.url), renderErrorCodesDoc());
