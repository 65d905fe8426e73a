// The converge's flags (remote) and their ConvergeOptions; also the options check --repair converges with, taken
// from what the host recorded. Values are validated as commander parses them (src/options/values.ts).
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { DEFAULT_PORT, DEFAULT_USERNAME, PATHS, REQUESTED_MODES, type RequestedMode } from '../constants.js';
import type { ConvergeOptions } from '../converge/inputs.js';
import { isTailnet } from '../probe/address.js';
import type { ConvergeState } from '../state.js';
import { parseTarget } from '../transport/target.js';
import { quote } from '../transport/shell.js';
import { usageError } from '../errors.js';
import { parsePortValue, parseSeconds, parseUsername } from './values.js';

export interface ConvergeFlags {
  mode: RequestedMode;
  port: number;
  bind: string;
  update: boolean;
  rotateToken?: boolean;
  dryRun?: boolean;
  json?: boolean;
  showToken?: boolean;
  showSecrets?: boolean;
  force?: boolean;
  daemon?: boolean;
  launchdDomain?: LaunchdDomainFlag;
  allowPublic?: boolean;
  passwordFile?: string;
  username: string;
  updateTimeout: number;
  updateWait: number;
  lockWait: number;
  configureDesktop?: boolean;
  profile?: string;
  storeTokenPlain?: boolean;
}

export const LAUNCHD_DOMAINS = ['gui', 'user', 'system'] as const;
export type LaunchdDomainFlag = (typeof LAUNCHD_DOMAINS)[number];

/** --launchd-domain system is --daemon; gui|user with --daemon contradict each other. */
function launchdChoice(f: ConvergeFlags): Pick<ConvergeOptions, 'daemon' | 'launchdDomain'> {
  const d = f.launchdDomain;
  if (f.daemon === true && (d === 'gui' || d === 'user')) {
    throw usageError(
      'E_USAGE',
      `--daemon installs a LaunchDaemon in the system domain; --launchd-domain ${d} asks for a LaunchAgent`,
      'drop one of them (--launchd-domain system is the same as --daemon)',
    );
  }
  return d === 'gui' || d === 'user'
    ? { daemon: false, launchdDomain: d }
    : { daemon: f.daemon === true || d === 'system' };
}

export function addConvergeOptions(cmd: Command): Command {
  addRunOptions(cmd);
  addPasswordOptions(cmd);
  addDesktopOptions(cmd);
  return addWaitOptions(cmd);
}

/** The access mode, port and bind, and how the run behaves (update, dry run, output, service kind). */
function addRunOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--mode <mode>', 'access mode').choices(REQUESTED_MODES).default('auto'))
    .option('--port <port>', 'dashboard port on the host', parsePortValue('--port'), DEFAULT_PORT)
    .option('--bind <where>', "tailnet (the host's Tailscale IPv4), all (0.0.0.0), or an address", 'tailnet')
    .option('--no-update', 'do not run `hermes update` first')
    .option('--rotate-token', 'replace the pinned token (and the basic-auth password) with new ones')
    .option('--dry-run', 'print the plan with diffs (secrets redacted) and change nothing')
    .option('--json', 'print one JSON document (schema: docs/json-output.md)')
    .option('--show-token', 'print the token in full instead of its fingerprint')
    .option('--force', 'replace a unit or plist that was edited by hand')
    .option('--daemon', 'macOS: install a LaunchDaemon (sudo) instead of a LaunchAgent, for a headless Mac')
    .addOption(
      new Option(
        '--launchd-domain <domain>',
        'macOS: gui (needs a GUI login), user (any login) or system (= --daemon); default: gui/ while a GUI session exists, else user/, and user/ when gui/ refuses',
      ).choices(LAUNCHD_DOMAINS),
    )
    .option('--allow-public', 'allow binding a public address (not loopback, tailnet or private)');
}

/** Password mode: where the password is kept, whether to show a new one, the user name. */
function addPasswordOptions(cmd: Command): Command {
  return cmd
    .option(
      '--password-file <file>',
      'password mode: where to keep the basic-auth password on this machine (0600; default ~/.config/hermes-setup/passwords/<target>)',
    )
    .option('--show-secrets', 'print a new basic-auth password once (it is never printed otherwise)')
    .option('--username <name>', 'password mode: the basic-auth user name', parseUsername, DEFAULT_USERNAME);
}

/** --configure-desktop and what it writes. */
function addDesktopOptions(cmd: Command): Command {
  return cmd
    .option('--configure-desktop', 'also set up the Hermes desktop app on this machine (connection.json) for this host')
    .option(
      '--profile <name>',
      'with --configure-desktop: write a desktop-app profile instead of the global connection',
    )
    .option(
      '--store-token-plain',
      'with --configure-desktop: store the token in connection.json unencrypted (the app normally keeps it in the OS keychain)',
    );
}

/** How long to wait for `hermes update`, an update in progress, and another run's lock. */
function addWaitOptions(cmd: Command): Command {
  return cmd
    .option(
      '--update-timeout <seconds>',
      'how long `hermes update` may take',
      parseSeconds('--update-timeout', { min: 1 }),
      1800,
    )
    .option(
      '--update-wait <seconds>',
      'how long to wait for an update already in progress on the host',
      parseSeconds('--update-wait'),
      120,
    )
    .option(
      '--lock-wait <seconds>',
      'how long to wait for another hermes-setup run on the same host',
      parseSeconds('--lock-wait'),
      120,
    );
}

/** Where a target's basic-auth password lives on this machine unless --password-file says otherwise. */
export function defaultPasswordFile(targetLabel: string): string {
  // Labels with a port were once written known_hosts-style (user@[host]:port); the file name keeps that form.
  const stable = targetLabel.replace(/^((?:[^@]*@)?)([^[\]:]+):(\d+)$/, '$1[$2]:$3');
  return join(homedir(), '.config', 'hermes-setup', 'passwords', stable.replace(/[^A-Za-z0-9@._-]+/g, '_'));
}

/**
 * How the user reaches the host with ssh: what they typed (an alias stays an alias: its key may be configured only
 * under that Host), a port as `-p`, and the --identity they passed. For the tunnel command and desktop hints.
 */
export function sshDestination(typed: string | undefined, label: string, identity?: readonly string[]): string {
  let dest = typed ?? label;
  if (typed !== undefined) {
    try {
      const t = parseTarget(typed);
      const host = `${t.user ? `${t.user}@` : ''}${t.host}`;
      dest = t.port !== undefined && t.port !== 22 ? `-p ${t.port} ${quote(host)}` : quote(host);
    } catch {
      dest = quote(typed);
    }
  }
  const key = identity?.[0];
  return key ? `-i ${quote(resolve(key))} ${dest}` : dest;
}

export function toConvergeOptions(
  f: ConvergeFlags,
  targetLabel: string,
  ssh: { typed?: string; identity?: readonly string[] } = {},
): ConvergeOptions {
  return {
    port: f.port,
    mode: f.mode,
    bind: f.bind,
    update: f.update,
    rotateToken: f.rotateToken === true,
    dryRun: f.dryRun === true,
    force: f.force === true,
    ...launchdChoice(f),
    allowPublic: f.allowPublic === true,
    username: f.username,
    passwordFile: f.passwordFile ?? defaultPasswordFile(targetLabel),
    updateTimeoutMs: f.updateTimeout * 1000,
    updateWaitMs: f.updateWait * 1000,
    lockWaitMs: f.lockWait * 1000,
    targetLabel,
    sshTarget: sshDestination(ssh.typed, targetLabel, ssh.identity),
  };
}

/** check --repair: converge again with what the host recorded (mode, bind, port, daemon); no update unless asked. */
export function repairOptions(
  state: ConvergeState | undefined,
  o: {
    port?: number;
    passwordFile: string;
    update: boolean;
    targetLabel: string;
    sshTarget?: string;
    dryRun?: boolean;
  },
): ConvergeOptions {
  const bind = !state ? 'tailnet' : state.bind === '0.0.0.0' ? 'all' : isTailnet(state.bind) ? 'tailnet' : state.bind;
  return {
    port: o.port ?? state?.port ?? DEFAULT_PORT,
    mode: !state || state.mode === 'token' ? 'auto' : state.mode,
    bind,
    update: o.update,
    rotateToken: false,
    dryRun: o.dryRun === true,
    force: false,
    daemon: state?.serviceKind === 'launchd-daemon' || state?.servicePath === PATHS.plistDaemon,
    allowPublic: true,
    username: DEFAULT_USERNAME,
    passwordFile: o.passwordFile,
    updateTimeoutMs: 1_800_000,
    updateWaitMs: 120_000,
    lockWaitMs: 120_000,
    targetLabel: o.targetLabel,
    sshTarget: o.sshTarget ?? o.targetLabel,
    repair: true,
  };
}
