// Turns the facts script's output into typed facts. Pure.
import { checkedPort, parsePortScriptOutput, type Listener } from '../probe/port.js';
import { parseTailscaleOutput, type TailscaleFacts } from '../probe/tailscale.js';
import { parseFactBytes, parseFactLines } from './facts-script.js';
import { parseFileVault, pickNode, type NodeFacts } from './host-tools-facts.js';
import { launchdFacts, parseSystemdShow, type LaunchdFacts, type SystemdUnitState } from './service-facts.js';
import { parseMarkerProbe, type UpdateMarker } from './update-marker.js';

export interface FileFact {
  type: 'missing' | 'file' | 'dir' | 'symlink';
  mode?: number;
  uid?: number;
  size?: number;
  mtime?: number;
  /** Present for regular readable files up to 1 MiB. */
  content?: Buffer;
  target?: string;
}

export interface HermesFacts {
  path: string;
  via: string;
  /** Fingerprint of the install (listing of the shim, install dir, git refs, site-packages). */
  key: string;
  /** True when the key matches the state file: version and help were not re-run. */
  cached: boolean;
  versionOut: string;
  dashboardHelp: string;
  serveHelp: string;
}

export interface Facts {
  os: string;
  arch: string;
  user: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
  hostname: string;
  bootId: string;
  hermes?: HermesFacts;
  /** npm the service can run (its node found too); none means the dashboard gets --skip-build. */
  npm?: string;
  /** Where node/npm are, for the service's PATH (src/facts/host-tools-facts.ts). */
  node?: NodeFacts;
  /** macOS: `fdesetup status` (undefined: not a Mac, or unknown). */
  fileVault?: boolean;
  env: FileFact;
  hermesDir: FileFact;
  state: FileFact;
  unitUser: FileFact;
  unitSystem: FileFact;
  plistAgent: FileFact;
  plistDaemon: FileFact;
  /** ~/.hermes/config.yaml (content also when it is a symlink to a file). */
  configYaml: FileFact;
  /** A live update marker: `hermes update` is running (docs/hermes-contract.md#c11). A stale one does not count. */
  updateMarker: boolean;
  /** The marker file as read, live or stale (absent: no marker). */
  updateMarkerFile?: UpdateMarker;
  desktopApp: boolean;
  /** Temp files left by an interrupted run (.hermes-setup.XXXXXX). */
  tempFiles: string[];
  writable: boolean;
  writableDir: string;
  freeKb?: number;
  /** Addresses assigned to the host's interfaces. */
  ifAddrs: string[];
  /** `tailscale funnel status --json` output, if any. */
  funnel: string;
  init: string;
  xdgRuntimeDir: string;
  userBus: boolean;
  linger: boolean;
  systemdUser?: SystemdUnitState;
  systemdSystem?: SystemdUnitState;
  launchd?: LaunchdFacts;
  tailscale: TailscaleFacts;
  listeners: Listener[];
  /** The port whose listeners these are, when the script took it from the state file (`check` without --port). */
  portChecked?: number;
  complete: boolean;
}

function fileFact(m: Map<string, string>, raw: string, name: string): FileFact {
  const type = (m.get(`${name}.type`) ?? 'missing') as FileFact['type'];
  const f: FileFact = { type };
  const [mode, uid, size, mtime] = (m.get(`${name}.stat`) ?? '').split(' ');
  if (mode) Object.assign(f, { mode: parseInt(mode, 8), uid: Number(uid), size: Number(size), mtime: Number(mtime) });
  const content = parseFactBytes(raw, `${name}.content`);
  if (content) f.content = content;
  const target = m.get(`${name}.target`);
  if (target !== undefined) f.target = target;
  return f;
}

function hermesFacts(m: Map<string, string>): HermesFacts | undefined {
  const path = m.get('hermes.path');
  if (!path) return undefined;
  return {
    path,
    via: m.get('hermes.via') ?? '',
    key: m.get('hermes.key') ?? '',
    cached: m.get('hermes.cached') === 'yes',
    versionOut: m.get('hermes.version') ?? '',
    dashboardHelp: m.get('hermes.dashboard_help') ?? '',
    serveHelp: m.get('hermes.serve_help') ?? '',
  };
}

function hostTools(m: Map<string, string>): Pick<Facts, 'npm' | 'node' | 'fileVault'> {
  const node = pickNode(m);
  const fv = parseFileVault(m.get('filevault'));
  return {
    ...(node.npm ? { npm: node.npm } : {}),
    ...(node.node ? { node } : {}),
    ...(fv !== undefined ? { fileVault: fv } : {}),
  };
}

function markerFacts(m: Map<string, string>): Pick<Facts, 'updateMarker' | 'updateMarkerFile'> {
  const marker = parseMarkerProbe(m.get('update_marker.probe') ?? '');
  return { updateMarker: marker?.state === 'live', ...(marker ? { updateMarkerFile: marker } : {}) };
}

/** The full command line of each listener's process (lsof and ss only give the short command name). */
function withCmdlines(listeners: Listener[], m: Map<string, string>): Listener[] {
  return listeners.map((l) => {
    const full = l.pid !== undefined ? m.get(`cmdline.${l.pid}`)?.trim() : undefined;
    return full ? { ...l, command: full } : l;
  });
}

/** The system and the account the facts script ran as. */
function identity(
  m: Map<string, string>,
): Pick<Facts, 'os' | 'arch' | 'user' | 'uid' | 'gid' | 'home' | 'shell' | 'hostname' | 'bootId'> {
  return {
    os: m.get('os') ?? '',
    arch: m.get('arch') ?? '',
    user: m.get('user') ?? '',
    uid: Number(m.get('uid') ?? -1),
    gid: Number(m.get('gid') ?? -1),
    home: m.get('home') ?? '',
    shell: m.get('shell') ?? '',
    hostname: m.get('hostname') ?? '',
    bootId: (m.get('boot_id') ?? '').trim(),
  };
}

function serviceStates(m: Map<string, string>): Pick<Facts, 'systemdUser' | 'systemdSystem' | 'launchd'> {
  return {
    ...(parseSystemdShow(m.get('systemd.user')) ? { systemdUser: parseSystemdShow(m.get('systemd.user')) } : {}),
    ...(parseSystemdShow(m.get('systemd.system')) ? { systemdSystem: parseSystemdShow(m.get('systemd.system')) } : {}),
    ...(launchdFacts(m) ? { launchd: launchdFacts(m) } : {}),
  };
}

/** The listeners on the port, and the port itself when the script took it from the state file. */
function portFacts(m: Map<string, string>, port: number): Pick<Facts, 'listeners' | 'portChecked'> {
  return {
    listeners: withCmdlines(parsePortScriptOutput(m.get('port') ?? '', port), m),
    ...(checkedPort(m.get('port') ?? '') !== undefined ? { portChecked: checkedPort(m.get('port') ?? '') } : {}),
  };
}

export function parseFacts(raw: string, port: number): Facts {
  const m = parseFactLines(raw);
  const f = (n: string) => fileFact(m, raw, n);
  return {
    ...identity(m),
    ...(hermesFacts(m) ? { hermes: hermesFacts(m) } : {}),
    ...hostTools(m),
    env: f('env'),
    hermesDir: f('hermes_dir'),
    state: f('state'),
    unitUser: f('unit_user'),
    unitSystem: f('unit_system'),
    plistAgent: f('plist_agent'),
    plistDaemon: f('plist_daemon'),
    configYaml: f('config_yaml'),
    ...markerFacts(m),
    desktopApp: m.get('desktop_app') === 'yes',
    tempFiles: (m.get('tempfiles') ?? '').split('\n').filter(Boolean),
    writable: m.get('writable') !== 'no',
    writableDir: m.get('writable_dir') ?? '',
    ...(/^\d+$/.test(m.get('free_kb') ?? '') ? { freeKb: Number(m.get('free_kb')) } : {}),
    ifAddrs: (m.get('ifaddrs') ?? '')
      .split('\n')
      .map((a) => a.trim())
      .filter(Boolean),
    funnel: m.get('funnel') ?? '',
    init: m.get('init') ?? 'none',
    xdgRuntimeDir: m.get('xdg_runtime_dir') ?? '',
    userBus: m.get('user_bus') === 'yes',
    linger: m.get('linger') === 'yes',
    ...serviceStates(m),
    tailscale: parseTailscaleOutput(m.get('tailscale') ?? ''),
    ...portFacts(m, port),
    complete: m.get('done') === 'yes',
  };
}
