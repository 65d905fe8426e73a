// `hermes-setup uninstall <target>`: undo what `remote` did, and only that.
import type { Command } from 'commander';
import { stepError } from '../errors.js';
import { out } from '../output.js';
import { connectTarget } from '../transport/connect.js';
import { parsePort } from '../transport/target.js';
import type { StepOutcome } from '../steps/context.js';
import { addConnectionOptions, toConnectOptions, type ConnectionFlags } from './connection-options.js';
import { toScheduleSpec } from './cron.js';
import { addFleetOptions, isFleet, parseParallel, resolveFleet, type FleetFlags } from '../fleet/fleet-targets.js';
import type { Remote } from '../transport/remote.js';

interface UninstallFlags extends ConnectionFlags, Partial<FleetFlags> { unpinToken?: boolean; json?: boolean; port: string; lockWait: string }

async function removeCron(target: string | undefined, local: boolean): Promise<StepOutcome> {
  try {
    const { applySchedule } = await import('../cron/apply-schedule.js');
    const spec = toScheduleSpec(target, { local, every: '5' } as never);
    const changed = (await Promise.all([false, true].map((timer) => applySchedule(spec, { install: false, timer }).then((r) => r.changed, () => false)))).some(Boolean);
    return { id: 'cron', status: changed ? 'changed' : 'ok', detail: changed ? 'removed the health-check entry on this machine' : 'no health-check entry' };
  } catch (err) {
    return { id: 'cron', status: 'skipped', detail: (err as Error).message };
  }
}

export function registerUninstall(program: Command): void {
  const cmd = program
    .command('uninstall')
    .description('stop and remove the dashboard service hermes-setup installed (and only that); idempotent')
    .argument('[targets...]', 'user@host, ssh://user@host:port or an ~/.ssh/config alias (several: a fleet run)')
    .option('--unpin-token', 'also remove the pinned token (and basic-auth keys) from ~/.hermes/.env')
    .option('--port <port>', 'dashboard port', '9119')
    .option('--lock-wait <seconds>', 'how long to wait for another hermes-setup run on the same host', '120')
    .option('--json', 'print one JSON document')
    .addHelpText('after', `
Examples:
  $ hermes-setup uninstall deploy@mini.lan
  $ hermes-setup uninstall deploy@mini.lan --unpin-token
  $ hermes-setup uninstall --local
  $ hermes-setup uninstall --inventory hosts.ini --limit old`);
  addFleetOptions(addConnectionOptions(cmd)).action(async (targets: string[], flags: UninstallFlags) => {
    const port = parsePort(`--port ${flags.port}`, flags.port);
    if (isFleet(targets, { parallel: '5', ...flags })) return uninstallFleet(targets, flags, port);
    const target = targets[0];
    const remote = await connectTarget(target, toConnectOptions(flags));
    try {
      const { runUninstall } = await import('../uninstall/run-uninstall.js');
      const steps = await runUninstall(remote, { unpinToken: flags.unpinToken === true, lockWaitMs: Number(flags.lockWait) * 1000, port }, () => undefined);
      steps.push(await removeCron(target, flags.local === true));
      const failed = steps.find((s) => s.status === 'failed');
      if (flags.json) out.json({ schema: 'hermes-setup/uninstall@1', target: remote.label, ok: !failed, steps });
      else for (const s of steps) out.line(`${s.id}: ${s.status} — ${s.detail}`);
      if (failed) throw stepError('E_UNINSTALL', failed.detail, 'rerun with --debug');
    } finally {
      await remote.close();
    }
  });
}

async function uninstallHost(remote: Remote, target: string, flags: UninstallFlags, port: number) {
  const { runUninstall } = await import('../uninstall/run-uninstall.js');
  const steps = await runUninstall(remote, { unpinToken: flags.unpinToken === true, lockWaitMs: Number(flags.lockWait) * 1000, port }, () => undefined);
  steps.push(await removeCron(target, false));
  const n = (s: StepOutcome['status']) => steps.filter((x) => x.status === s).length;
  return {
    ok: n('failed') === 0, counts: { ok: n('ok'), changed: n('changed'), failed: n('failed') }, lines: steps.map((s) => `${s.id}: ${s.status} — ${s.detail}`),
    report: { schema: 'hermes-setup/uninstall@1', target: remote.label, ok: n('failed') === 0, steps },
  };
}

async function uninstallFleet(targets: string[], flags: UninstallFlags, port: number): Promise<void> {
  const [{ actionHostTask }, { runFleet, finishFleet }] = await Promise.all([import('../fleet/fleet-hosts.js'), import('../fleet/run-fleet.js')]);
  const parallel = parseParallel(flags.parallel ?? '5');
  const hosts = await resolveFleet(targets, { parallel: String(parallel), ...flags });
  const connect = toConnectOptions(flags);
  const results = await runFleet(hosts, { parallel, json: flags.json === true }, (t, io) => actionHostTask(t, connect, io, (r, h) => uninstallHost(r, h.target, flags, port)));
  finishFleet(results, { json: flags.json === true });
}
