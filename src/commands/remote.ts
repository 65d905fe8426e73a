// `hermes-setup remote <target>`: the one-shot, idempotent converge.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { usageError } from '../errors.js';
import type { RequestedMode } from '../hermes/access-mode.js';
import { out } from '../output.js';
import { connectTarget } from '../remote/connect.js';
import type { Remote } from '../remote/remote.js';
import { parsePort } from '../remote/target.js';
import type { ConvergeOptions } from '../steps/context.js';
import { addConnectionOptions, toConnectOptions, type ConnectionFlags } from './connection-options.js';
import { addFleetOptions, isFleet, parseParallel, resolveFleet, type FleetFlags } from '../fleet/fleet-targets.js';

export interface RemoteFlags extends ConnectionFlags, Partial<FleetFlags> {
  mode: RequestedMode;
  port: string;
  bind: string;
  update: boolean;
  rotateToken?: boolean;
  dryRun?: boolean;
  json?: boolean;
  showToken?: boolean;
  showSecrets?: boolean;
  force?: boolean;
  daemon?: boolean;
  allowPublic?: boolean;
  passwordFile?: string;
  username: string;
  updateTimeout: string;
  configureDesktop?: boolean;
  profile?: string;
  storeTokenPlain?: boolean;
  updateWait: string;
  lockWait?: string;
}

export function addConvergeOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--mode <mode>', 'access mode').choices(['auto', 'token', 'password', 'tunnel']).default('auto'))
    .option('--port <port>', 'dashboard port on the host', '9119')
    .option('--bind <where>', 'tailnet (the host\'s Tailscale IPv4), all (0.0.0.0), or an address', 'tailnet')
    .option('--no-update', 'do not run `hermes update` first')
    .option('--rotate-token', 'replace the pinned token (and the basic-auth password) with new ones')
    .option('--dry-run', 'print the plan with diffs (secrets redacted) and change nothing')
    .option('--json', 'print one JSON document (schema: docs/json-output.md)')
    .option('--show-token', 'print the token in full instead of its fingerprint')
    .option('--force', 'replace a unit or plist that was edited by hand')
    .option('--daemon', 'macOS: install a LaunchDaemon (sudo) instead of a LaunchAgent, for a headless Mac')
    .option('--allow-public', 'allow binding a public address (not loopback, tailnet or private)')
    .option('--password-file <file>', 'password mode: where to keep the basic-auth password on this machine (0600; default ~/.config/hermes-setup/passwords/<target>)')
    .option('--show-secrets', 'print a new basic-auth password once (it is never printed otherwise)')
    .option('--username <name>', 'password mode: the basic-auth user name', 'hermes')
    .option('--configure-desktop', 'also set up the Hermes desktop app on this machine (connection.json) for this host')
    .option('--profile <name>', 'with --configure-desktop: write a desktop-app profile instead of the global connection')
    .option('--store-token-plain', 'with --configure-desktop: store the token in connection.json unencrypted (the app normally keeps it in the OS keychain)')
    .option('--update-timeout <seconds>', 'how long `hermes update` may take', '1800')
    .option('--update-wait <seconds>', 'how long to wait for an update already in progress on the host', '120')
    .option('--lock-wait <seconds>', 'how long to wait for another hermes-setup run on the same host', '120');
}

export function toConvergeOptions(f: RemoteFlags, targetLabel: string): ConvergeOptions {
  const port = parsePort(`--port ${f.port}`, f.port);
  const timeout = Number(f.updateTimeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw usageError('E_USAGE', `invalid --update-timeout "${f.updateTimeout}"`, 'give a number of seconds');
  const lockWait = Number(f.lockWait ?? '120');
  if (!Number.isFinite(lockWait) || lockWait < 0) throw usageError('E_USAGE', `invalid --lock-wait "${f.lockWait}"`, 'give a number of seconds (0 = do not wait)');
  const wait = Number(f.updateWait);
  if (!Number.isFinite(wait) || wait < 0) throw usageError('E_USAGE', `invalid --update-wait "${f.updateWait}"`, 'give a number of seconds (0 = do not wait)');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(f.username)) throw usageError('E_USAGE', `invalid --username "${f.username}"`, 'use letters, digits, . _ - (at most 64)');
  return {
    port, mode: f.mode, bind: f.bind, update: f.update, rotateToken: f.rotateToken === true, dryRun: f.dryRun === true,
    force: f.force === true, daemon: f.daemon === true, allowPublic: f.allowPublic === true, username: f.username,
    passwordFile: f.passwordFile ?? defaultPasswordFile(targetLabel),
    updateTimeoutMs: timeout * 1000, updateWaitMs: wait * 1000, lockWaitMs: lockWait * 1000, targetLabel, sshTarget: targetLabel.replace(/:22$/, ''),
  };
}

async function setUpDesktop(remote: Remote, flags: RemoteFlags, sshTarget: string) {
  const { configureDesktop } = await import('../desktop/configure.js');
  return configureDesktop(remote, { sshTarget, ...(flags.profile ? { profile: flags.profile } : {}), ...(flags.storeTokenPlain ? { storeTokenPlain: true } : {}) });
}

/** Where a target's basic-auth password lives on this machine unless --password-file says otherwise. */
export function defaultPasswordFile(targetLabel: string): string {
  return join(homedir(), '.config', 'hermes-setup', 'passwords', targetLabel.replace(/[^A-Za-z0-9@._-]+/g, '_'));
}

export function registerRemote(program: Command): void {
  const cmd = program
    .command('remote')
    .description('set up (or re-check) the Hermes dashboard on a host: update, pin the token, install the service, prove the WebSocket')
    .argument('[targets...]', 'user@host, user@host:port, ssh://user@host:port or an ~/.ssh/config alias (several: a fleet run)');
  addFleetOptions(addConvergeOptions(addConnectionOptions(cmd))).addHelpText('after', `
Examples:
  $ hermes-setup remote deploy@mini.lan --accept-new-host-key
  $ hermes-setup remote mini --dry-run            # show the plan and diffs, change nothing
  $ hermes-setup remote mini --mode tunnel        # loopback bind, reach it with ssh -N -L
  $ hermes-setup remote --local --no-update       # on this machine
  $ hermes-setup remote mini vps --parallel 2     # a fleet: per-host lines, then a recap
  $ hermes-setup remote --inventory hosts.toml --limit 'lab,!lab-3'`);
  cmd.action(async (targets: string[], flags: RemoteFlags) => {
    const connect = toConnectOptions(flags);
    if (isFleet(targets, { parallel: '5', ...flags })) return runRemoteFleet(targets, flags);
    const target = targets[0];
    const [{ buildReport, renderDiffs, renderSummary }, { newConverge, runConverge }] = await Promise.all([
      import('../converge/report.js'), import('../converge/run-converge.js')]);
    toConvergeOptions(flags, target ?? 'local'); // bad flags fail here, before any connection is opened
    const remote = await connectTarget(target, connect);
    try {
      const opts = toConvergeOptions(flags, remote.label);
      const c = newConverge(remote, opts, () => undefined);
      const renderer = flags.json ? 'silent' : process.stdout.isTTY ? 'default' : 'simple';
      const run = await runConverge(c, renderer);
      const newPassword = c.password?.password && !run.error && !opts.dryRun && c.changed.env ? c.password.password : undefined;
      const report = buildReport(run, {
        showToken: flags.showToken === true, ...(newPassword && flags.showSecrets ? { newPassword } : {}), ...(opts.passwordFile ? { passwordFile: opts.passwordFile } : {}),
      });
      const desktop = flags.configureDesktop && !run.error && !opts.dryRun ? await setUpDesktop(remote, flags, opts.sshTarget) : undefined;
      if (flags.json) out.json(desktop ? { ...report, desktop } : report);
      else {
        if (opts.dryRun && c.files.length) out.line(await renderDiffs(run));
        for (const l of renderSummary(report)) out.line(l);
        if (desktop) {
          const { renderDesktopSummary } = await import('../desktop/desktop-steps.js');
          for (const l of [...renderDesktopSummary(desktop, 'Desktop app:'), ...desktop.warnings.map((w) => `Warning:     ${w}`)]) out.line(l);
        }
      }
      if (run.error) throw run.error;
    } finally {
      await remote.close();
    }
  });
}

async function runRemoteFleet(targets: string[], flags: RemoteFlags): Promise<void> {
  const [{ convergeHostTask, validateFleetRemote }, { runFleet, finishFleet }] = await Promise.all([import('../fleet/fleet-remote.js'), import('../fleet/run-fleet.js')]);
  const parallel = parseParallel(flags.parallel ?? '5');
  validateFleetRemote(flags);
  const hosts = await resolveFleet(targets, { parallel: String(parallel), ...flags });
  const connect = toConnectOptions(flags);
  const results = await runFleet(hosts, { parallel, json: flags.json === true }, (t, io) => convergeHostTask(t, flags, connect, io));
  finishFleet(results, { json: flags.json === true });
}
