#!/usr/bin/env node
// The only place where errors become exit codes. Everything else throws HermesSetupError.
import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { EXIT, type HermesSetupError, isHermesSetupError, usageError, type ExitCode } from './errors.js';
import { INTERRUPTED_LINE, runInterruptCleanups } from './interrupt.js';
import { colorsFor, guardStreams, terminalWidth, wrapLine, write } from './output.js';
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
import { registerCompletion } from './commands/completion.js';

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
  130  interrupted (Ctrl-C): the lock is released; rerun to finish

Environment:
  NO_COLOR   disable colour (colour is only used on a terminal anyway)
  SSH_AUTH_SOCK   ssh-agent socket, tried before key files`;

export function buildProgram(): Command {
  const program = new Command('hermes-setup')
    .description(
      'Provision the Hermes Agent dashboard on an always-on box over SSH: pinned token, a service that survives reboots, reachable over Tailscale, proven by a WebSocket handshake.',
    )
    .version(readVersion(), '-V, --version', 'print the version (also -v)')
    .option('--debug', 'show stack traces and internal details on errors')
    .showSuggestionAfterError(true)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => write(process.stdout, s),
      writeErr: () => undefined,
      outputError: () => undefined,
    })
    .addHelpText(
      'after',
      `
Examples:
  $ hermes-setup remote deploy@mini.lan --accept-new-host-key
  $ hermes-setup remote mini --dry-run
  $ hermes-setup check mini --repair
  $ hermes-setup doctor mini
  $ hermes-setup cron install mini --every 5
  $ hermes-setup ping deploy@mini.lan --accept-new-host-key
  $ hermes-setup ping --local
  $ source <(hermes-setup completion bash)
${EXIT_CODES_HELP}`,
    );
  registerCommands(program);
  configureSubcommands(program);
  return program;
}

function registerCommands(program: Command): void {
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
  registerCompletion(program);
}

/** Every command and subcommand reports its errors through fromCommander, like the program itself. */
function configureSubcommands(program: Command): void {
  for (const sub of program.commands.flatMap((c) => [c, ...c.commands]))
    sub
      .exitOverride()
      .configureOutput({
        writeOut: (s) => write(process.stdout, s),
        writeErr: () => undefined,
        outputError: () => undefined,
      })
      .showSuggestionAfterError(true);
}

/** Commander's own errors (unknown command/flag, missing argument) become one-line usage errors. */
function fromCommander(err: CommanderError): HermesSetupError | 'exit0' {
  if (
    err.exitCode === 0 ||
    err.code === 'commander.helpDisplayed' ||
    err.code === 'commander.version' ||
    err.code === 'commander.help'
  )
    return 'exit0';
  const text = err.message
    .replace(/^error:\s*/i, '')
    .replace(/\n\(Did you mean (.+)\?\)/, ' (did you mean $1?)')
    .replace(/\s+/g, ' ')
    .trim();
  const code =
    err.code === 'commander.unknownCommand'
      ? 'E_UNKNOWN_COMMAND'
      : err.code === 'commander.unknownOption'
        ? 'E_UNKNOWN_FLAG'
        : 'E_USAGE';
  return usageError(code, text, 'run hermes-setup --help (or hermes-setup <command> --help) for usage');
}

export function renderError(
  err: unknown,
  debug: boolean,
  stream: NodeJS.WriteStream = process.stderr,
): { line: string; exitCode: ExitCode } {
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

/** `help <command>` for a command that does not exist is the unknown-command error (commander prints nothing). */
function checkHelpTopic(program: Command, args: string[]): void {
  if (args[0] !== 'help' || args[1] === undefined || args[1].startsWith('-')) return;
  const known = program.commands.flatMap((c) => [c.name(), ...c.aliases()]);
  if (known.includes(args[1])) return;
  const near = known.find((k) => k.startsWith(args[1]!.slice(0, 2)));
  throw usageError(
    'E_UNKNOWN_COMMAND',
    `unknown command '${args[1]}'${near ? ` (did you mean ${near}?)` : ''}`,
    'run hermes-setup --help for the list of commands',
  );
}

let signalsInstalled = false;

/** Ctrl-C: the cleanups of what runs (lock release, last frame of the task tree), the cursor back, one line, exit 130. */
function installSignalHandlers(): void {
  if (signalsInstalled) return;
  signalsInstalled = true;
  let interrupted = false;
  const onSignal = (code: number) => () => {
    if (interrupted) process.exit(code);
    interrupted = true;
    void runInterruptCleanups(5000).finally(() => {
      if (process.stdout.isTTY) write(process.stdout, '\x1b[?25h');
      write(process.stderr, `${INTERRUPTED_LINE}\n`);
      process.exit(code);
    });
  };
  process.on('SIGINT', onSignal(130));
  process.on('SIGTERM', onSignal(143));
}

export async function main(argv: string[]): Promise<ExitCode> {
  const debug = argv.includes('--debug');
  guardStreams();
  installSignalHandlers();
  const program = buildProgram();
  const args = argv.slice(2).map((a, n) => (n === 0 && a === '-v' ? '--version' : a));
  try {
    if (args.length === 0) {
      write(process.stderr, program.helpInformation());
      return EXIT.USAGE;
    }
    checkHelpTopic(program, args);
    await program.parseAsync([...argv.slice(0, 2), ...args]);
    return EXIT.OK;
  } catch (err) {
    const mapped = err instanceof CommanderError ? fromCommander(err) : err;
    if (mapped === 'exit0') return EXIT.OK;
    const { line, exitCode } = renderError(mapped, debug);
    const shown = debug ? line : wrapLine(line, terminalWidth(process.stderr), 2).join('\n');
    write(process.stderr, `${shown}\n`);
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
  void main(process.argv).then((code) => {
    process.exitCode = code;
  });
}
