/** Per-build argparse specs for the top level, `dashboard`, `serve` and `update` (§2.1, §10.1, §18.3, §18.6). */
import type { FlagSpec } from './args.cjs';
import { type BuildInfo, getProductNames } from './builds.cjs';
import { hasFailClosedBind, isServeEra } from './generations.cjs';

const ALL_COMMANDS = [
  'chat',
  'setup',
  'model',
  'gateway',
  'config',
  'doctor',
  'status',
  'cron',
  'skills',
  'tools',
  'plugins',
  'dashboard',
  'serve',
  'update',
  'version',
  'uninstall',
];

/** §18.6: the invented future build has no `dashboard` subcommand. */
export function getTopCommands(build: BuildInfo): string[] {
  return ALL_COMMANDS.filter((c) => c !== 'dashboard' || build.hasDashboardCommand);
}

export function getTopUsage(build: BuildInfo): string {
  return `usage: ${getProductNames(build).cli} [-h] [--version] [--profile PROFILE] {${getTopCommands(build).join(',')}} ...`;
}

const INSECURE_OLD =
  'Allow binding to non-localhost addresses without authentication (DANGEROUS: exposes API keys and chat on the network)';
const INSECURE_NEW =
  'Deprecated: no longer disables authentication. Non-loopback binds always require an auth provider.';

function serverFlags(build: BuildInfo, command: 'dashboard' | 'serve'): FlagSpec[] {
  const gen = build.generation;
  const flags: FlagSpec[] = [
    {
      name: '--port',
      dest: 'port',
      metavar: 'PORT',
      type: 'int',
      help: 'Port to listen on (default: 9119; 0 = pick a free port)',
    },
  ];
  // §18.6 (invented future build): no --host / --insecure, the server binds loopback only.
  if (build.hasHostFlag)
    flags.push({ name: '--host', dest: 'host', metavar: 'HOST', help: 'Host to bind (default: 127.0.0.1)' });
  flags.push({ name: '--no-open', dest: 'no_open', help: 'Do not open a browser window', hidden: command === 'serve' });
  if (build.hasHostFlag)
    flags.push({ name: '--insecure', dest: 'insecure', help: hasFailClosedBind(gen) ? INSECURE_NEW : INSECURE_OLD });
  flags.push(
    { name: '--skip-build', dest: 'skip_build', help: 'Serve the existing web_dist without running npm' },
    {
      name: '--isolated',
      dest: 'isolated',
      help: isServeEra(gen)
        ? 'Run a dedicated server (do not route to the machine-level server or attach to a running host backend)'
        : 'When launched from a named profile, run a dedicated server instead of routing to the machine-level one',
    },
    { name: '--open-profile', dest: 'open_profile', metavar: 'OPEN_PROFILE', help: '', hidden: true },
    { name: '--stop', dest: 'stop', help: 'Stop running dashboard processes and exit' },
    { name: '--status', dest: 'status', help: 'List running dashboard processes and exit' },
  );
  // §18.3 / §2.1: a documented flag before 06-04, absent (argparse exit 2) right after, then a hidden no-op.
  if (build.tui === 'documented')
    flags.push({
      name: '--tui',
      dest: 'tui',
      help: 'Enable the embedded chat terminal (same as HERMES_DASHBOARD_TUI=1)',
    });
  if (build.tui === 'hidden') flags.push({ name: '--tui', dest: 'tui', help: '', hidden: true });
  if (isServeEra(gen) && command === 'serve') flags.push(...sshFlags());
  return flags;
}

function sshFlags(): FlagSpec[] {
  return [
    {
      name: '--ssh-session-token-file',
      dest: 'ssh_session_token_file',
      metavar: 'PATH',
      help: 'One-shot session token file written by Hermes Desktop over SSH (read, then deleted)',
    },
    {
      name: '--ssh-owner-nonce',
      dest: 'ssh_owner_nonce',
      metavar: 'NONCE',
      help: 'Mark this backend as owned by a Hermes Desktop SSH connection',
    },
    {
      name: '--print-session-token',
      dest: 'print_session_token',
      help: 'Print the loopback session token of the serve running on --host/--port and exit',
    },
  ];
}

export function getServerFlags(build: BuildInfo, command: 'dashboard' | 'serve'): FlagSpec[] {
  return serverFlags(build, command);
}

export function getServerDescription(command: 'dashboard' | 'serve'): string {
  return command === 'serve'
    ? 'Run the Hermes backend (API + WebSocket) headless, without opening a browser.'
    : 'Start the Hermes web dashboard (API, WebSocket chat and web UI).';
}

export function getUpdateFlags(): FlagSpec[] {
  return [
    { name: '--check', dest: 'check', help: 'Only check whether an update is available' },
    { name: '--gateway', dest: 'gateway', help: 'Gateway mode (file-based prompts)', hidden: true },
    { name: '--backup', dest: 'backup', help: 'Create a backup before updating' },
    { name: '--no-backup', dest: 'no_backup', help: 'Skip the pre-update backup' },
    { name: '--yes', dest: 'yes', short: '-y', help: 'Assume yes for prompts' },
    { name: '--branch', dest: 'branch', metavar: 'BRANCH', help: 'Update from this branch (default: main)' },
    { name: '--force', dest: 'force', help: 'Windows only: update even if other Hermes processes are running' },
  ];
}
