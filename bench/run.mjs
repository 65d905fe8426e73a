// npm run bench: builds, then runs every benchmark in bench/ (each prints its own table).
import { $ } from 'zx';

$.verbose = true;
await $`npm run build --silent`;
for (const b of (process.env.BENCH ?? 'rerun').split(',')) await $`npx tsx bench/${b}.ts`;
