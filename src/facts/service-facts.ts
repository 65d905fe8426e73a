// The service managers' state in the facts script's output: `systemctl show` for the units, `launchctl print` and
// `print-disabled` for the launchd domains. Pure.
export interface SystemdUnitState {
  loadState: string;
  activeState: string;
  subState: string;
  mainPid: number;
  nRestarts: number;
  unitFileState: string;
  execMainStatus: number;
}

export interface LaunchdJob {
  loaded: boolean;
  state?: string;
  pid?: number;
  lastExitCode?: number;
  runs?: number;
}

export interface LaunchdFacts {
  guiAvailable: boolean;
  gui: LaunchdJob;
  user: LaunchdJob;
  system: LaunchdJob;
  disabledGui: string[];
  disabledUser: string[];
  disabledSystem: string[];
}

export function parseSystemdShow(text: string | undefined): SystemdUnitState | undefined {
  if (!text) return undefined;
  const kv = new Map(text.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)] as const));
  if (!kv.has('LoadState')) return undefined;
  return {
    loadState: kv.get('LoadState') ?? '',
    activeState: kv.get('ActiveState') ?? '',
    subState: kv.get('SubState') ?? '',
    mainPid: Number(kv.get('MainPID') ?? 0),
    nRestarts: Number(kv.get('NRestarts') ?? 0),
    unitFileState: kv.get('UnitFileState') ?? '',
    execMainStatus: Number(kv.get('ExecMainStatus') ?? 0),
  };
}

export function parseLaunchctlPrint(text: string | undefined): LaunchdJob {
  if (!text || !/^\S+ = \{/m.test(text)) return { loaded: false };
  const num = (re: RegExp) => {
    const m = re.exec(text);
    return m ? Number(m[1]) : undefined;
  };
  const job: LaunchdJob = { loaded: true };
  const state = /^\s*state = (\S+)/m.exec(text)?.[1];
  if (state) job.state = state;
  const pid = num(/^\s*pid = (\d+)/m);
  if (pid !== undefined) job.pid = pid;
  const last = num(/^\s*last exit code = (-?\d+)/m);
  if (last !== undefined) job.lastExitCode = last;
  const runs = num(/^\s*runs = (\d+)/m);
  if (runs !== undefined) job.runs = runs;
  return job;
}

export function parsePrintDisabled(text: string | undefined): string[] {
  return [...(text ?? '').matchAll(/"([^"]+)" => (?:disabled|true)/g)].map((m) => m[1]!);
}

export function launchdFacts(m: Map<string, string>): LaunchdFacts | undefined {
  if (!m.has('launchd.gui_rc')) return undefined;
  return {
    guiAvailable: m.get('launchd.gui_rc') === '0',
    gui: parseLaunchctlPrint(m.get('launchd.print_gui')),
    user: parseLaunchctlPrint(m.get('launchd.print_user')),
    system: parseLaunchctlPrint(m.get('launchd.print_system')),
    disabledGui: parsePrintDisabled(m.get('launchd.disabled_gui')),
    disabledUser: parsePrintDisabled(m.get('launchd.disabled_user')),
    disabledSystem: parsePrintDisabled(m.get('launchd.disabled_system')),
  };
}
