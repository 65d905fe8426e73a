// `hermes-setup ping <target>`: connect (verifying the host key), run one command, report what the host is.
import type { Command } from 'commander';
import { connectTarget } from '../transport/connect.js';
import { remoteCommandError } from '../errors.js';
import { out, colorsFor } from '../output.js';
import { addConnectionOptions, toConnectOptions, type ConnectionFlags } from '../options/connection-options.js';

const PROBE = 'printf "%s\\n" "$(uname -s)" "$(uname -m)" "$(id -un)" "$(id -u)" "$HOME"';

export interface PingResult {
  target: string;
  os: string;
  arch: string;
  user: string;
  uid: number;
  home: string;
  hostKeyRecorded: boolean;
  ms: number;
}

export function registerPing(program: Command): void {
  const cmd = program
    .command('ping')
    .description('check that a host is reachable over SSH with a trusted host key, and show what it is')
    .argument('[target]', 'user@host, user@host:port, ssh://user@host:port, [::1] or an ~/.ssh/config alias')
    .option('--json', 'print one JSON document')
    .addHelpText(
      'after',
      `
Examples:
  $ hermes-setup ping deploy@mini.lan
  $ hermes-setup ping ssh://deploy@10.0.0.5:2222 --accept-new-host-key
  $ hermes-setup ping mini            # an alias from ~/.ssh/config
  $ hermes-setup ping --local`,
    );
  addConnectionOptions(cmd).action(pingAction);
}

async function pingAction(target: string | undefined, flags: ConnectionFlags & { json?: boolean }): Promise<void> {
  const started = Date.now();
  const remote = await connectTarget(target, toConnectOptions(flags));
  try {
    const r = await remote.exec(PROBE, { timeoutMs: 15_000 });
    if (r.code !== 0)
      throw remoteCommandError(
        'E_REMOTE_EXEC',
        `running a command on ${remote.label}`,
        r,
        'check the login shell of that user',
      );
    const [os = '', arch = '', user = '', uid = '', home = ''] = r.stdout.split('\n');
    const result: PingResult = {
      target: remote.label,
      os,
      arch,
      user,
      uid: Number(uid),
      home,
      hostKeyRecorded: 'acceptedNewHostKey' in remote && remote.acceptedNewHostKey === true,
      ms: Date.now() - started,
    };
    printPing(result, flags.json === true);
  } finally {
    await remote.close();
  }
}

function printPing(r: PingResult, json: boolean): void {
  if (json) return out.json(r);
  const c = colorsFor(process.stdout);
  if (r.hostKeyRecorded) out.line(`${c.yellow('!')} recorded the new host key for ${r.target} in known_hosts`);
  out.line(
    `${c.green('✔')} ${r.target}: ${r.os} ${r.arch}, user ${r.user} (uid ${r.uid}), home ${r.home} ${c.dim(`(${r.ms} ms)`)}`,
  );
}
