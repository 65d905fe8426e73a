// Step: `hermes update` (skipped with --no-update). Streams its output, respects the update-in-progress marker,
// then reads the host again: an update can change the version, the capabilities, the install fingerprint, the
// service's process and its listeners (a newer updater restarts hermes-dashboard.service itself).
import { PATHS } from '../constants.js';
import type { ConvergeInputs } from '../converge/inputs.js';
import { remoteCommandError, stepError } from '../errors.js';
import { gatherFacts } from '../facts/gather.js';
import { MARKER_PROBE_FN, parseMarkerProbe, type UpdateMarker } from '../facts/update-marker.js';
import { describeBuild, type HermesBuild } from '../hermes/version.js';
import { readServiceView } from '../service/service-manager.js';
import { quote } from '../transport/shell.js';
import { readBuild } from './hermes.js';
import type { ChangeStep, Plan, StepIo } from './step.js';

export interface UpdateActions {
  hermesPath: string;
  markerPresent: boolean;
  before?: HermesBuild;
}

/** The marker as the host has it now (docs/hermes-contract.md#c11). */
async function readMarker(io: StepIo): Promise<UpdateMarker | undefined> {
  const r = await io.remote.exec(`sh -c ${quote(`${MARKER_PROBE_FN}\nmarker_probe`)}`);
  return parseMarkerProbe(r.stdout);
}

/** Waits while a live marker gates; a stale one (dead PID, over 20 minutes) is not waited on. */
async function waitForMarker(io: StepIo, i: ConvergeInputs): Promise<void> {
  const deadline = Date.now() + i.opts.updateWaitMs;
  let marker = await readMarker(io);
  if (marker?.state === 'live')
    io.log(`an update is already in progress on the host (${marker.detail}); waiting for it to finish`);
  while (marker?.state === 'live') {
    if (Date.now() >= deadline) {
      throw stepError(
        'E_UPDATE_IN_PROGRESS',
        `an update is still in progress on the host after ${Math.round(i.opts.updateWaitMs / 1000)} s (${PATHS.updateMarker}: ${marker.detail})`,
        'wait for it to finish (a marker whose PID is gone or that is older than 20 minutes is ignored), then rerun',
      );
    }
    await new Promise((res) => setTimeout(res, 1000));
    marker = await readMarker(io);
  }
}

/** What `hermes update` says it did (docs/hermes-contract.md#c10: "→ Found N new commit(s)", "✓ Already up to date!"). */
export function parseUpdateOutput(out: string): { commits?: number; upToDate: boolean } {
  const found = /Found (\d+) new commit/.exec(out);
  return { ...(found ? { commits: Number(found[1]) } : {}), upToDate: /Already up to date/.test(out) && !found };
}

/** The build a preflight plans with: a G0 build is planned as current until `hermes update` shows otherwise. */
function assumedAfterUpdate(b: HermesBuild | undefined): HermesBuild | undefined {
  return b?.generation === 'G0' ? { ...b, generation: 'G2' } : undefined;
}

async function runUpdate(io: StepIo, a: UpdateActions, i: ConvergeInputs) {
  if (a.markerPresent) await waitForMarker(io, i);
  let out = '';
  const r = await io.remote.exec(`${quote(a.hermesPath)} update </dev/null`, {
    timeoutMs: i.opts.updateTimeoutMs,
    onStdout: (chunk) => {
      out += chunk;
      chunk
        .split('\n')
        .filter((l) => l.trim())
        .forEach((l) => io.log(l.trim()));
    },
  });
  if (r.code !== 0) {
    throw remoteCommandError(
      'E_UPDATE_FAILED',
      'hermes update',
      { code: r.code, stderr: `${r.stdout}\n${r.stderr}` },
      'run `hermes update` on the host to see the whole output, or rerun with --no-update',
    );
  }
  return parseUpdateOutput(out || r.stdout);
}

export const updateStep: ChangeStep<UpdateActions | undefined, UpdateActions> = {
  kind: 'change',
  id: 'update',
  title: 'Update Hermes',
  skip: (i) =>
    !i.opts.update
      ? i.opts.repair
        ? 'a repair runs no update (check --repair --update does)'
        : '--no-update'
      : i.opts.dryRun
        ? 'dry run: would run hermes update'
        : undefined,
  read: (_io, i) =>
    i.facts.hermes
      ? {
          hermesPath: i.facts.hermes.path,
          markerPresent: i.facts.updateMarker,
          ...(i.build ? { before: i.build } : {}),
        }
      : undefined,
  plan(a): Plan<UpdateActions> {
    // Until `hermes update` has run, a G0 build is planned as a current one (the update may lift it); the real
    // build, read again after the update, replaces this assumption.
    const assumed = assumedAfterUpdate(a?.before);
    return {
      ...(a ? { actions: a } : {}),
      describe: 'run `hermes update`',
      okDetail: 'hermes not found',
      ...(assumed ? { implies: { build: assumed } } : {}),
    };
  },
  async apply(io, a, i) {
    const before = a.before ?? readBuild(i.facts.hermes, i.state);
    const pidBefore = (await readServiceView(i.facts, i.state))?.pid;
    const said = await runUpdate(io, a, i);
    const facts = await gatherFacts(io.remote, i.opts.port, { fresh: true });
    // A build hermes-setup does not recognise stops the run here, before the later steps (docs/hermes-contract.md#c17).
    const build = readBuild(facts.hermes, i.state, '`hermes update`');
    const pidAfter = (await readServiceView(facts, i.state))?.pid;
    // The updater's own restart (newer builds restart hermes-dashboard.service; 0.18 only kills: docs/hermes-contract.md#c10).
    const restartedBy =
      pidBefore !== undefined && pidAfter !== undefined && pidAfter !== pidBefore ? 'hermes update' : undefined;
    const stopped = pidBefore !== undefined && pidAfter === undefined;
    const versionChanged = build.version !== before.version;
    const what = versionChanged
      ? `updated ${describeBuild(before)} → ${describeBuild(build)}`
      : said.commits
        ? `pulled ${said.commits} commit${said.commits === 1 ? '' : 's'}, still ${describeBuild(build)}`
        : `already up to date (${describeBuild(build)})`;
    const service = restartedBy
      ? `; the dashboard was restarted by hermes update (pid ${pidBefore} → ${pidAfter})`
      : stopped
        ? `; hermes update stopped the dashboard (pid ${pidBefore})`
        : '';
    const detail = `${what}${service}`;
    const implies = {
      facts,
      build,
      changed: { version: versionChanged },
      service: { ...(pidAfter ? { pid: pidAfter } : {}), ...(restartedBy ? { restartedBy } : {}) },
    };
    return !versionChanged && !said.commits && !restartedBy && !stopped
      ? { unchanged: detail, implies }
      : { detail, implies };
  },
};
