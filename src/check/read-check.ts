// The read half of `check` and `doctor`: the converge's own facts reader and probe, over one SSH connection.
// Reads only; nothing is written on the host or here.
import { signsIn } from '../hermes/access-mode.js';
import { DEFAULT_PORT, DEFAULT_USERNAME } from '../constants.js';
import { readPinnedToken } from '../facts/env-text.js';
import { gatherFacts } from '../facts/gather.js';
import { readLocalPassword } from '../facts/local-password.js';
import type { Facts } from '../facts/parse-facts.js';
import type { HealthOptions } from '../options/health-options.js';
import { parsePortScriptOutput, renderPortScript } from '../probe/port.js';
import { probeDashboard, type DashboardProbe } from '../probe/probe-dashboard.js';
import type { WsProbeResult } from '../probe/ws-probe.js';
import { serviceManagerFor } from '../service/service-manager.js';
import { parseState } from '../state.js';
import { takeEarlyRead } from '../transport/early-start.js';
import type { Remote } from '../transport/remote.js';
import { factsKind } from '../converge/early-facts.js';
import type { DeepFacts, HealthInput } from './health-input.js';
import { parseEvidence, renderDeepScript, section } from './read-deep.js';

async function listenersFor(remote: Remote, facts: Facts, port: number): Promise<Facts> {
  const r = await remote.exec('sh -s', { stdin: renderPortScript(port) });
  return { ...facts, listeners: parsePortScriptOutput(r.stdout, port) };
}

/** Seconds the service's main process has run, and the host's clock (one small exec). */
async function readAge(remote: Remote, pid: number | undefined): Promise<{ age?: number; now?: number }> {
  if (!pid) return {};
  const r = await remote.exec(`date +%s; ps -o etime= -p ${pid} 2>/dev/null`);
  const [now, etime] = r.stdout
    .trim()
    .split('\n')
    .map((l) => l.trim());
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(etime ?? '');
  const age = m ? Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]) : undefined;
  return { ...(age !== undefined ? { age } : {}), ...(now ? { now: Number(now) } : {}) };
}

/** The probe a converge with the recorded mode would make (token or basic-auth sign-in). */
function probeFor(remote: Remote, i: HealthInput, password: string | undefined): DashboardProbe {
  const mode = i.state?.mode ?? 'tunnel';
  return {
    dial: (h, p) => remote.dial(h, p),
    bind: i.state?.bind ?? '127.0.0.1',
    port: i.port,
    mode,
    timeoutMs: 5000,
    ...(i.envToken ? { token: i.envToken } : {}),
    // One sign-in for every probe of this check or doctor run (Hermes allows 10 a minute per address, docs/hermes-contract.md#c6).
    ...(signsIn(mode)
      ? { login: { username: DEFAULT_USERNAME, session: { logins: 0 }, ...(password ? { password } : {}) } }
      : {}),
  };
}

export async function readHealth(remote: Remote, o: HealthOptions): Promise<HealthInput> {
  const spec = o.port ?? { recordedOr: DEFAULT_PORT };
  let facts = await (takeEarlyRead<Facts>(remote, factsKind(spec), () => undefined) ?? gatherFacts(remote, spec));
  const state = parseState(facts.state.content);
  const port = o.port ?? state?.port ?? DEFAULT_PORT;
  if (port !== (facts.portChecked ?? o.port ?? DEFAULT_PORT)) facts = await listenersFor(remote, facts, port);
  const m = await serviceManagerFor(facts).catch(() => undefined);
  const loc = m?.installed(facts, state);
  const envToken = readPinnedToken(facts);
  const input: HealthInput = {
    target: o.target,
    facts,
    port,
    nowSec: Math.floor(Date.now() / 1000),
    ...(state ? { state } : {}),
    ...(envToken ? { envToken } : {}),
    ...(m && loc ? { service: m.view(facts, loc) } : {}),
    restartCommand: m && loc ? m.restartCommand(loc) : 'hermes-setup check --repair',
    logHint: m && loc ? m.logHint(loc) : '',
  };
  const password = signsIn(state?.mode) ? await readLocalPassword(o.passwordFile) : undefined;
  const probe = probeFor(remote, input, password);
  const r = await probeDashboard(probe);
  if ('skipped' in r)
    input.probeSkipped = `the basic-auth password is not known on this machine (${o.passwordFile}); pass --password-file`;
  else {
    input.probe = r;
    if (!r.ok && r.status === 403) {
      const { age, now } = await readAge(remote, input.service?.pid);
      if (age !== undefined) input.serviceAgeSec = age;
      if (now) input.nowSec = now;
    }
  }
  if (o.deep) input.deep = await readDeep(remote, input, probe);
  return input;
}

async function probeResult(p: DashboardProbe): Promise<WsProbeResult | undefined> {
  const r = await probeDashboard(p);
  return 'skipped' in r ? undefined : r;
}

async function readDeep(remote: Remote, input: HealthInput, p: DashboardProbe): Promise<DeepFacts> {
  const ts = input.facts.tailscale;
  const dnsName = ts.magicDns && ts.dnsName && input.state && input.state.bind === ts.ipv4 ? ts.dnsName : undefined;
  const [r, noOrigin, dnsResult] = await Promise.all([
    remote.exec('sh -s', { stdin: renderDeepScript(input.service) }),
    input.probe && !input.probe.ok && input.probe.status === 403
      ? probeResult({ ...p, origin: '' })
      : Promise.resolve(undefined),
    dnsName ? probeResult({ ...p, hostHeader: `${dnsName}:${input.port}` }) : Promise.resolve(undefined),
  ]);
  return {
    ...(noOrigin ? { noOrigin } : {}),
    ...(dnsName && dnsResult ? { dnsHost: { host: dnsName, result: dnsResult } } : {}),
    serveJson: section(r.stdout, 'serve'),
    publicUrl: section(r.stdout, 'public'),
    addresses: section(r.stdout, 'addr')
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean),
    evidence: parseEvidence(r.stdout),
  };
}
