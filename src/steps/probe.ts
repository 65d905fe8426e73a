// Check: the desktop app's handshake. WebSocket upgrade with Origin file:// and the mode's credential (token, or a
// ticket from the basic-auth sign-in), through the SSH channel; pass = 101 + valid Accept + gateway.ready.
// Also from this machine to the printed tailnet URL where it is reachable.
import { isTunnel } from '../hermes/access-mode.js';
import type { ConvergeInputs, ProbeRecord } from '../converge/inputs.js';
import { stepError } from '../errors.js';
import { dialTcp, type Dial } from '../probe/dial.js';
import { probeAddress, probeDashboard, probeDashboardUntil, type DashboardProbe } from '../probe/probe-dashboard.js';
import { classifyProbe } from '../probe/classify-probe.js';
import type { LoginSession } from '../probe/password-login.js';
import type { WsProbeResult } from '../probe/ws-probe.js';
import type { Check } from './step.js';

export interface ProbeReport {
  via: string;
  result: WsProbeResult;
}
export interface ProbeRun {
  reports: ProbeReport[];
  warnings: string[];
}

/** `session`: the run's one basic-auth sign-in, shared by every probe (docs/hermes-contract.md#c6: 10 per minute per IP). */
function probeFor(i: ConvergeInputs, dial: Dial, bind: string, session: LoginSession): DashboardProbe {
  const d = i.decision;
  if (!d) throw new Error('internal: the probe runs after the mode is decided');
  const pw = i.secrets?.password;
  return {
    dial,
    bind,
    port: i.opts.port,
    mode: d.mode,
    timeoutMs: 8000,
    ...(i.secrets ? { token: i.secrets.token } : {}),
    ...(pw ? { login: { username: pw.username, session, ...(pw.password ? { password: pw.password } : {}) } } : {}),
  };
}

async function probeDirect(
  i: ConvergeInputs,
  ip: string,
  session: LoginSession,
): Promise<{ report?: ProbeReport; warning?: string }> {
  const direct = await probeDashboard(probeFor(i, dialTcp(3000), ip, session));
  if ('skipped' in direct) return {};
  const report = { via: `this machine → ${ip}:${i.opts.port}`, result: direct };
  return {
    report,
    ...(direct.ok
      ? {}
      : {
          warning: `the tailnet URL did not answer from this machine (${direct.kind}${direct.status ? ` ${direct.status}` : ''}); is this machine on the tailnet?`,
        }),
  };
}

function records(reports: ProbeReport[]): ProbeRecord[] {
  return reports.map((p) => ({
    via: p.via,
    ok: p.result.ok,
    ms: p.result.ms,
    ...(p.result.ok
      ? { status: 101 }
      : { kind: p.result.kind, ...(p.result.status ? { status: p.result.status } : {}) }),
  }));
}

export const probeCheck: Check<ProbeRun> = {
  kind: 'check',
  id: 'probe',
  title: 'Probe the WebSocket like the desktop app',
  skip: (i) => (i.opts.dryRun ? 'dry run: nothing was started' : undefined),
  async run({ remote }, i) {
    const d = i.decision!;
    const session: LoginSession = { logins: 0 };
    const r = await probeDashboardUntil(
      probeFor(i, (h, p) => remote.dial(h, p), d.bind, session),
      i.service.restarted || i.service.restartedBy ? 20_000 : 3_000,
    );
    if ('skipped' in r) return { reports: [], warnings: [`probe: ${r.skipped}`] };
    const { hostHeader } = probeAddress(d.bind, i.opts.port);
    if (!r.ok) {
      const why = classifyProbe(r, { generation: i.build!.generation, mode: d.mode, bind: d.bind, port: i.opts.port });
      throw stepError(
        'E_PROBE_FAILED',
        `WebSocket probe on ${hostHeader} via SSH: ${r.status ?? r.kind} — ${why.cause}`,
        why.hint,
      );
    }
    const reports: ProbeReport[] = [{ via: `ssh → ${hostHeader}`, result: r }];
    const ts = i.facts.tailscale;
    if (isTunnel(d.mode) || !ts.ipv4 || ts.backendState !== 'Running') return { reports, warnings: [] };
    const direct = await probeDirect(i, ts.ipv4, session);
    return {
      reports: [...reports, ...(direct.report ? [direct.report] : [])],
      warnings: direct.warning ? [direct.warning] : [],
    };
  },
  implies: (r) => ({ probes: records(r.reports), warnings: r.warnings }),
  detail: (r) =>
    r.reports.length === 0
      ? 'skipped sign-in (password unknown here)'
      : r.reports
          .map(
            (p) =>
              `${p.via}: ${p.result.ok ? `101 + gateway.ready in ${p.result.ms} ms` : `failed (${p.result.kind})`}`,
          )
          .join('; '),
};
