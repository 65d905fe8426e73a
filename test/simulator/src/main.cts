/** Entry point of the simulated `hermes` command. */
import os from 'node:os';
import path from 'node:path';
import { UsageError, formatHelp, parseFlags } from './args.cjs';
import { TOP_COMMANDS, TOP_USAGE, getServerDescription, getServerFlags } from './cli-spec.cjs';
import { type SimContext, createContext, loadHermesEnv } from './context.cjs';
import { listDashboards, printSessionToken, stopDashboards } from './dashboard-control.cjs';
import { isServeEra } from './generations.cjs';
import { runServer } from './run-server.cjs';
import { StartupExit } from './server-config.cjs';
import { runUpdate } from './update-command.cjs';
import { renderVersion } from './version-command.cjs';

const TOP_HELP = `${TOP_USAGE}\n\nHermes Agent — an AI agent with tool calling, messaging gateways and a web dashboard.\n\noptions:\n  -h, --help            show this help message and exit\n  --version, -V         show version information and exit\n  --profile PROFILE, -p PROFILE\n                        use a named profile (~/.hermes/profiles/<name>)\n`;

interface TopLevel { command: string | undefined; rest: string[]; showVersion: boolean; help: boolean }

function parseTopLevel(argv: string[]): TopLevel {
  let i = 0;
  const out: TopLevel = { command: undefined, rest: [], showVersion: false, help: false };
  for (; i < argv.length; i += 1) {
    const tok = argv[i] ?? '';
    if (tok === '--version' || tok === '-V') { out.showVersion = true; continue; }
    if (tok === '-h' || tok === '--help') { out.help = true; continue; }
    if (tok === '--profile' || tok === '-p') {
      const name = argv[i + 1];
      if (name === undefined) throw new UsageError(TOP_USAGE, 'hermes', 'argument --profile/-p: expected one argument');
      if (name !== 'default') process.env['HERMES_HOME'] = path.join(os.homedir(), '.hermes', 'profiles', name);
      i += 1;
      continue;
    }
    if (tok.startsWith('-')) throw new UsageError(TOP_USAGE, 'hermes', `unrecognized arguments: ${tok}`);
    break;
  }
  out.command = argv[i];
  out.rest = argv.slice(i + 1);
  return out;
}

async function runServerCommand(ctx: SimContext, command: 'dashboard' | 'serve', argv: string[]): Promise<number> {
  const gen = ctx.state.generation;
  const prog = `hermes ${command}`;
  const flags = getServerFlags(gen, command);
  const { args, help, extras, given } = parseFlags(argv, flags, prog);
  if (help) { process.stdout.write(formatHelp(prog, flags, getServerDescription(command))); return 0; }
  if (extras.length > 0) throw new UsageError(TOP_USAGE, 'hermes', `unrecognized arguments: ${extras.join(' ')}`);
  if (args['stop'] === true) return stopDashboards(ctx);
  if (args['status'] === true) return listDashboards(ctx);
  if (isServeEra(gen) && command === 'serve' && args['print_session_token'] === true) return printSessionToken(args);
  return runServer(ctx, command, args, given);
}

async function dispatch(argv: string[]): Promise<number> {
  const top = parseTopLevel(argv);
  const ctx = createContext();
  loadHermesEnv(ctx.hermesHome, ctx.installDir, process.env);
  if (top.showVersion || top.command === 'version') { process.stdout.write(renderVersion(ctx)); return 0; }
  if (top.help || top.command === undefined) {
    process.stdout.write(TOP_HELP);
    return top.help ? 0 : 1;
  }
  if (top.command === 'dashboard' || top.command === 'serve') return runServerCommand(ctx, top.command, top.rest);
  if (top.command === 'update') return runUpdate(ctx, top.rest);
  if (TOP_COMMANDS.includes(top.command)) {
    process.stderr.write(`hermes ${top.command}: not available in the Hermes simulator\n`);
    return 1;
  }
  const choices = TOP_COMMANDS.map((c) => `'${c}'`).join(', ');
  throw new UsageError(TOP_USAGE, 'hermes', `argument command: invalid choice: '${top.command}' (choose from ${choices})`);
}

function reportFailure(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.usage}\n${err.prog}: error: ${err.message}\n`);
    return 2;
  }
  if (err instanceof StartupExit) {
    (err.code === 0 ? process.stdout : process.stderr).write(err.message + '\n');
    return err.code;
  }
  process.stderr.write(`Traceback (most recent call last):\n  ${String((err as Error).stack ?? err)}\n`);
  return 1;
}

dispatch(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (err: unknown) => { process.exitCode = reportFailure(err); },
);
