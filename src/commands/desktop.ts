// `hermes-setup desktop <target>`: point the Hermes desktop app on this machine at the host's dashboard.
import type { Command } from 'commander';
import { colorsFor, out } from '../output.js';
import { addConnectionOptions, toConnectOptions, type ConnectionFlags } from '../options/connection-options.js';

interface DesktopFlags extends ConnectionFlags {
  profile?: string;
  storeTokenPlain?: boolean;
  url?: string;
  userDataDir?: string;
  json?: boolean;
}

export function registerDesktop(program: Command): void {
  const cmd = program
    .command('desktop')
    .description(
      "configure the Hermes desktop app on this machine (connection.json) for the host's dashboard; the app keeps starting whatever is missing",
    )
    .argument('[target]', 'user@host, user@host:port, ssh://user@host:port or an ~/.ssh/config alias');
  addDesktopOptions(cmd);
  addConnectionOptions(cmd).addHelpText(
    'after',
    `
Examples:
  $ hermes-setup desktop deploy@mini.lan
  $ hermes-setup desktop mini --profile work
  $ hermes-setup desktop mini --store-token-plain     # no paste needed; token stored in plain text
  $ hermes-setup desktop mini --user-data-dir ~/.config/HermesLight`,
  );
  cmd.action(desktopAction);
}

/** The desktop app's options (the connection options follow: connection-options.ts). */
function addDesktopOptions(cmd: Command): Command {
  return cmd
    .option('--profile <name>', 'write profiles.<name> instead of the global connection')
    .option(
      '--store-token-plain',
      'also write the token, UNENCRYPTED, into connection.json and make the connection active (the app normally keeps it in the OS keychain)',
    )
    .option('--url <url>', 'use this dashboard URL instead of the one derived from the host')
    .option(
      '--user-data-dir <dir>',
      "the app's data folder, for builds that use another one (Hermes Light: …/HermesLight, bundled: …/HermesBundled, a canary with HERMES_DATA_DIR_SUFFIX)",
    )
    .option('--json', 'print one JSON document');
}

async function desktopAction(target: string | undefined, flags: DesktopFlags): Promise<void> {
  const connect = toConnectOptions(flags);
  const [{ configureDesktop }, { connectTarget }] = await Promise.all([
    import('../desktop/configure.js'),
    import('../transport/connect.js'),
  ]);
  const remote = await connectTarget(target, connect);
  try {
    const r = await configureDesktop(remote, {
      ...(flags.profile !== undefined ? { profile: flags.profile } : {}),
      storeTokenPlain: flags.storeTokenPlain === true,
      ...(flags.url ? { url: flags.url } : {}),
      ...(target ? { sshTarget: target } : {}),
      ...(flags.userDataDir ? { userDataDir: flags.userDataDir } : {}),
    });
    if (flags.json) return out.json(r);
    const c = colorsFor(process.stdout);
    const { renderDesktopSummary } = await import('../desktop/desktop-steps.js');
    for (const w of r.warnings) out.err(`${c.yellow('!')} ${w}`);
    for (const line of renderDesktopSummary(r, c.green('✔'))) out.line(line);
  } finally {
    await remote.close();
  }
}
