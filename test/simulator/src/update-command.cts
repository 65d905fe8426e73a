/** `hermes update` (§10.1, §10.2): marker (§18.2), output lines, build switch, install files (§18.4), dashboards (§10.3). */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError, formatHelp, parseFlags } from './args.cjs';
import { resolveBuildRef } from './builds.cjs';
import { getTopUsage, getUpdateFlags } from './cli-spec.cjs';
import { type SimContext, writeState } from './context.cjs';
import { handleDashboardsAfterUpdate } from './dashboard-restart.cjs';
import { describeUpgradeTool, upgradeInstallFiles } from './layout-update.cjs';
import { sleep } from './process-table.cjs';
import { acquireMarker, describeHolder, getMarkerPath, releaseMarker } from './update-marker.cjs';

const FETCH_ERRORS = {
  network: '✗ Network error — cannot reach the remote repository.',
  auth: '✗ Authentication failed — check your git credentials for the remote repository.',
  fetch: '✗ Failed to fetch updates from origin.',
};

/** upstream `UPDATE_EXIT_CONCURRENT` (update_lock.py); the contract only names exit 2 for Windows (README). */
const EXIT_CONCURRENT = 2;

function createLogger(ctx: SimContext): (line: string) => void {
  const logPath = path.join(ctx.hermesHome, 'logs', 'update.log');
  try {
    fs.mkdirSync(path.dirname(logPath), { recursive: true });
  } catch {
    /* best effort */
  }
  return (line) => {
    process.stdout.write(line + '\n');
    try {
      fs.appendFileSync(logPath, line + '\n');
    } catch {
      /* best effort */
    }
  };
}

/** §10.2 `--check`: "✓ Already up to date." or "⚕ Update available: N commits behind upstream/main.", exit 0 both. */
function runCheck(ctx: SimContext): number {
  const err = ctx.state.updateError;
  if (err) {
    process.stderr.write(FETCH_ERRORS[err] + '\n');
    return 1;
  }
  if (!ctx.state.updateTo) {
    process.stdout.write('✓ Already up to date.\n');
    return 0;
  }
  process.stdout.write(`⚕ Update available: ${ctx.state.updateCommits ?? 42} commits behind upstream/main.\n`);
  return 0;
}

/** §10.2 flow and exact lines; git installs report commits, pip-style installs name their upgrade tool (§18.4). */
async function performUpdate(ctx: SimContext, say: (line: string) => void): Promise<number> {
  say('⚕ Updating Hermes Agent…');
  say('');
  if (ctx.state.updateDelaySeconds) await sleep(ctx.state.updateDelaySeconds * 1000);
  const err = ctx.state.updateError;
  if (err) {
    say(FETCH_ERRORS[err]);
    return 1;
  }
  if (!ctx.state.updateTo) {
    say('✓ Already up to date!');
    return 0;
  }
  const target = resolveBuildRef(ctx.state.updateTo);
  const tool = describeUpgradeTool(ctx.state.layout);
  const n = ctx.state.updateCommits ?? 42;
  const pull = tool ? [`→ Upgrading with \`${tool}\`…`] : [`→ Found ${n} new commit(s)`, '→ Pulling updates…'];
  for (const line of [
    ...pull,
    '→ Updating Python dependencies…',
    '✓ Code updated!',
    '→ Syncing bundled skills…',
    '→ Checking configuration for new options…',
  ])
    say(line);
  const statePath = upgradeInstallFiles(ctx, target);
  const next = { ...ctx.state, build: target.id, generation: target.generation };
  delete next.updateTo;
  delete next.updateCommits;
  writeState(statePath, next);
  // The running updater is the pre-update code, so dashboards are handled the old build's way (README).
  await handleDashboardsAfterUpdate(ctx, say);
  say('');
  say('✓ Update complete!');
  return 0;
}

export async function runUpdate(ctx: SimContext, argv: string[]): Promise<number> {
  const flags = getUpdateFlags();
  const { args, help, extras } = parseFlags(argv, flags, 'hermes update');
  if (help) {
    process.stdout.write(formatHelp('hermes update', flags, 'Update Hermes Agent to the latest version.'));
    return 0;
  }
  if (extras.length > 0)
    throw new UsageError(getTopUsage(ctx.build), 'hermes', `unrecognized arguments: ${extras.join(' ')}`);
  if (args['check'] === true) return runCheck(ctx);
  const marker = getMarkerPath(ctx.hermesHome);
  fs.mkdirSync(ctx.hermesHome, { recursive: true });
  const claim = acquireMarker(marker);
  if (!claim.ok) {
    process.stdout.write(describeHolder(claim.holder) + '\n');
    return EXIT_CONCURRENT;
  }
  process.on('SIGTERM', () => {
    releaseMarker(marker);
    process.exit(143);
  });
  process.on('SIGHUP', () => {
    /* ignored, like upstream: survives SSH disconnects (§10.3) */
  });
  try {
    return await performUpdate(ctx, createLogger(ctx));
  } finally {
    releaseMarker(marker);
  }
}
