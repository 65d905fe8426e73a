// What `check` and `doctor` decide from: the facts (the converge's reader), the state file, the service as its
// adapter sees it, and the converge's own probe. Plus pure helpers on the service file.
import type { Facts } from '../facts/parse-facts.js';
import type { WsProbeResult } from '../probe/ws-probe.js';
import type { ServiceView } from '../service/service-types.js';
import type { ConvergeState } from '../state.js';
import type { ServiceEvidence } from './read-deep.js';

export interface HealthInput {
  /** The target as the user typed it (or "--local"), for fix commands. */
  target: string;
  facts: Facts;
  state?: ConvergeState;
  port: number;
  /** The service where it is installed (undefined: no supported service manager). */
  service?: ServiceView;
  /** The command that restarts the service on this host, and where its logs are. */
  restartCommand: string;
  logHint: string;
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
  /** Why a service is down: its Restart=, journal or error log, and `hermes update`'s log. */
  evidence?: ServiceEvidence;
}

/** "systemd-user hermes-dashboard.service", "launchd gui/501/ai.hermes.dashboard", for check lines. */
export function serviceName(v: ServiceView): string {
  const l = v.location;
  return l.kind.startsWith('launchd') ? `launchd ${l.scope}/ai.hermes.dashboard` : `${l.kind} hermes-dashboard.service`;
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
