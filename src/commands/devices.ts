// `hermes-setup devices [target]`, `devices revoke <prefix> [target]`, `devices extend <prefix> [target] --ttl N`:
// the relay's paired devices through its /sessions API, with the bearer stored by `pair` (no SSH needed).
import type { Command } from 'commander';
import type { DeviceTarget } from '../pair/devices.js';
import { colorsFor, out } from '../output.js';

interface DevicesFlags {
  json?: boolean;
  relayUrl?: string;
  sshConfig?: string;
  ttl?: string;
}

function quiet(cmd: Command): Command {
  return cmd.exitOverride().configureOutput({ writeErr: () => undefined, outputError: () => undefined });
}

function common(cmd: Command): Command {
  return cmd
    .option('--relay-url <url>', 'which paired relay (default: the one stored for the target)')
    .option('--ssh-config <file>', 'ssh config file for aliases (default: ~/.ssh/config)')
    .option('--json', 'print one JSON document');
}

async function targetOf(target: string | undefined, flags: DevicesFlags): Promise<DeviceTarget> {
  const { deviceTarget } = await import('../pair/pair-command.js');
  return deviceTarget(target, {
    ...(flags.relayUrl ? { relayUrl: flags.relayUrl } : {}),
    ...(flags.sshConfig ? { sshConfig: flags.sshConfig } : {}),
  });
}

export function registerDevices(program: Command): void {
  const devices = common(
    program
      .command('devices')
      .description("list the devices paired with the host's relay (revoke / extend: see the subcommands)")
      .argument('[target]', 'the host you paired with (user@host or an alias); optional when only one relay is paired'),
  ).addHelpText(
    'after',
    `
Examples:
  $ hermes-setup devices deploy@mini.lan
  $ hermes-setup devices revoke 3fa9c2e1 deploy@mini.lan
  $ hermes-setup devices extend 3fa9c2e1 deploy@mini.lan --ttl 86400   # shorten this machine's session to a day`,
  );
  devices.action(listAction);
  addRevoke(devices);
  addExtend(devices);
}

async function listAction(target: string | undefined, flags: DevicesFlags): Promise<void> {
  const [{ listDevices }, { renderDeviceList }] = await Promise.all([
    import('../pair/devices.js'),
    import('../pair/pair-command.js'),
  ]);
  const r = await listDevices(await targetOf(target, flags));
  if (flags.json) return out.json(r);
  for (const line of renderDeviceList(r.sessions, r.relay, colorsFor(process.stdout))) out.line(line);
}

/** `devices revoke <prefix> [target]`. */
function addRevoke(devices: Command): void {
  quiet(
    common(
      devices
        .command('revoke')
        .description('revoke a paired device (any of them) by its token prefix')
        .argument('<prefix>', 'token prefix from `hermes-setup devices` (one starting with - goes after --)')
        .argument('[target]', 'the host you paired with'),
    ),
  ).action(async (prefix: string, target: string | undefined, _f: DevicesFlags, self: Command) => {
    const flags = self.optsWithGlobals<DevicesFlags>();
    const { revokeDevice } = await import('../pair/devices.js');
    const r = await revokeDevice(await targetOf(target, flags), prefix);
    if (flags.json) return out.json({ ok: true, ...r });
    out.line(`✔ revoked ${prefix}`);
    if (r.self) out.line("! that was this machine's own session: pair again to reconnect (hermes-setup pair <target>)");
  });
}

/** `devices extend <prefix> [target] --ttl N`. */
function addExtend(devices: Command): void {
  quiet(
    common(
      devices
        .command('extend')
        .description("change THIS machine's session lifetime — the relay only lets a device shorten its own session")
        .argument(
          '<prefix>',
          "this machine's token prefix (marked in `hermes-setup devices`; one starting with - goes after --)",
        )
        .argument('[target]', 'the host you paired with')
        .requiredOption(
          '--ttl <seconds>',
          'new lifetime from now, in seconds; must end before the current expiry (a longer one: pair again with --ttl)',
        ),
    ),
  ).action(async (prefix: string, target: string | undefined, _f: DevicesFlags, self: Command) => {
    const flags = self.optsWithGlobals<DevicesFlags>();
    const [{ extendDevice, parseTtl }, { renderExpiry }] = await Promise.all([
      import('../pair/devices.js'),
      import('../pair/pair-command.js'),
    ]);
    const ttl = parseTtl(flags.ttl);
    const r = await extendDevice(await targetOf(target, flags), prefix, ttl);
    if (flags.json) return out.json({ ok: true, ...r });
    out.line(renderExpiry(r.prefix, r.expiresAt));
  });
}
