/** `hermes update` (§10): marker, output lines, generation switch, dashboards. */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError, formatHelp, parseFlags } from './args.cjs';
import { TOP_USAGE, getUpdateFlags } from './cli-spec.cjs';
import { type SimContext, writeState } from './context.cjs';
import { handleDashboardsAfterUpdate } from './dashboard-restart.cjs';
import { isAlive, sleep } from './process-table.cjs';

const FETCH_ERRORS = {
  network: '✗ Network error — cannot reach the remote repository.',
  auth: '✗ Authentication failed — check your git credentials for the remote repository.',
  fetch: '✗ Failed to fetch updates from origin.',
};

function createLogger(ctx: SimContext): (line: string) => void {
  const logPath = path.join(ctx.hermesHome, 'logs', 'update.log');
  try { fs.mkdirSync(path.dirname(logPath), { recursive: true }); } catch { /* best effort */ }
  return (line) => {
    process.stdout.write(line + '\n');
    try { fs.appendFileSync(logPath, line + '\n'); } catch { /* best effort */ }
  };
}

/** Creates the marker exclusively; a marker whose PID is dead is stale and replaced. */
function acquireMarker(marker: string): boolean {
  const body = JSON.stringify({ pid: process.pid, started_at: Date.now() / 1000 }) + '\n';
  try {
    fs.writeFileSync(marker, body, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  let holder: number | null = null;
  try { holder = Number((JSON.parse(fs.readFileSync(marker, 'utf8')) as { pid?: unknown }).pid) || null; } catch { holder = null; }
  if (holder === null || isAlive(holder)) return false;
  fs.writeFileSync(marker, body);
  return true;
}

function runCheck(ctx: SimContext): number {
  const err = ctx.state.updateError;
  if (err) { process.stderr.write(FETCH_ERRORS[err] + '\n'); return 1; }
  if (!ctx.state.updateTo) { process.stdout.write('✓ Already up to date.\n'); return 0; }
  process.stdout.write(`⚕ Update available: ${ctx.state.updateCommits ?? 42} commits behind upstream/main.\n`);
  return 0;
}

async function performUpdate(ctx: SimContext, say: (line: string) => void): Promise<number> {
  say('⚕ Updating Hermes Agent…');
  say('');
  if (ctx.state.updateDelaySeconds) await sleep(ctx.state.updateDelaySeconds * 1000);
  const err = ctx.state.updateError;
  if (err) { say(FETCH_ERRORS[err]); return 1; }
  const target = ctx.state.updateTo;
  if (!target) { say('✓ Already up to date!'); return 0; }
  const n = ctx.state.updateCommits ?? 42;
  for (const line of [`→ Found ${n} new commit(s)`, '→ Pulling updates…', '→ Updating Python dependencies…', '✓ Code updated!', '→ Syncing bundled skills…', '→ Checking configuration for new options…']) say(line);
  const next = { ...ctx.state, generation: target };
  delete next.updateTo;
  delete next.updateCommits;
  writeState(ctx.statePath, next);
  // The running updater is the pre-update code, so dashboards are handled the old generation's way.
  await handleDashboardsAfterUpdate(ctx, say);
  say('');
  say('✓ Update complete!');
  return 0;
}

export async function runUpdate(ctx: SimContext, argv: string[]): Promise<number> {
  const flags = getUpdateFlags();
  const { args, help, extras } = parseFlags(argv, flags, 'hermes update');
  if (help) { process.stdout.write(formatHelp('hermes update', flags, 'Update Hermes Agent to the latest version.')); return 0; }
  if (extras.length > 0) throw new UsageError(TOP_USAGE, 'hermes', `unrecognized arguments: ${extras.join(' ')}`);
  if (args['check'] === true) return runCheck(ctx);
  const marker = path.join(ctx.hermesHome, '.hermes-update-in-progress');
  fs.mkdirSync(ctx.hermesHome, { recursive: true });
  if (!acquireMarker(marker)) {
    process.stderr.write(`✗ Another \`hermes update\` is already running (${marker} exists). Wait for it to finish.\n`);
    return 1;
  }
  const release = (): void => { try { fs.rmSync(marker, { force: true }); } catch { /* gone */ } };
  process.on('SIGTERM', () => { release(); process.exit(143); });
  process.on('SIGHUP', () => { /* ignored, like upstream: survives SSH disconnects */ });
  try {
    return await performUpdate(ctx, createLogger(ctx));
  } finally {
    release();
  }
}
