// The flags of check and doctor, and the options they read the host with.
import type { Command } from 'commander';
import { defaultPasswordFile } from './converge-options.js';
import { parsePortValue } from './values.js';

export interface HealthFlags {
  json?: boolean;
  repair?: boolean;
  update?: boolean;
  dryRun?: boolean;
  port?: number;
  passwordFile?: string;
  local?: boolean;
}

export interface HealthOptions {
  /** --port, when given; else the state file's port, else the default. */
  port?: number;
  /** Where the basic-auth password lives on this machine (password mode). */
  passwordFile: string;
  /** The target as typed ("--local" for this machine), for fix commands. */
  target: string;
  deep?: boolean;
}

export function addHealthOptions(cmd: Command): Command {
  return cmd
    .option('--json', 'print one JSON document (schema: docs/json-output.md, "check")')
    .option(
      '--port <port>',
      'dashboard port (default: the one recorded at the last converge, else 9119)',
      parsePortValue('--port'),
    )
    .option(
      '--password-file <file>',
      'password mode: the basic-auth password on this machine (default ~/.config/hermes-setup/passwords/<target>)',
    );
}

export function toHealthOptions(flags: HealthFlags, typed: string | undefined, label: string): HealthOptions {
  return {
    ...(flags.port ? { port: flags.port } : {}),
    passwordFile: flags.passwordFile ?? defaultPasswordFile(label),
    target: flags.local ? '--local' : (typed ?? '--local'),
  };
}
