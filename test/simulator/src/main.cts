/** Entry point of the simulated `hermes` command. */
import os from 'node:os';
import path from 'node:path';
import { UsageError, formatHelp, parseFlags } from './args.cjs';
import { getProductNames } from './builds.cjs';
import { getServerDescription, getServerFlags, getTopCommands, getTopUsage } from './cli-spec.cjs';
import { ConfigUnreadable } from './config-yaml.cjs';
import { type SimContext, createContext, loadHermesEnv } from './context.cjs';
import { listDashboards, printSessionToken, stopDashboards } from './dashboard-control.cjs';
import { isServeEra } from './generations.cjs';
import { runPlugins } from './plugins-command.cjs';
import { runServer } from './run-server.cjs';
import { StartupExit } from './server-config.cjs';
import { runUpdate } from './update-command.cjs';
import { renderVersion } from './version-command.cjs';

function renderTopHelp(ctx: SimContext): string {
  const n = getProductNames(ctx.build);
  return `${getTopUsage(ctx.build)}\n\n${n.title} — an AI agent with tool calling, messaging gateways and a web dashboard.\n\noptions:\n  -h, --help            show this help message and exit\n  --version, -V         show version information and exit\n  --profile PROFILE, -p PROFILE\n                        use a named profile (~/${n.homeDirName}/profiles/<name>)\n`;
}

interface TopLevel {
  command: string | undefined;
  rest: string[];
  showVersion: boolean;
  help: boolean;
}

function parseTopLevel(ctx: SimContext, argv: string[]): TopLevel {
  const usage = getTopUsage(ctx.build);
  const prog = getProductNames(ctx.build).cli;
  let i = 0;
  const out: TopLevel = { command: undefined, rest: [], showVersion: false, help: false };
  for (; i < argv.length; i += 1) {
    const tok = argv[i] ?? '';
    if (tok === '--version' || tok === '-V') {
      out.showVersion = true;
      continue;
    }
    if (tok === '-h' || tok === '--help') {
      out.help = true;
      continue;
    }
    if (tok === '--profile' || tok === '-p') {
      const name = argv[i + 1];
      if (name === undefined) throw new UsageError(usage, prog, 'argument --profile/-p: expected one argument');
      if (name !== 'default') {
        const n = getProductNames(ctx.build);
        ctx.hermesHome = path.join(os.homedir(), n.homeDirName, 'profiles', name);
        process.env[`${n.envPrefix}_HOME`] = ctx.hermesHome;
      }
      i += 1;
      continue;
    }
    if (tok.startsWith('-')) throw new UsageError(usage, prog, `unrecognized arguments: ${tok}`);
    break;
  }
  out.command = argv[i];
  out.rest = argv.slice(i + 1);
  return out;
}

async function runServerCommand(ctx: SimContext, command: 'dashboard' | 'serve', argv: string[]): Promise<number> {
  const gen = ctx.build.generation;
  const cli = getProductNames(ctx.build).cli;
  const prog = `${cli} ${command}`;
  const flags = getServerFlags(ctx.build, command);
  const { args, help, extras, given } = parseFlags(argv, flags, prog);
  if (help) {
    process.stdout.write(formatHelp(prog, flags, getServerDescription(command)));
    return 0;
  }
  if (extras.length > 0)
    throw new UsageError(getTopUsage(ctx.build), cli, `unrecognized arguments: ${extras.join(' ')}`);
  if (args['stop'] === true) return stopDashboards(ctx);
  if (args['status'] === true) return listDashboards(ctx);
  if (isServeEra(gen) && command === 'serve' && args['print_session_token'] === true) return printSessionToken(args);
  return runServer(ctx, command, args, given);
}

async function dispatch(argv: string[]): Promise<number> {
  const ctx = createContext();
  const top = parseTopLevel(ctx, argv);
  loadHermesEnv(ctx.hermesHome, ctx.installDir, process.env);
  const commands = getTopCommands(ctx.build);
  const cli = getProductNames(ctx.build).cli;
  if (top.showVersion || top.command === 'version') {
    process.stdout.write(renderVersion(ctx));
    return 0;
  }
  if (top.help || top.command === undefined) {
    process.stdout.write(renderTopHelp(ctx));
    return top.help ? 0 : 1;
  }
  if (!commands.includes(top.command)) {
    const choices = commands.map((c) => `'${c}'`).join(', ');
    throw new UsageError(
      getTopUsage(ctx.build),
      cli,
      `argument command: invalid choice: '${top.command}' (choose from ${choices})`,
    );
  }
  if (top.command === 'dashboard' || top.command === 'serve') return runServerCommand(ctx, top.command, top.rest);
  if (top.command === 'update') return runUpdate(ctx, top.rest);
  if (top.command === 'plugins') return runPlugins(ctx, top.rest);
  process.stderr.write(`${cli} ${top.command}: not available in the Hermes simulator\n`);
  return 1;
}

function reportFailure(err: unknown): number {
  if (err instanceof UsageError) {
    process.stderr.write(`${err.usage}\n${err.prog}: error: ${err.message}\n`);
    return 2;
  }
  if (err instanceof ConfigUnreadable) {
    process.stderr.write(err.message + '\n');
    return 1;
  }
  if (err instanceof StartupExit) {
    (err.code === 0 ? process.stdout : process.stderr).write(err.message + '\n');
    return err.code;
  }
  process.stderr.write(`Traceback (most recent call last):\n  ${String((err as Error).stack ?? err)}\n`);
  return 1;
}

dispatch(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.exitCode = reportFailure(err);
  },
);
