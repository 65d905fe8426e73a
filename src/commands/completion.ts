// `hermes-setup completion bash|zsh|fish`: a completion script generated from this very program (commands,
// subcommands, flags, choices), so it cannot drift from the CLI.
import { Argument, type Command, type Option } from 'commander';
import { out } from '../output.js';
import {
  renderCompletion,
  SHELLS,
  type CompletionCommand,
  type CompletionFlag,
  type Shell,
} from '../render/completion.js';

const HELP: CompletionFlag = {
  short: '-h',
  long: '--help',
  value: false,
  file: false,
  description: 'display help for command',
};

function flagOf(o: Option): CompletionFlag {
  return {
    ...(o.long ? { long: o.long } : {}),
    ...(o.short ? { short: o.short } : {}),
    value: o.required || o.optional,
    ...(o.argChoices ? { choices: [...o.argChoices] } : {}),
    file: /<(file|dir)/.test(o.flags),
    description: o.description,
  };
}

/** The program as a completion model: every visible command and flag, plus help. */
export function completionModel(cmd: Command, top = true): CompletionCommand {
  const visible = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
  const commands = visible.map((c) => completionModel(c, false));
  if (top)
    commands.push({
      name: 'help',
      description: 'display help for command',
      flags: [],
      commands: [],
      argChoices: visible.map((c) => c.name()),
    });
  const choices = cmd.registeredArguments[0]?.argChoices;
  return {
    name: cmd.name(),
    description: cmd.description(),
    flags: [...cmd.options.filter((o) => !o.hidden).map(flagOf), HELP],
    commands,
    ...(choices ? { argChoices: [...choices] } : {}),
  };
}

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<shell>', 'the shell').choices(SHELLS))
    .addHelpText(
      'after',
      `
Examples:
  $ hermes-setup completion bash > ~/.local/share/bash-completion/completions/hermes-setup
  $ source <(hermes-setup completion bash)                          # bash, this shell only
  $ hermes-setup completion zsh > "\${fpath[1]}/_hermes-setup"       # zsh
  $ hermes-setup completion fish > ~/.config/fish/completions/hermes-setup.fish`,
    )
    .action((shell: Shell) => {
      out.line(renderCompletion(shell, completionModel(program)).trimEnd());
    });
}
