// Runs `hermes-setup remote --json` against a prepared host, and probes the dashboard from this machine
// with the product's own probe (token, or a ticket from the stored basic-auth password).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ConvergeReport } from '../../src/converge/report.js';
import { dialTcp } from '../../src/probe/dial.js';
import { fetchWsTicket } from '../../src/probe/password-login.js';
import { probeWebSocket, type WsProbeResult } from '../../src/probe/ws-probe.js';
import { runCli } from './cli.js';
import type { PreparedHost } from './prepare-host.js';

export async function runRemote(
  p: PreparedHost,
  extra: string[] = [],
): Promise<{ code: number; report: ConvergeReport; stderr: string; stdout: string }> {
  const r = await runCli(
    ['remote', ...p.args, '--json', '--show-token', ...extra],
    { HOME: p.cliHome },
    { timeoutMs: 180_000 },
  );
  let report: ConvergeReport;
  try {
    report = JSON.parse(r.stdout) as ConvergeReport;
  } catch {
    throw new Error(`remote printed no JSON (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr, stdout: r.stdout };
}

async function credentials(p: PreparedHost): Promise<{ token?: string; password?: string }> {
  const env = (await p.ssh('cat ~/.hermes/.env')).stdout;
  const token = /^HERMES_DASHBOARD_SESSION_TOKEN=(\S+)$/m.exec(env)?.[1];
  if (!/BASIC_AUTH_PASSWORD_HASH/.test(env)) return token ? { token } : {};
  const dir = join(p.cliHome, '.config', 'hermes-setup', 'passwords');
  const { readdir } = await import('node:fs/promises');
  const [file] = await readdir(dir);
  return { password: (await readFile(join(dir, file!), 'utf8')).trim() };
}

/** The desktop app's handshake from this machine to the tailnet address, retried while the host boots. */
export async function probeFromHere(p: PreparedHost, ip: string, port = 9119, ms = 30_000): Promise<WsProbeResult> {
  const creds = await credentials(p);
  const dial = dialTcp(3000);
  const deadline = Date.now() + ms;
  for (;;) {
    let r: WsProbeResult;
    if (creds.password) {
      const t = await fetchWsTicket({ dial, host: ip, port, username: 'hermes', password: creds.password });
      r = t.ok
        ? await probeWebSocket({ dial, host: ip, port, ticket: t.ticket })
        : { ok: false, kind: 'http', ms: 0, detail: t.detail, ...(t.status ? { status: t.status } : {}) };
    } else {
      r = await probeWebSocket({ dial, host: ip, port, ...(creds.token ? { token: creds.token } : {}) });
    }
    if (r.ok || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
}

export async function mainPid(p: PreparedHost): Promise<string> {
  if (p.kind === 'linux')
    return (await p.ssh('systemctl --user show hermes-dashboard.service -p MainPID --value')).stdout.trim();
  const r = await p.ssh(
    'for d in gui user; do launchctl print $d/$(id -u)/ai.hermes.dashboard 2>/dev/null | sed -n "s/^[[:space:]]*pid = //p"; done | head -n1',
  );
  return r.stdout.trim();
}
