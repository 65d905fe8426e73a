/** A small argparse work-alike: prefix matching, usage lines, exit 2 on errors. */
export interface FlagSpec {
  name: string;
  dest: string;
  metavar?: string;
  type?: 'int' | 'str';
  help: string;
  hidden?: boolean;
  short?: string;
}

export type ParsedArgs = Record<string, string | boolean | number | undefined>;

export class UsageError extends Error {
  constructor(
    readonly usage: string,
    readonly prog: string,
    message: string,
  ) {
    super(message);
  }
}

export function formatUsage(prog: string, flags: FlagSpec[], tail = ''): string {
  const parts = flags
    .filter((f) => !f.hidden)
    .map((f) => {
      const opt = f.short ?? f.name;
      return f.metavar ? `[${opt} ${f.metavar}]` : `[${opt}]`;
    });
  return `usage: ${prog} [-h] ${parts.join(' ')}${tail}`.replace(/ +$/, '');
}

export function formatHelp(prog: string, flags: FlagSpec[], description: string): string {
  const lines = [
    formatUsage(prog, flags),
    '',
    description,
    '',
    'options:',
    '  -h, --help            show this help message and exit',
  ];
  for (const f of flags.filter((x) => !x.hidden)) {
    const names = (f.short ? `${f.short}, ` : '') + f.name + (f.metavar ? ` ${f.metavar}` : '');
    const head = `  ${names}`;
    lines.push(head.length >= 24 ? `${head}\n${' '.repeat(24)}${f.help}` : `${head.padEnd(24)}${f.help}`);
  }
  return lines.join('\n') + '\n';
}

function matchFlag(flags: FlagSpec[], token: string, prog: string, usage: string): FlagSpec | null {
  const exact = flags.find((f) => f.name === token || f.short === token);
  if (exact) return exact;
  if (!token.startsWith('--')) return null;
  const cands = flags.filter((f) => f.name.startsWith(token));
  if (cands.length === 1) return cands[0] ?? null;
  if (cands.length > 1) {
    const names = cands.map((c) => c.name).join(', ');
    throw new UsageError(usage, prog, `ambiguous option: ${token} could match ${names}`);
  }
  return null;
}

function convertValue(spec: FlagSpec, raw: string, prog: string, usage: string): string | number {
  if (spec.type !== 'int') return raw;
  if (!/^[+-]?\d+$/.test(raw.trim())) {
    throw new UsageError(usage, prog, `argument ${spec.name}: invalid int value: '${raw}'`);
  }
  return Number.parseInt(raw, 10);
}

/** Parses argv; returns parsed values, `help` flag and unrecognised leftovers (argparse collects them). */
export function parseFlags(
  argv: string[],
  flags: FlagSpec[],
  prog: string,
): { args: ParsedArgs; help: boolean; extras: string[]; given: Set<string> } {
  const usage = formatUsage(prog, flags);
  const args: ParsedArgs = {};
  const extras: string[] = [];
  const given = new Set<string>();
  let help = false;
  for (let i = 0; i < argv.length; i += 1) {
    const tok = argv[i] ?? '';
    if (tok === '-h' || tok === '--help') {
      help = true;
      continue;
    }
    const eq = tok.startsWith('--') ? tok.indexOf('=') : -1;
    const name = eq === -1 ? tok : tok.slice(0, eq);
    const spec = tok.startsWith('-') && tok !== '-' ? matchFlag(flags, name, prog, usage) : null;
    if (!spec) {
      extras.push(tok);
      continue;
    }
    given.add(spec.dest);
    if (!spec.metavar) {
      args[spec.dest] = true;
      continue;
    }
    let raw: string | undefined = eq === -1 ? argv[i + 1] : tok.slice(eq + 1);
    if (eq === -1) {
      if (raw === undefined || (raw.startsWith('-') && !/^-\d/.test(raw))) {
        throw new UsageError(usage, prog, `argument ${spec.name}: expected one argument`);
      }
      i += 1;
    }
    raw = raw ?? '';
    args[spec.dest] = convertValue(spec, raw, prog, usage);
  }
  return { args, help, extras, given };
}
