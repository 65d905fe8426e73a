// The result of a converge: one JSON document (schema in docs/json-output.md) or the human summary.
import { tailnetUrls } from '../probe/tailscale.js';
import { fingerprint, redact } from '../secrets.js';
import type { StepOutcome } from '../steps/context.js';
import type { ConvergeRun } from './run-converge.js';

export const TUNNEL_LOCAL_PORT = 19119;

export interface ConvergeReport {
  schema: 'hermes-setup/remote@1';
  target: string;
  ok: boolean;
  dryRun: boolean;
  hermes?: { version: string; releaseDate?: string; generation: string; path?: string };
  mode?: string;
  bind?: string;
  port: number;
  reason?: string;
  urls: string[];
  tunnel?: { command: string; url: string };
  tokenFingerprint?: string;
  token?: string;
  basicAuth?: { username: string; password?: string; passwordFile?: string };
  steps: StepOutcome[];
  recap: { ok: number; changed: number; skipped: number; failed: number };
  probes: ConvergeRun['c']['probes'];
  warnings: string[];
  error?: { code: string; message: string; hint: string; exitCode: number };
}

export function recapOf(steps: StepOutcome[]): ConvergeReport['recap'] {
  const n = (s: StepOutcome['status']) => steps.filter((o) => o.status === s).length;
  return { ok: n('ok'), changed: n('changed'), skipped: n('skipped'), failed: n('failed') };
}

export function buildReport(run: ConvergeRun, o: { showToken: boolean; newPassword?: string; passwordFile?: string }): ConvergeReport {
  const { c } = run;
  const d = c.decision;
  const r: ConvergeReport = {
    schema: 'hermes-setup/remote@1', target: c.opts.targetLabel, ok: !run.error, dryRun: c.opts.dryRun, port: c.opts.port,
    urls: d && d.mode !== 'tunnel' && c.facts ? tailnetUrls(c.facts.tailscale, c.opts.port, d.bind) : [],
    steps: run.outcomes, recap: recapOf(run.outcomes), probes: c.probes, warnings: c.warnings,
  };
  if (c.build) r.hermes = { version: c.build.version, generation: c.build.generation, ...(c.build.releaseDate ? { releaseDate: c.build.releaseDate } : {}), ...(c.facts?.hermes ? { path: c.facts.hermes.path } : {}) };
  if (d) Object.assign(r, { mode: d.mode, bind: d.bind, reason: d.reason });
  if (d?.mode === 'tunnel') {
    r.tunnel = { command: `ssh -N -L ${TUNNEL_LOCAL_PORT}:127.0.0.1:${c.opts.port} ${c.opts.sshTarget}`, url: `http://127.0.0.1:${TUNNEL_LOCAL_PORT}` };
  }
  // Secrets are reported only when the .env step got through (a run that failed earlier never wrote them).
  const envDone = run.outcomes.some((s) => s.id === 'env' && (s.status === 'ok' || s.status === 'changed'));
  if (c.token && envDone) r.tokenFingerprint = fingerprint(c.token);
  if (c.token && envDone && o.showToken) r.token = c.token;
  if (c.password && envDone) r.basicAuth = { username: c.password.username, ...(o.newPassword ? { password: o.newPassword } : {}), ...(o.passwordFile ? { passwordFile: o.passwordFile } : {}) };
  if (run.error) r.error = { code: run.error.code, message: run.error.message, hint: run.error.hint, exitCode: run.error.exitCode };
  return r;
}

const SENSITIVE_KEY = /(KEY|TOKEN|SECRET|PASS|HASH|CREDENTIAL|AUTH)/i;

/** .env text with every sensitive-looking value replaced by its fingerprint (the user's API keys included). */
export function redactEnvValues(text: string): string {
  return text.replace(/^([ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*)(.+?)(\r?)$/gm,
    (line, head: string, key: string, value: string, cr: string) => (SENSITIVE_KEY.test(key) ? `${head}<redacted ${fingerprint(value)}>${cr}` : line));
}

export async function renderDiffs(run: ConvergeRun): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  const clean = (path: string, t: string) => (path.endsWith('.env') ? redactEnvValues(t) : t);
  return run.c.files.map((f) => redact(createTwoFilesPatch(f.path, f.path, clean(f.path, f.before ?? ''), clean(f.path, f.after),
    f.before === undefined ? '(missing)' : 'current', 'planned'), run.c.secrets)).join('\n');
}

export function renderSummary(r: ConvergeReport): string[] {
  const lines: string[] = [];
  if (r.mode) lines.push(`Mode:        ${r.mode} on ${r.bind}:${r.port} — ${r.reason}`);
  if (r.tunnel) lines.push(`Tunnel:      ${r.tunnel.command}`, `Remote URL:  ${r.tunnel.url}   (while the tunnel runs)`);
  for (const [i, u] of r.urls.entries()) lines.push(`${i === 0 ? 'Remote URL:  ' : '             '}${u}`);
  if (r.tokenFingerprint) lines.push(`Token:       ${r.token ?? `${r.tokenFingerprint} (--show-token prints it)`}`);
  if (r.basicAuth) {
    const where = r.basicAuth.passwordFile ? `password in ${r.basicAuth.passwordFile} (0600)` : 'password not stored here';
    const pw = r.basicAuth.password ? `password ${r.basicAuth.password} (shown once; also ${where})` : where;
    lines.push(`Sign-in:     user "${r.basicAuth.username}", ${pw}`);
  }
  const url = r.tunnel?.url ?? r.urls[0];
  if (url && !r.dryRun && r.ok) {
    lines.push('Desktop app: Settings > Gateway > Remote connection → URL above' + (r.mode === 'password' ? ', then sign in' : ' + the token'));
    if (r.mode !== 'password') lines.push(`             or: HERMES_DESKTOP_REMOTE_URL=${url} HERMES_DESKTOP_REMOTE_TOKEN=<token> (token: --show-token)`);
  }
  for (const w of r.warnings) lines.push(`Warning:     ${w}`);
  lines.push(`Recap:       ok=${r.recap.ok} changed=${r.recap.changed} skipped=${r.recap.skipped} failed=${r.recap.failed}${r.dryRun ? ' (dry run: nothing was changed)' : ''}`);
  return lines;
}
