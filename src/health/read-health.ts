// The thin gather step of `check` and `doctor`: the facts in one exec, the state file, then one WebSocket
// probe over the same SSH connection. Reads only; nothing is written on the host or here.
import { readFile } from 'node:fs/promises';
import { gatherFacts } from '../facts/gather.js';
import type { Facts } from '../facts/parse-facts.js';
import { fetchWsTicket } from '../probe/password-login.js';
import { parsePortScriptOutput, renderPortScript } from '../probe/port.js';
import { probeWebSocket, type WsProbeResult } from '../probe/ws-probe.js';
import type { Remote } from '../transport/remote.js';
import { readDotenvValue } from '../render/env-file.js';
import { TOKEN_KEY } from '../secrets.js';
import { parseState, type ConvergeState } from '../state.js';
import { probeHostFor, readServiceView, type DeepFacts, type HealthInput } from './health-input.js';

export interface HealthOptions {
  /** --port, when given; else the state file's port, else 9119. */
  port?: number;
  /** Where the basic-auth password lives on this machine (password mode). */
  passwordFile: string;
  /** The target as typed, for fix commands. */
  target: string;
  deep?: boolean;
}

interface ProbeCtx { remote: Remote; host: string; port: number; hostHeader: string; token?: string; password?: string; username: string }

function envTokenOf(f: Facts): string | undefined {
  if (f.env.type !== 'file' || !f.env.content) return undefined;
  return readDotenvValue(f.env.content.toString('utf8'), TOKEN_KEY);
}

async function probeOnce(p: ProbeCtx, origin?: string, hostHeader = p.hostHeader): Promise<WsProbeResult> {
  const dial = (h: string, port: number) => p.remote.dial(h, port);
  const base = { dial, host: p.host, port: p.port, hostHeader, timeoutMs: 5000, ...(origin !== undefined ? { origin } : {}) };
  if (p.password === undefined) return probeWebSocket({ ...base, ...(p.token ? { token: p.token } : {}) });
  const t = await fetchWsTicket({ dial, host: p.host, port: p.port, hostHeader, username: p.username, password: p.password });
  if (!t.ok) return { ok: false, kind: 'http', ms: 0, detail: `sign-in failed: ${t.detail}`, ...(t.status ? { status: t.status } : {}) };
  return probeWebSocket({ ...base, ticket: t.ticket });
}

async function readPassword(file: string): Promise<string | undefined> {
  const p = await readFile(file, 'utf8').then((s) => s.trim(), () => '');
  return p === '' ? undefined : p;
}

async function listenersFor(remote: Remote, facts: Facts, port: number): Promise<Facts> {
  const r = await remote.exec('sh -s', { stdin: renderPortScript(port) });
  return { ...facts, listeners: parsePortScriptOutput(r.stdout, port) };
}

/** Seconds the service's main process has run, and the host's clock (one small exec). */
async function readAge(remote: Remote, pid: number | undefined): Promise<{ age?: number; now?: number }> {
  if (!pid) return {};
  const r = await remote.exec(`date +%s; ps -o etime= -p ${pid} 2>/dev/null`);
  const [now, etime] = r.stdout.trim().split('\n').map((l) => l.trim());
  const m = /^(?:(\d+)-)?(?:(\d+):)?(\d+):(\d+)$/.exec(etime ?? '');
  const age = m ? Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3]) * 60 + Number(m[4]) : undefined;
  return { ...(age !== undefined ? { age } : {}), ...(now ? { now: Number(now) } : {}) };
}

function probeCtx(remote: Remote, state: ConvergeState | undefined, port: number, envToken: string | undefined, password: string | undefined): ProbeCtx {
  const host = probeHostFor(state?.bind ?? '127.0.0.1');
  const hostHeader = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  const base = { remote, host, port, hostHeader, username: 'hermes', ...(envToken ? { token: envToken } : {}) };
  return state?.mode === 'password' && password !== undefined ? { ...base, password } : base;
}

export async function readHealth(remote: Remote, o: HealthOptions): Promise<HealthInput> {
  let facts = await gatherFacts(remote, o.port ?? 9119);
  const state = parseState(facts.state.content);
  const port = o.port ?? state?.port ?? 9119;
  if (port !== (o.port ?? 9119)) facts = await listenersFor(remote, facts, port);
  const envToken = envTokenOf(facts);
  const password = state?.mode === 'password' ? await readPassword(o.passwordFile) : undefined;
  const input: HealthInput = { target: o.target, facts, port, nowSec: Math.floor(Date.now() / 1000), ...(state ? { state } : {}), ...(envToken ? { envToken } : {}) };
  if (state?.mode === 'password' && password === undefined) {
    input.probeSkipped = `the basic-auth password is not known on this machine (${o.passwordFile}); pass --password-file`;
  }
  const p = probeCtx(remote, state, port, envToken, password);
  if (!input.probeSkipped) {
    const probe = await probeOnce(p);
    input.probe = probe;
    if (!probe.ok && probe.status === 403) {
      const { age, now } = await readAge(remote, readServiceView(facts).pid);
      if (age !== undefined) input.serviceAgeSec = age;
      if (now) input.nowSec = now;
    }
  }
  if (o.deep) input.deep = await readDeep(remote, input, p);
  return input;
}

const DEEP_SCRIPT = String.raw`
echo "@@serve"; tailscale serve status --json 2>/dev/null || /Applications/Tailscale.app/Contents/MacOS/Tailscale serve status --json 2>/dev/null
echo "@@public"; grep -h -i 'PUBLIC_URL\|public_url' "$HOME/.hermes/.env" "$HOME/.hermes/config.yaml" 2>/dev/null
echo "@@addr"; (ip -o addr show 2>/dev/null || ifconfig 2>/dev/null) | sed -n 's/.*inet6\{0,1\} \([0-9a-fA-F.:]*\).*/\1/p'
`;

function section(out: string, name: string): string {
  const m = new RegExp(`@@${name}\\n([\\s\\S]*?)(?=\\n@@|$)`).exec(out);
  return (m?.[1] ?? '').trim();
}

async function readDeep(remote: Remote, input: HealthInput, p: ProbeCtx): Promise<DeepFacts> {
  const ts = input.facts.tailscale;
  const [r, noOrigin, dnsHost] = await Promise.all([
    remote.exec('sh -s', { stdin: DEEP_SCRIPT }),
    input.probe && !input.probe.ok && input.probe.status === 403 ? probeOnce(p, '') : Promise.resolve(undefined),
    ts.magicDns && ts.dnsName && input.state && input.state.bind === ts.ipv4
      ? probeOnce(p, undefined, `${ts.dnsName}:${input.port}`).then((result) => ({ host: ts.dnsName!, result })) : Promise.resolve(undefined),
  ]);
  return {
    ...(noOrigin ? { noOrigin } : {}), ...(dnsHost ? { dnsHost } : {}),
    serveJson: section(r.stdout, 'serve'), publicUrl: section(r.stdout, 'public'),
    addresses: section(r.stdout, 'addr').split('\n').map((l) => l.trim()).filter(Boolean),
  };
}
