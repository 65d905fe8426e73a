// The SSH connection flags every host command shares.
import { Option, type Command } from 'commander';
import { usageError } from '../errors.js';
import type { ConnectOptions } from '../transport/connect.js';

export interface ConnectionFlags {
  local?: boolean;
  identity?: string[];
  acceptNewHostKey?: boolean;
  knownHosts?: string;
  sshConfig?: string;
  connectTimeout?: string;
}

export function addConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--local', 'run on this machine instead of over SSH')
    .option(
      '-i, --identity <file...>',
      'private key file(s) to offer (default: ssh-agent, then ~/.ssh/config IdentityFile, then ~/.ssh/id_*)',
    )
    .option(
      '--accept-new-host-key',
      'trust and record the host key of a host not yet in known_hosts (a changed key is always refused)',
    )
    .option('--known-hosts <file>', 'known_hosts file to verify against (default: ~/.ssh/known_hosts)')
    .option('--ssh-config <file>', 'ssh config file for aliases (default: ~/.ssh/config)')
    .addOption(new Option('--connect-timeout <seconds>', 'SSH connect timeout').default('10'));
}

export function toConnectOptions(flags: ConnectionFlags): ConnectOptions {
  const seconds = Number(flags.connectTimeout ?? '10');
  if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 600) {
    throw usageError(
      'E_USAGE',
      `invalid --connect-timeout "${flags.connectTimeout}"`,
      'give a number of seconds between 1 and 600',
    );
  }
  return {
    local: flags.local,
    identity: flags.identity,
    acceptNewHostKey: flags.acceptNewHostKey,
    knownHosts: flags.knownHosts,
    sshConfig: flags.sshConfig,
    connectTimeoutMs: seconds * 1000,
  };
}
