// What `check` and `doctor` decide from: the facts (one round trip), the state file, the WebSocket probe(s).
// Pure helpers that read the service's state the same way for systemd and launchd.
import type { Facts } from '../facts/parse-facts.js';
import { isWildcard } from '../probe/address.js';
import type { WsProbeResult } from '../probe/ws-probe.js';
import { LAUNCHD_LABEL } from '../render/launchd-plist.js';
import type { ConvergeState } from '../state.js';

export interface HealthInput {
  /** The target as the user typed it (or "--local"), for fix commands. */
  target: string;
  facts: Facts;
  state?: ConvergeState;
  port: number;
  /** The token pinned in ~/.hermes/.env, if any. */
  envToken?: string;
  /** The probe with the mode's credential (.env token, or a ws-ticket in password mode). */
  probe?: WsProbeResult;
  /** Why no probe ran (e.g. password unknown on this machine). */
  probeSkipped?: string;
  /** Seconds the service's main process has been running (only read when needed). */
  serviceAgeSec?: number;
  nowSec: number;
  /** Doctor only: deeper probes and files. */
  deep?: DeepFacts;
}

export interface DeepFacts {
  /** Same credential, no Origin header (tells the Origin guard apart from the token). */
  noOrigin?: WsProbeResult;
  /** Probe with the MagicDNS name as Host (the Host guard). */
  dnsHost?: { host: string; result: WsProbeResult };
  /** `tailscale serve status --json` (raw). */
  serveJson?: string;
  /** HERMES_DASHBOARD_PUBLIC_URL / dashboard.public_url lines. */
  publicUrl?: string;
  /** Interface addresses of the host (`ip -o addr` / ifconfig), one per line. */
  addresses: string[];
}

export interface ServiceView {
  kind: 'systemd-user' | 'systemd-system' | 'launchd' | 'none';
  /** systemd: the unit is known to the manager; launchd: the job is loaded. */
  loaded: boolean;
  enabled: boolean;
  active: boolean;
  pid?: number;
  restarts?: number;
  lastExit?: number;
  /** systemd SubState / launchd state, for details. */
  sub: string;
  /** launchd domain (gui/<uid> or user/<uid>). */
  domain?: string;
  /** Service file (unit or plist) as written on the host. */
  file?: string;
}

function systemdView(f: Facts): ServiceView {
  const system = f.uid === 0;
  const u = system ? f.systemdSystem : f.systemdUser;
  const file = (system ? f.unitSystem : f.unitUser).content?.toString('utf8');
  return {
    kind: system ? 'systemd-system' : 'systemd-user', loaded: u?.loadState === 'loaded', enabled: u?.unitFileState === 'enabled',
    active: u?.activeState === 'active', ...(u?.mainPid ? { pid: u.mainPid } : {}), restarts: u?.nRestarts ?? 0,
    ...(u ? { lastExit: u.execMainStatus } : {}), sub: u ? `${u.activeState}/${u.subState}` : (f.userBus || system ? 'unknown' : 'no user bus'),
    ...(file !== undefined ? { file } : {}),
  };
}

function launchdView(f: Facts): ServiceView {
  const l = f.launchd;
  const useGui = l?.gui.loaded === true || (l?.user.loaded !== true && l?.guiAvailable === true);
  const job = useGui ? l?.gui : l?.user;
  const domain = `${useGui ? 'gui' : 'user'}/${f.uid}`;
  const disabled = (domain.startsWith('gui') ? l?.disabledGui : l?.disabledUser) ?? [];
  const file = f.plistAgent.content?.toString('utf8') ?? f.plistDaemon.content?.toString('utf8');
  return {
    kind: 'launchd', loaded: job?.loaded === true, enabled: !disabled.includes(LAUNCHD_LABEL),
    active: job?.state === 'running' && (job.pid ?? 0) > 0, ...(job?.pid ? { pid: job.pid } : {}),
    ...(job?.runs !== undefined ? { restarts: Math.max(0, job.runs - 1) } : {}), ...(job?.lastExitCode !== undefined ? { lastExit: job.lastExitCode } : {}),
    sub: job?.loaded ? job.state ?? 'loaded' : 'not loaded', domain, ...(file !== undefined ? { file } : {}),
  };
}

export function readServiceView(f: Facts): ServiceView {
  if (f.os === 'Darwin') return launchdView(f);
  if (f.os === 'Linux' && f.init === 'systemd') return systemdView(f);
  return { kind: 'none', loaded: false, enabled: false, active: false, sub: `${f.os} without systemd` };
}

/** Where the dashboard is dialled from the host for a recorded bind. */
export function probeHostFor(bind: string): string {
  return isWildcard(bind) ? '127.0.0.1' : bind;
}

/** The command that restarts the service on this host. */
export function restartCommand(v: ServiceView): string {
  if (v.kind === 'launchd') return `launchctl kickstart -k ${v.domain ?? 'gui/$(id -u)'}/${LAUNCHD_LABEL}`;
  if (v.kind === 'systemd-system') return 'sudo systemctl restart hermes-dashboard.service';
  return 'systemctl --user restart hermes-dashboard.service';
}

/** argv[0] of the service's ExecStart / ProgramArguments, from the file we wrote. */
export function serviceProgram(file: string | undefined): string | undefined {
  if (!file) return undefined;
  const exec = /^ExecStart=(\S+)/m.exec(file)?.[1];
  if (exec) return exec.replace(/^"|"$/g, '');
  return /<key>ProgramArguments<\/key>\s*<array>\s*<string>([^<]+)<\/string>/.exec(file)?.[1];
}

/** The whole ExecStart line / ProgramArguments strings joined, for flag checks. */
export function serviceArgs(file: string | undefined): string {
  if (!file) return '';
  const exec = /^ExecStart=(.*)$/m.exec(file)?.[1];
  if (exec) return exec;
  const arr = /<key>ProgramArguments<\/key>\s*<array>([\s\S]*?)<\/array>/.exec(file)?.[1] ?? '';
  return [...arr.matchAll(/<string>([^<]*)<\/string>/g)].map((m) => m[1]).join(' ');
}
