// Step (verify): the desktop app's handshake. WebSocket upgrade with Origin file:// and the mode's credential
// (token, or a ticket from the basic-auth login), through the SSH channel; pass = 101 + valid Accept + gateway.ready.
// Also from this machine to the printed tailnet URL where it is reachable.
import { stepError } from '../errors.js';
import { dialTcp, type Dial } from '../probe/dial.js';
import { fetchWsTicket } from '../probe/password-login.js';
import { isWildcard } from '../probe/port.js';
import { classifyProbe, probeWebSocket, type WsProbeResult } from '../probe/ws-probe.js';
import type { Converge, Step } from './context.js';

export interface ProbeReport { via: string; result: WsProbeResult }

function target(c: Converge): { host: string; hostHeader: string } {
  const bind = c.decision!.bind;
  const host = isWildcard(bind) ? '127.0.0.1' : bind;
  return { host, hostHeader: `${host.includes(':') ? `[${host}]` : host}:${c.opts.port}` };
}

async function probeOnce(c: Converge, dial: Dial, host: string, hostHeader: string): Promise<WsProbeResult | { skipped: string }> {
  const port = c.opts.port;
  if (c.decision!.mode !== 'password') return probeWebSocket({ dial, host, port, hostHeader, token: c.token, timeoutMs: 8000 });
  const pw = c.password;
  if (!pw?.password) return { skipped: 'the basic-auth password is not known on this machine (pass --password-file to prove the sign-in)' };
  const t = await fetchWsTicket({ dial, host, port, hostHeader, username: pw.username, password: pw.password });
  if (!t.ok) return { ok: false, kind: 'http', status: t.status, ms: 0, detail: `sign-in failed: ${t.detail}` };
  return probeWebSocket({ dial, host, port, hostHeader, ticket: t.ticket, timeoutMs: 8000 });
}

export async function probeWithRetry(c: Converge, dial: Dial, host: string, hostHeader: string, ms: number): Promise<WsProbeResult | { skipped: string }> {
  const deadline = Date.now() + ms;
  for (;;) {
    const r = await probeOnce(c, dial, host, hostHeader);
    if ('skipped' in r || r.ok || Date.now() > deadline || !['refused', 'reset', 'timeout'].includes(r.kind)) return r;
    await new Promise((res) => setTimeout(res, 300));
  }
}

export const probeStep: Step<ProbeReport[], never> = {
  id: 'probe',
  title: 'Probe the WebSocket like the desktop app',
  skip: (c) => (c.opts.dryRun ? 'dry run: nothing was started' : undefined),
  async read(c) {
    const { host, hostHeader } = target(c);
    const r = await probeWithRetry(c, (h, p) => c.remote.dial(h, p), host, hostHeader, c.service.restarted ? 20_000 : 3_000);
    if ('skipped' in r) { c.warnings.push(`probe: ${r.skipped}`); return []; }
    if (!r.ok) {
      const why = classifyProbe(r, { generation: c.build!.generation, mode: c.decision!.mode, bind: c.decision!.bind, port: c.opts.port });
      throw stepError('E_PROBE_FAILED', `WebSocket probe on ${hostHeader} via SSH: ${r.status ?? r.kind} — ${why.cause}`, why.hint);
    }
    const reports: ProbeReport[] = [{ via: `ssh → ${hostHeader}`, result: r }];
    if (c.decision!.mode !== 'tunnel' && c.facts.tailscale.ipv4 && c.facts.tailscale.backendState === 'Running') {
      const direct = await probeOnce(c, dialTcp(3000), c.facts.tailscale.ipv4, `${c.facts.tailscale.ipv4}:${c.opts.port}`);
      if (!('skipped' in direct)) {
        reports.push({ via: `this machine → ${c.facts.tailscale.ipv4}:${c.opts.port}`, result: direct });
        if (!direct.ok) c.warnings.push(`the tailnet URL did not answer from this machine (${direct.kind}${direct.status ? ` ${direct.status}` : ''}); is this machine on the tailnet?`);
      }
    }
    c.probes = reports.map((p) => ({ via: p.via, ok: p.result.ok, ms: p.result.ms, ...(p.result.ok ? { status: 101 } : { kind: p.result.kind, ...(p.result.status ? { status: p.result.status } : {}) }) }));
    return reports;
  },
  plan: () => undefined,
  describe: () => '',
  apply: async () => undefined,
  okDetail: (reports) => reports.length === 0 ? 'skipped sign-in (password unknown here)'
    : reports.map((p) => `${p.via}: ${p.result.ok ? `101 + gateway.ready in ${p.result.ms} ms` : `failed (${p.result.kind})`}`).join('; '),
};
