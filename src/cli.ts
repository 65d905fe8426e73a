#!/usr/bin/env node
// The only place where errors become exit codes. Everything else throws HermesSetupError.
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { EXIT, HermesSetupError, isHermesSetupError, usageError, type ExitCode } from './errors.js';
import { colorsFor } from './output.js';
import { registerPing } from './commands/ping.js';
import { registerRemote } from './commands/remote.js';
import { registerUninstall } from './commands/uninstall.js';
import { registerCheck } from './commands/check.js';
import { registerDoctor } from './commands/doctor.js';
import { registerCron } from './commands/cron.js';
import { registerPair } from './commands/pair.js';
import { registerDevices } from './commands/devices.js';
import { registerDesktop } from './commands/desktop.js';
import { registerExport } from './export/register-export.js';

function readVersion(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const pkg = JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  a step failed
  2  usage or config error
  3  unhealthy (check)
  4  host unreachable or SSH authentication failed
  5  host key rejected (unknown without --accept-new-host-key, or changed)

Environment:
  NO_COLOR   disable colour (colour is only used on a terminal anyway)
  SSH_AUTH_SOCK   ssh-agent socket, tried before key files`;

export function buildProgram(): Command {
  const program = new Command('hermes-setup')
    .description('Provision the Hermes Agent dashboard on an always-on box over SSH: pinned token, a service that survives reboots, reachable over Tailscale, proven by a WebSocket handshake.')
    .version(readVersion(), '-V, --version')
    .option('--debug', 'show stack traces and internal details on errors')
    .showSuggestionAfterError(true)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, outputError: () => undefined })
    .addHelpText('after', `
Examples:
  $ hermes-setup remote deploy@mini.lan --accept-new-host-key
  $ hermes-setup remote mini --dry-run
  $ hermes-setup check mini --repair
  $ hermes-setup doctor mini
  $ hermes-setup cron install mini --every 5
  $ hermes-setup ping deploy@mini.lan --accept-new-host-key
  $ hermes-setup ping --local
${EXIT_CODES_HELP}`);
  registerRemote(program);
  registerCheck(program);
  registerDoctor(program);
  registerCron(program);
  registerUninstall(program);
  registerPing(program);
  registerPair(program);
  registerDevices(program);
  registerDesktop(program);
  registerExport(program);
  for (const sub of program.commands.flatMap((c) => [c, ...c.commands])) sub.exitOverride().configureOutput({ writeErr: () => undefined, outputError: () => undefined }).showSuggestionAfterError(true);
  return program;
}

/** Commander's own errors (unknown command/flag, missing argument) become one-line usage errors. */
function fromCommander(err: CommanderError): HermesSetupError | 'exit0' {
  if (err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 'exit0';
  const text = err.message.replace(/^error:\s*/i, '').replace(/\n\(Did you mean (.+)\?\)/, ' (did you mean $1?)').replace(/\s+/g, ' ').trim();
  const code = err.code === 'commander.unknownCommand' ? 'E_UNKNOWN_COMMAND' : err.code === 'commander.unknownOption' ? 'E_UNKNOWN_FLAG' : 'E_USAGE';
  return usageError(code, text, 'run hermes-setup --help (or hermes-setup <command> --help) for usage');
}

export function renderError(err: unknown, debug: boolean, stream: NodeJS.WriteStream = process.stderr): { line: string; exitCode: ExitCode } {
  const c = colorsFor(stream);
  if (isHermesSetupError(err)) {
    const [code, ...rest] = err.toLine().split(': ');
    let line = `${c.red(c.bold(code ?? ''))}: ${rest.join(': ')}`;
    if (debug && err.cause instanceof Error) line += `\n${err.cause.stack ?? ''}`;
    if (debug) line += `\n${err.stack ?? ''}`;
    return { line, exitCode: err.exitCode };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  let line = `${c.red(c.bold('E_INTERNAL'))}: ${e.message.split('\n')[0]} — hint: this is a bug in hermes-setup; rerun with --debug and report it`;
  if (debug) line += `\n${e.stack ?? ''}`;
  return { line, exitCode: EXIT.STEP_FAILED };
}

export async function main(argv: string[]): Promise<ExitCode> {
  const debug = argv.includes('--debug');
  const program = buildProgram();
  try {
    if (argv.length <= 2) {
      process.stderr.write(program.helpInformation());
      return EXIT.USAGE;
    }
    await program.parseAsync(argv);
    return EXIT.OK;
  } catch (err) {
    const mapped = err instanceof CommanderError ? fromCommander(err) : err;
    if (mapped === 'exit0') return EXIT.OK;
    const { line, exitCode } = renderError(mapped, debug);
    process.stderr.write(`${line}\n`);
    return exitCode;
  }
}

function isMainModule(): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  main(process.argv).then((code) => { process.exitCode = code; });
}
