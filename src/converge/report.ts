// The result of a converge: one JSON document (schema in docs/json-output.md) or the human summary.
import { isTunnel, signsIn } from '../hermes/access-mode.js';
import { TUNNEL_LOCAL_PORT, type AccessMode } from '../constants.js';
import { tailnetUrls } from '../probe/tailscale.js';
import { isLoopback, isPrivate, isTailnet, isWildcard } from '../probe/address.js';
import type { Facts } from '../facts/parse-facts.js';
import { fingerprint, redact } from '../secrets.js';
import type { StepOutcome } from '../steps/step.js';
import { count, plain, statusColor, wrapLine, type Colors } from '../output.js';
import type { ConvergeInputs, PlannedFile, ProbeRecord } from './inputs.js';
import type { ConvergeSession } from './session.js';

export interface ConvergeReport {
  schema: 'hermes-setup/remote@1';
  target: string;
  ok: boolean;
  dryRun: boolean;
  hermes?: { version: string; releaseDate?: string; generation: string; path?: string };
  mode?: AccessMode;
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
  probes: ProbeRecord[];
  warnings: string[];
  /** --dry-run: the planned files as unified diffs, secrets redacted. */
  diffs?: string;
  error?: { code: string; message: string; hint: string; exitCode: number };
}

/** The tailnet URLs, then the LAN ones a bind on every interface (or a LAN address) also serves (the Host guard
 * accepts any Host on a wildcard bind, §7.3). */
export function dashboardUrls(f: Pick<Facts, 'tailscale' | 'ifAddrs'>, port: number, bind: string): string[] {
  const url = (a: string): string => (a.includes(':') ? `http://[${a}]:${port}` : `http://${a}:${port}`);
  const lan = isWildcard(bind)
    ? f.ifAddrs.filter((a) => !a.includes(':') && isPrivate(a) && !isLoopback(a) && !isTailnet(a))
    : !isTailnet(bind) && !isLoopback(bind) && !isWildcard(bind)
      ? [bind]
      : [];
  return [...new Set([...tailnetUrls(f.tailscale, port, bind), ...lan.map(url)])];
}

export function recapOf(steps: StepOutcome[]): ConvergeReport['recap'] {
  const n = (s: StepOutcome['status']) => steps.filter((o) => o.status === s).length;
  return { ok: n('ok'), changed: n('changed'), skipped: n('skipped'), failed: n('failed') };
}

const SENSITIVE_KEY = /(KEY|TOKEN|SECRET|PASS|HASH|CREDENTIAL|AUTH)/i;

/** .env text with every sensitive-looking value replaced by its fingerprint (the user's API keys included). */
export function redactEnvValues(text: string): string {
  return text.replace(
    /^([ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*)(.+?)(\r?)$/gm,
    (line, head: string, key: string, value: string, cr: string) =>
      SENSITIVE_KEY.test(key) ? `${head}<redacted ${fingerprint(value)}>${cr}` : line,
  );
}

export async function renderDiffs(files: readonly PlannedFile[], secrets: readonly string[]): Promise<string> {
  const { createTwoFilesPatch } = await import('diff');
  const clean = (path: string, t: string) => (path.endsWith('.env') ? redactEnvValues(t) : t);
  return files
    .map((f) =>
      redact(
        createTwoFilesPatch(
          f.path,
          f.path,
          clean(f.path, f.before ?? ''),
          clean(f.path, f.after),
          f.before === undefined ? '(missing)' : 'current',
          'planned',
        ),
        [...secrets],
      ),
    )
    .join('\n');
}

export interface ReportOptions {
  showToken: boolean;
  showSecrets: boolean;
}

/** The basic-auth password made by this run, to show once with --show-secrets. */
export function newPasswordOf(s: ConvergeSession): string | undefined {
  const i = s.inputs;
  const pw = i?.secrets?.password?.password;
  return pw && !s.error && !s.opts.dryRun && i?.generated.password === pw && i.changed.env ? pw : undefined;
}

/** Pure: the Hermes build the run found, if it got that far. */
function hermesOf(i: ConvergeInputs): ConvergeReport['hermes'] {
  const b = i.build;
  if (!b) return undefined;
  return {
    version: b.version,
    generation: b.generation,
    ...(b.releaseDate ? { releaseDate: b.releaseDate } : {}),
    ...(i.facts.hermes ? { path: i.facts.hermes.path } : {}),
  };
}

/** Pure: the token fingerprint, the token (--show-token) and the basic-auth login, in the report's key order.
 * Secrets are reported only when the .env step got through (a run that failed earlier never wrote them). */
function secretsOf(
  s: ConvergeSession,
  o: ReportOptions,
): Pick<ConvergeReport, 'tokenFingerprint' | 'token' | 'basicAuth'> {
  const envDone = s.outcomes.some((x) => x.id === 'env' && (x.status === 'ok' || x.status === 'changed'));
  const sec = s.inputs?.secrets;
  if (!sec || !envDone) return {};
  const shown = o.showSecrets ? newPasswordOf(s) : undefined;
  const file = s.opts.passwordFile;
  return {
    tokenFingerprint: fingerprint(sec.token),
    ...(o.showToken ? { token: sec.token } : {}),
    ...(sec.password
      ? {
          basicAuth: {
            username: sec.password.username,
            ...(shown ? { password: shown } : {}),
            ...(file ? { passwordFile: file } : {}),
          },
        }
      : {}),
  };
}

export async function buildReport(s: ConvergeSession, o: ReportOptions): Promise<ConvergeReport> {
  const i = s.inputs;
  const d = i?.decision;
  const r: ConvergeReport = {
    schema: 'hermes-setup/remote@1',
    target: s.opts.targetLabel,
    ok: !s.error,
    dryRun: s.opts.dryRun,
    port: s.opts.port,
    urls: d && !isTunnel(d.mode) && i ? dashboardUrls(i.facts, s.opts.port, d.bind) : [],
    steps: s.outcomes,
    recap: recapOf(s.outcomes),
    probes: [...(i?.probes ?? [])],
    warnings: [...(i?.warnings ?? [])],
  };
  const hermes = i && hermesOf(i);
  if (hermes) r.hermes = hermes;
  if (d) Object.assign(r, { mode: d.mode, bind: d.bind, reason: d.reason });
  if (isTunnel(d?.mode)) {
    r.tunnel = { command: tunnelCommand(s.opts.sshTarget, s.opts.port), url: `http://127.0.0.1:${TUNNEL_LOCAL_PORT}` };
  }
  Object.assign(r, secretsOf(s, o));
  if (s.opts.dryRun && i?.files.length) r.diffs = await renderDiffs(i.files, i.redact);
  if (s.error)
    r.error = { code: s.error.code, message: s.error.message, hint: s.error.hint, exitCode: s.error.exitCode };
  return r;
}

/** The port forward for tunnel mode, to the host as the user reaches it (alias, -p, -i as typed). */
export function tunnelCommand(sshTarget: string, port: number): string {
  return `ssh -N -L ${TUNNEL_LOCAL_PORT}:127.0.0.1:${port} ${sshTarget}`;
}

// The tree's own icons (listr2 draws ✖ for a failed step itself).
/** `ok=12 changed=1 skipped=0 failed=0`, each count in its colour when not zero. */
export function renderRecapCounts(recap: ConvergeReport['recap'], c: Colors): string {
  const part = (k: 'ok' | 'changed' | 'skipped' | 'failed'): string =>
    recap[k] ? statusColor(c, k)(`${k}=${recap[k]}`) : `${k}=0`;
  return [part('ok'), part('changed'), part('skipped'), part('failed')].join(' ');
}

function accessLines(r: ConvergeReport): string[] {
  const lines: string[] = [];
  if (r.mode) lines.push(`Mode:        ${r.mode} on ${r.bind}:${r.port} — ${r.reason}`);
  if (r.tunnel)
    lines.push(`Tunnel:      ${r.tunnel.command}`, `Remote URL:  ${r.tunnel.url}   (while the tunnel runs)`);
  for (const [n, u] of r.urls.entries()) lines.push(`${n === 0 ? 'Remote URL:  ' : '             '}${u}`);
  if (r.tokenFingerprint) lines.push(`Token:       ${r.token ?? `${r.tokenFingerprint} (--show-token prints it)`}`);
  if (r.basicAuth) {
    const where = r.basicAuth.passwordFile
      ? `password in ${r.basicAuth.passwordFile} (0600)`
      : 'password not stored here';
    const pw = r.basicAuth.password ? `password ${r.basicAuth.password} (shown once; also ${where})` : where;
    lines.push(`Sign-in:     user "${r.basicAuth.username}", ${pw}`);
  }
  const url = r.tunnel?.url ?? r.urls[0];
  if (url && !r.dryRun) {
    lines.push(
      'Desktop app: Settings > Gateway > Remote connection → URL above' +
        (signsIn(r.mode) ? ', then sign in' : ' + the token'),
    );
    if (!signsIn(r.mode))
      lines.push(
        `             or: HERMES_DESKTOP_REMOTE_URL=${url} HERMES_DESKTOP_REMOTE_TOKEN=<token> (token: --show-token)`,
      );
  }
  return lines;
}

/**
 * The lines after the steps. A failed run names no URL, tunnel or mode (they do not work yet): only warnings and
 * the recap. Coloured and wrapped (at spaces, under the 13-column labels) only when `width` is a terminal's.
 */
export function renderSummary(r: ConvergeReport, o: { c?: Colors; width?: number } = {}): string[] {
  const c = o.c ?? plain;
  const lines = r.ok ? accessLines(r) : [];
  for (const w of r.warnings) lines.push(`Warning:     ${w}`);
  const notRun = r.steps.filter((x) => x.status === 'not run').length;
  const tail = r.dryRun ? ' (dry run: nothing was changed)' : notRun ? ` (${count(notRun, 'step')} not run)` : '';
  lines.push(`Recap:       ${renderRecapCounts(r.recap, c)}${tail}`);
  return lines.flatMap((l) => wrapLine(l, o.width, 13));
}
