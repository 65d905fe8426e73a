// Renders templates/systemd/hermes-dashboard(.system).service. Pure: template text in, unit text out.
import { assertAbsolute, fillPlaceholders, type ServiceSpec } from './service-spec.js';

export const UNIT_NAME = 'hermes-dashboard.service';

/** systemd escaping: % starts a specifier everywhere; $ starts an expansion in arguments but not in the program path. */
function escapeUnitValue(s: string, program: boolean): string {
  const v = s.replace(/%/g, '%%');
  return program ? v : v.replace(/\$/g, '$$$$');
}

export function quoteExecArg(arg: string, program = false): string {
  const v = escapeUnitValue(arg, program);
  if (v !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(v)) return v;
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

function environmentLine(name: string, value: string): string {
  const v = `${name}=${value.replace(/%/g, '%%')}`;
  return /[\s"\\]/.test(v) ? `Environment="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : `Environment=${v}`;
}

export function renderSystemdUnit(template: string, spec: ServiceSpec): string {
  const argv0 = assertAbsolute('ExecStart program', spec.programArguments[0]);
  assertAbsolute('HERMES_HOME', spec.hermesHome);
  if (template.includes('{{USER}}') && !spec.user) throw new Error('the system unit needs a user');
  const env = [environmentLine('PATH', spec.path), environmentLine('HERMES_HOME', spec.hermesHome)];
  if (spec.user) env.push(environmentLine('HOME', spec.home));
  return fillPlaceholders(template, {
    MODE: spec.mode,
    EXEC_START: [quoteExecArg(argv0, true), ...spec.programArguments.slice(1).map((a) => quoteExecArg(a))].join(' '),
    HERMES_HOME: quoteWorkingDirectory(spec.hermesHome),
    ENVIRONMENT: env.join('\n'),
    USER: spec.user ?? '',
    GROUP: spec.group ?? spec.user ?? '',
  });
}

function quoteWorkingDirectory(p: string): string {
  return p.replace(/%/g, '%%');
}
