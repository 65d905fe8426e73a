// `hermes-setup export ansible`: the converge as an Ansible role + playbook, rendered from the same service templates
// (renderSystemdUnit and renderLaunchdPlist with sentinels, then Jinja expressions where the value is host-specific)
// and the same decisions (access mode by generation from decideAccessMode, the dashboard argv from buildDashboardArgv).
// It covers the systemd user unit (Linux) and the LaunchAgent (macOS), in token, tunnel and password mode.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PATHS } from '../constants.js';
import { decideAccessMode } from '../hermes/access-mode.js';
import { buildDashboardArgv } from '../hermes/dashboard-argv.js';
import type { Generation } from '../constants.js';
import { HOMEBREW_PATH, renderLaunchdPlist } from '../render/launchd-plist.js';
import type { ServiceSpec } from '../render/service-spec.js';
import { renderSystemdUnit } from '../render/systemd-unit.js';
import { TOKEN_KEY } from '../secrets.js';
import { readTemplate, templatesDir } from '../templates.js';

/** Release dates that split G0/G1/G2 (docs/hermes-contract.md#c1; the same as src/hermes/version.ts). */
const HARDENED = '2026-06-21';
const ORIGIN_FIX = '2026-06-02';

const ALL_CAPS = { insecureDisablesGate: true, isolated: true, skipBuild: true, tuiListed: true, serveSshFlags: false };

/** The service spec with sentinels where the role puts Jinja (every optional flag present). */
function sentinelSpec(): ServiceSpec {
  const argv = buildDashboardArgv({
    hermesPath: '/@@HERMES_DIR@@/hermes',
    mode: 'token',
    bind: '@@BIND@@',
    port: 9119,
    caps: ALL_CAPS,
    skipBuild: true,
  });
  return {
    programArguments: argv,
    hermesHome: '/@@HOME@@/.hermes',
    home: '/@@HOME@@',
    logDir: '/@@HOME@@/.hermes/logs',
    mode: '@@MODE@@',
    path: '@@PATH@@',
  };
}

function assertFilled(what: string, out: string): string {
  if (/@@/.test(out)) throw new Error(`${what} template: a sentinel was not replaced:\n${out}`);
  return out;
}

/** The systemd user unit as a Jinja template: sentinels through the real renderer, then Jinja expressions. */
export async function renderUnitJinja(): Promise<string> {
  const unit = renderSystemdUnit(await readTemplate('systemd/hermes-dashboard.service'), sentinelSpec());
  const flag = (f: string, v: string) => `{{ ' ${f}' if ${v} | bool else '' }}`;
  return assertFilled(
    'unit',
    unit
      .replace('/@@HERMES_DIR@@/hermes', '{{ hermes_path }}')
      .replace('--host @@BIND@@', '--host {{ hermes_bind_addr }}')
      .replace('--port 9119', '--port {{ hermes_port }}')
      .replace(' --insecure', flag('--insecure', 'hermes_insecure'))
      .replace(' --isolated', flag('--isolated', 'hermes_isolated'))
      .replace(' --skip-build', flag('--skip-build', 'hermes_skip_build'))
      .replace(' --tui', flag('--tui', 'hermes_cap_tui'))
      .replace('@@MODE@@', '{{ hermes_access_mode }}')
      .replace(
        '@@PATH@@',
        "{{ ([hermes_dir, hermes_home_dir ~ '/.local/bin', '/usr/local/bin', '/usr/bin', '/bin'] | unique) | join(':') }}",
      )
      .replaceAll('/@@HOME@@', '{{ hermes_home_dir }}'),
  );
}

/** The LaunchAgent plist as a Jinja template, the same way (PATH as the launchd adapter builds it). */
export async function renderPlistJinja(): Promise<string> {
  const plist = renderLaunchdPlist(await readTemplate('launchd/ai.hermes.dashboard.plist'), sentinelSpec());
  const optional = (text: string, f: string, v: string): string => {
    const line = new RegExp(`^( *)<string>${f}</string>\\n`, 'm');
    if (!line.test(text)) throw new Error(`plist template: no ${f} line`);
    return text.replace(line, `{% if ${v} | bool %}\n$1<string>${f}</string>\n{% endif %}\n`);
  };
  let out = plist
    .replace('<string>/@@HERMES_DIR@@/hermes</string>', '<string>{{ hermes_path }}</string>')
    .replace('<string>@@BIND@@</string>', '<string>{{ hermes_bind_addr }}</string>')
    .replace(
      '<string>--port</string>\n      <string>9119</string>',
      '<string>--port</string>\n      <string>{{ hermes_port }}</string>',
    )
    .replace('@@MODE@@', '{{ hermes_access_mode }}')
    .replace(
      '<string>@@PATH@@</string>',
      `<string>{{ hermes_dir }}:{{ hermes_home_dir }}/.local/bin:${HOMEBREW_PATH}</string>`,
    )
    .replaceAll('/@@HOME@@', '{{ hermes_home_dir }}');
  out = optional(
    optional(optional(out, '--insecure', 'hermes_insecure'), '--isolated', 'hermes_isolated'),
    '--skip-build',
    'hermes_skip_build',
  );
  return assertFilled('plist', out);
}

/** What `--mode auto` picks per generation with Tailscale running (G0 has no mode: too old). */
export function modeByGeneration(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const g of ['G1', 'G2', 'G3'] as Generation[]) {
    out[g] = decideAccessMode({
      requested: 'auto',
      generation: g,
      version: '0',
      tailnetIp: '100.64.0.1',
      tailscaleState: 'Running',
      bind: 'tailnet',
    }).mode;
  }
  return out;
}

async function ansibleTemplate(name: string): Promise<string> {
  return readFile(join(templatesDir(), 'ansible', name), 'utf8');
}

const relative = (p: string): string => p.replace(/^~\//, '');

function fill(text: string): string {
  return text
    .replaceAll('@@TOKEN_KEY@@', TOKEN_KEY)
    .replaceAll('@@HARDENED@@', HARDENED)
    .replaceAll('@@ORIGIN_FIX@@', ORIGIN_FIX)
    .replaceAll('@@UNIT_PATH_REL@@', relative(PATHS.unitUser))
    .replaceAll('@@PLIST_PATH_REL@@', relative(PATHS.plistAgent))
    .replaceAll('@@UNIT_PATH@@', PATHS.unitUser)
    .replaceAll('@@PLIST_PATH@@', PATHS.plistAgent);
}

const TASKS = ['main', 'env', 'password', 'systemd', 'launchd', 'verify'];

/** Relative path → content of every exported file. */
export async function buildAnsibleExport(): Promise<Map<string, string>> {
  const role = 'roles/hermes_dashboard';
  const vars = `---\n# Generated by hermes-setup from decideAccessMode (src/hermes/access-mode.ts): what --mode auto picks.\nhermes_mode_by_generation:\n${Object.entries(
    modeByGeneration(),
  )
    .map(([g, m]) => `  ${g}: ${m}`)
    .join('\n')}\n`;
  const files: Array<[string, string]> = [
    ['playbook.yml', await ansibleTemplate('playbook.yml')],
    [`${role}/defaults/main.yml`, await ansibleTemplate('defaults.yml')],
    [`${role}/vars/main.yml`, vars],
    ...(await Promise.all(
      TASKS.map(async (t): Promise<[string, string]> => [
        `${role}/tasks/${t}.yml`,
        fill(await ansibleTemplate(`tasks/${t}.yml`)),
      ]),
    )),
    [`${role}/handlers/main.yml`, await ansibleTemplate('handlers.yml')],
    [`${role}/files/facts.sh`, await ansibleTemplate('facts.sh')],
    [`${role}/files/basic_auth_hash.py`, await ansibleTemplate('basic_auth_hash.py')],
    [`${role}/templates/hermes-dashboard.service.j2`, await renderUnitJinja()],
    [`${role}/templates/ai.hermes.dashboard.plist.j2`, await renderPlistJinja()],
    [`${role}/templates/hermes-setup-state.json.j2`, fill(await ansibleTemplate('state.json.j2'))],
  ];
  return new Map(files);
}
