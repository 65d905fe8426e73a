// `hermes-setup cron install|remove [target|--local]`: schedule `check --repair` on this machine (the server
// itself with --local) every N minutes — a marked crontab line, or --timer (systemd user timer / launchd).
import { Option, type Command } from 'commander';
import { toScheduleSpec, type CronFlags } from '../cron/schedule-spec.js';
import { out } from '../output.js';
import { parsePortValue } from '../options/values.js';

export function registerCron(program: Command): void {
  const cron = program
    .command('cron')
    .description('schedule `check --repair` every N minutes on this machine (crontab, or --timer)')
    .addHelpText(
      'after',
      `
Examples:
  $ hermes-setup cron install deploy@mini.lan --every 10
  $ hermes-setup cron install --local --timer
  $ hermes-setup cron remove deploy@mini.lan`,
    );
  for (const verb of ['install', 'remove'] as const) addCronVerb(cron, verb);
}

/** `cron install` or `cron remove`. */
function addCronVerb(cron: Command, verb: 'install' | 'remove'): void {
  const cmd = cron
    .command(verb)
    .description(
      verb === 'install' ? 'install (or replace) the one marked entry for a target' : 'remove the entry for a target',
    )
    .argument('[target]', 'user@host or an ~/.ssh/config alias (the check runs from this machine)');
  addCronOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ hermes-setup cron ${verb} deploy@mini.lan${verb === 'install' ? ' --every 10' : ''}
  $ hermes-setup cron ${verb} --local${verb === 'install' ? ' --timer' : ''}`,
  );
  cmd.action(async (target: string | undefined, f: CronFlags) => {
    const spec = toScheduleSpec(target, f);
    const { applySchedule } = await import('../cron/apply-schedule.js');
    const r = await applySchedule(spec, { install: verb === 'install', timer: f.timer === true });
    if (f.json) out.json({ action: verb, ...r, log: spec.log });
    else
      out.line(
        `${r.kind} ${verb}: ${r.changed ? (verb === 'install' ? 'installed' : 'removed') : 'unchanged'}${r.entry ? ` — ${r.entry}` : ''}${verb === 'install' ? `\nlog: ${spec.log}` : ''}`,
      );
  });
}

function addCronOptions(cmd: Command): Command {
  return cmd
    .option('--local', 'the dashboard runs on this machine')
    .addOption(new Option('--every <minutes>', 'minutes between checks').default('5'))
    .option('--timer', 'a systemd user timer (Linux) or a launchd StartInterval agent (macOS) instead of crontab')
    .option(
      '--log <file>',
      'log file, rotated to <file>.1 above 1 MiB (default ~/.local/state/hermes-setup/check-<target>.log)',
    )
    .option('-i, --identity <file...>', 'private key file(s) for the check to use')
    .option('--known-hosts <file>', 'known_hosts file for the check')
    .option('--ssh-config <file>', 'ssh config file for the check')
    .option('--port <port>', 'dashboard port for the check', (t: string) => String(parsePortValue('--port')(t)))
    .option('--password-file <file>', 'password mode: the basic-auth password file for the check')
    .option('--json', 'print one JSON document');
}
