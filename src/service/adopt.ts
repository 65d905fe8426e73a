// Whose is the service file at our path? hermes-setup's own (unchanged, or edited by hand since), a user's hand-made
// unit/plist that runs `hermes dashboard`/`serve` (the seed recipe, the docs' recipes: adopted), or one that runs
// something else (refused without --force). Also what a hand-made file carries that must not be lost: its token.
// docs/hermes-contract.md#c14 (the names upstream and users use), #c4 (pin the token in .env, not in the unit). Pure.
import { parse as parsePlist } from 'plist';
import { sha256, type ConvergeState } from '../state.js';
import { TOKEN_KEY } from '../secrets.js';

export type ServiceOrigin =
  | { kind: 'none' }
  | { kind: 'ours' }
  | { kind: 'ours-edited' }
  | { kind: 'hand-made'; command: string }
  | { kind: 'foreign'; command: string };

const OUR_HEADER = /Managed by hermes-setup/;
// `hermes dashboard`, `…/bin/hermes serve`, `python -m hermes_cli.main dashboard`, `bash -lc 'hermes dashboard …'`.
const DASHBOARD = /(^|[\s/'"])hermes(?:_cli\.main)?['"]?\s+(?:--profile[\s=]\S+\s+)?(?:dashboard|serve)(?=$|[\s'"])/;

function isPlist(text: string): boolean {
  return /<plist[\s>]/.test(text) || text.startsWith('bplist');
}

function plistDict(text: string): Record<string, unknown> | undefined {
  try {
    const v = parsePlist(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The command a unit (its ExecStart= lines) or a plist (ProgramArguments / Program) runs, as one line. */
export function serviceCommand(text: string): string {
  if (isPlist(text)) {
    const d = plistDict(text);
    const args = Array.isArray(d?.['ProgramArguments']) ? (d['ProgramArguments'] as unknown[]).map(String) : [];
    return (args.length ? args : typeof d?.['Program'] === 'string' ? [d['Program']] : []).join(' ');
  }
  return [...text.matchAll(/^[ \t]*ExecStart[ \t]*=[ \t]*(.*?)[ \t]*$/gm)]
    .map((m) => m[1]!.replace(/^[-@:+!]+/, ''))
    .filter(Boolean)
    .join('; ');
}

export function runsHermesDashboard(command: string): boolean {
  return command !== '' && command.split('; ').every((c) => DASHBOARD.test(c));
}

/** Whose file it is. A state file's hash vouches for our last write; without one only our header does. */
export function classifyServiceFile(current: string | undefined, state: ConvergeState | undefined): ServiceOrigin {
  if (current === undefined) return { kind: 'none' };
  if (state && sha256(current) === state.serviceSha256) return { kind: 'ours' };
  if (OUR_HEADER.test(current)) return state ? { kind: 'ours-edited' } : { kind: 'ours' };
  const command = serviceCommand(current);
  return runsHermesDashboard(command) ? { kind: 'hand-made', command } : { kind: 'foreign', command };
}

/** Splits a systemd Environment= value into assignments (double or single quotes group words). */
function unitAssignments(value: string): string[] {
  return [...value.matchAll(/"((?:\\.|[^"\\])*)"|'([^']*)'|(\S+)/g)].map((m) =>
    m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3] ?? ''),
  );
}

/** The environment a unit (Environment= lines) or plist (EnvironmentVariables) sets. */
export function serviceEnvironment(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  if (isPlist(text)) {
    const vars = plistDict(text)?.['EnvironmentVariables'];
    if (vars !== null && typeof vars === 'object') for (const [k, v] of Object.entries(vars)) env[k] = String(v);
    return env;
  }
  for (const m of text.matchAll(/^[ \t]*Environment[ \t]*=(.*)$/gm)) {
    for (const a of unitAssignments(m[1]!)) {
      const eq = a.indexOf('=');
      if (eq > 0) env[a.slice(0, eq)] = a.slice(eq + 1);
    }
  }
  return env;
}

/** The session token a hand-made unit or plist sets, if any (to be moved into ~/.hermes/.env). */
export function tokenInServiceFile(text: string | undefined): string | undefined {
  return text === undefined ? undefined : serviceEnvironment(text)[TOKEN_KEY] || undefined;
}

/** Variables of the hand-made file that the replacement does not carry (named in a warning; the backup keeps them). */
export function droppedVariables(text: string): string[] {
  return Object.keys(serviceEnvironment(text)).filter((k) => !['PATH', 'HOME', 'HERMES_HOME', TOKEN_KEY].includes(k));
}
