// Step: `hermes update` (skipped with --no-update). Streams its output, respects the update-in-progress
// marker, and re-detects the generation afterwards (hermes-behaviour.md §10).
import { stepError } from '../errors.js';
import { refreshHermesFacts } from '../facts/hermes-refresh.js';
import { UPDATE_MARKER } from '../facts/facts-script.js';
import { describeBuild } from '../hermes/version.js';
import { quote, quotePath } from '../transport/shell.js';
import type { Converge, Step } from './context.js';
import { readBuild } from './hermes.js';

export interface UpdateState { markerPresent: boolean }

async function waitForMarker(c: Converge): Promise<void> {
  const deadline = Date.now() + c.opts.updateWaitMs;
  c.log('an update is already in progress on the host; waiting for it to finish');
  while (Date.now() < deadline) {
    const r = await c.remote.exec(`test -e ${quotePath(UPDATE_MARKER)}`);
    if (r.code !== 0) return;
    await new Promise((res) => setTimeout(res, 1000));
  }
  throw stepError('E_UPDATE_IN_PROGRESS', `an update is still in progress on the host after ${Math.round(c.opts.updateWaitMs / 1000)} s (${UPDATE_MARKER})`,
    'wait for it to finish; if no `hermes update` is running, remove the stale marker and rerun');
}

function lastLine(s: string): string {
  return s.trim().split('\n').filter((l) => l.trim() !== '').pop() ?? '';
}

export const updateStep: Step<UpdateState, { run: true }> = {
  id: 'update',
  title: 'Update Hermes',
  skip: (c) => (!c.opts.update ? '--no-update' : c.opts.dryRun ? 'dry run (would run hermes update)' : undefined),
  read: (c) => ({ markerPresent: c.facts.updateMarker }),
  plan: () => ({ run: true }),
  describe: () => 'run `hermes update`',
  async apply(c) {
    if (c.facts.updateMarker) await waitForMarker(c);
    const path = c.facts.hermes!.path;
    const before = c.build!;
    const r = await c.remote.exec(`${quote(path)} update </dev/null`, {
      timeoutMs: c.opts.updateTimeoutMs,
      onStdout: (chunk) => chunk.split('\n').filter((l) => l.trim()).forEach((l) => c.log(l.trim())),
    });
    if (r.code !== 0) {
      throw stepError('E_UPDATE_FAILED', `hermes update failed (exit ${r.code}): ${lastLine(r.stdout + '\n' + r.stderr)}`,
        'run `hermes update` on the host to see the whole output, or rerun with --no-update');
    }
    const after = readBuild(await refreshHermesFacts(c.remote, path));
    c.build = after;
    if (after.version !== before.version) {
      c.changed.version = true;
      c.log(`Hermes ${describeBuild(before)} → ${describeBuild(after)}`);
    }
    if (after.version === before.version) return { unchanged: `already up to date (${describeBuild(after)})` };
    return undefined;
  },
};
