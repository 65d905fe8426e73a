// Renders templates/launchd/ai.hermes.dashboard(.daemon).plist with the plist library. Pure.
import { build, parse, type PlistValue } from 'plist';
import { assertAbsolute, type ServiceSpec } from './service-spec.js';

export const LAUNCHD_LABEL = 'ai.hermes.dashboard';
export const PLIST_FILE = `${LAUNCHD_LABEL}.plist`;
export const HOMEBREW_PATH =
  '/opt/homebrew/bin:/opt/homebrew/sbin:/usr/local/bin:/usr/local/sbin:/usr/bin:/bin:/usr/sbin:/sbin';

function fill(value: PlistValue, vars: Record<string, string>, args: string[]): PlistValue {
  if (typeof value === 'string') {
    return value.replace(/\{\{([A-Z_]+)\}\}/g, (_m, name: string) => {
      const v = vars[name];
      if (v === undefined) throw new Error(`plist placeholder {{${name}}} has no value`);
      return v;
    });
  }
  if (Array.isArray(value)) {
    return value.flatMap((v) => (v === '{{PROGRAM_ARGUMENTS}}' ? args : [fill(v, vars, args)]));
  }
  if (value && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars, args)]));
  }
  return value;
}

export function renderLaunchdPlist(template: string, spec: ServiceSpec): string {
  assertAbsolute('ProgramArguments[0]', spec.programArguments[0]);
  assertAbsolute('log directory', spec.logDir);
  const parsed = parse(template);
  const vars: Record<string, string> = {
    PATH: spec.path,
    HERMES_HOME: spec.hermesHome,
    LOG_DIR: spec.logDir,
    HOME: spec.home,
    USER: spec.user ?? '',
  };
  if (template.includes('{{USER}}') && !spec.user) throw new Error('the LaunchDaemon needs a user');
  const doc = fill(parsed, vars, spec.programArguments) as Record<string, PlistValue>;
  if (doc.Label !== LAUNCHD_LABEL) throw new Error(`template Label must be ${LAUNCHD_LABEL}`);
  const xml = build(doc);
  const header = `<!-- Managed by hermes-setup (${spec.mode} mode). A hand edit shows up as drift and is replaced only when forced. No secret lives here: Hermes reads its token from ~/.hermes/.env. -->`;
  if (header.slice(4, -3).includes('--')) throw new Error('an XML comment cannot contain "--"');
  return `${xml.replace(/(<!DOCTYPE[^>]*>\n)/, `$1${header}\n`)}\n`;
}
