// What a rendered service runs. Shared by the systemd and launchd renderers.

export interface ServiceSpec {
  /** argv; argv[0] must be an absolute path (launchd resolves it before PATH applies). */
  programArguments: string[];
  /** Absolute ~/.hermes of the service user. */
  hermesHome: string;
  /** Absolute home of the service user. */
  home: string;
  /** PATH for the service (Homebrew prefixes on macOS). */
  path: string;
  /** Absolute log directory (launchd: StandardOutPath parent; must exist before load). */
  logDir: string;
  /** Access mode, recorded in a comment. */
  mode: string;
  /** System-scope variants only. */
  user?: string;
  group?: string;
}

export function assertAbsolute(what: string, p: string | undefined): string {
  if (!p || !p.startsWith('/')) throw new Error(`${what} must be an absolute path, got ${JSON.stringify(p)}`);
  return p;
}

/** Fills {{NAME}} placeholders; every placeholder must be provided. */
export function fillPlaceholders(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{([A-Z_]+)\}\}/g, (_m, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`template placeholder {{${name}}} has no value`);
    return v;
  });
}
