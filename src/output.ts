// Terminal output: colour only on a TTY, never when NO_COLOR is set (https://no-color.org); a reader that goes
// away (`| head -1`) never aborts the work: further output is dropped and the command finishes (docs: README
// "Pipes"); long summary lines wrap at spaces to the terminal's width, never inside a word, token or URL.
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

export function colorsFor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): Colors {
  const noColor = env.NO_COLOR !== undefined && env.NO_COLOR !== '';
  const force = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== '';
  return pc.createColors(!noColor && (force || stream.isTTY === true));
}

const closed = new WeakSet<NodeJS.WriteStream>();
const guarded = new WeakSet<NodeJS.WriteStream>();

/** Output errors (EPIPE: the reader went away; EIO: the terminal closed) end that stream's output, never the run. */
export function guardStreams(streams: NodeJS.WriteStream[] = [process.stdout, process.stderr]): void {
  for (const s of streams) {
    if (guarded.has(s)) continue;
    guarded.add(s);
    s.on('error', () => {
      closed.add(s);
    });
  }
}

/** Writes unless the stream's reader is gone. */
export function write(stream: NodeJS.WriteStream, text: string): void {
  if (closed.has(stream) || stream.destroyed) return;
  try {
    stream.write(text);
  } catch {
    closed.add(stream);
  }
}

export const out = {
  line(text: string): void {
    write(process.stdout, `${text}\n`);
  },
  json(value: unknown): void {
    write(process.stdout, `${JSON.stringify(value, null, 2)}\n`);
  },
  err(text: string): void {
    write(process.stderr, `${text}\n`);
  },
};

/** "1 step", "3 steps", "1 problem"; `many` for irregular plurals. */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** No colour at all (pure renderers' default). */
export const plain: Colors = pc.createColors(false);

/** Ansible's colours: ok green, changed yellow, failed red, skipped cyan; check's FAIL red, skip cyan. */
export function statusColor(c: Colors, status: string): (text: string) => string {
  switch (status) {
    case 'ok':
    case 'healthy':
      return c.green;
    case 'changed':
      return c.yellow;
    case 'failed':
    case 'FAIL':
    case 'unreachable':
    case 'PROBLEM':
    case 'unhealthy':
      return c.red;
    case 'skipped':
    case 'skip':
    case 'note':
      return c.cyan;
    case 'not run':
      return c.dim;
    default:
      return (t) => t;
  }
}

export function paintStatus(c: Colors, status: string): string {
  return statusColor(c, status)(status);
}

/** A unified diff with + green, - red, @@ cyan (file headers bold). */
export function paintDiff(c: Colors, diff: string): string {
  return diff
    .split('\n')
    .map((l) =>
      /^(\+\+\+|---) /.test(l)
        ? c.bold(l)
        : l.startsWith('+')
          ? c.green(l)
          : l.startsWith('-')
            ? c.red(l)
            : l.startsWith('@@')
              ? c.cyan(l)
              : l,
    )
    .join('\n');
}

// SGR sequences
const ANSI = /\x1b\[[0-9;]*m/g;

export function visibleLength(s: string): number {
  return [...s.replace(ANSI, '')].length;
}

/**
 * Wraps one line at spaces to `width` columns; continuation lines start with `indent` spaces. A word longer than
 * the room left is put on its own line whole (the terminal may fold it, but it is never cut by us).
 */
export function wrapLine(text: string, width: number | undefined, indent = 0): string[] {
  if (!width || width < 20 || visibleLength(text) <= width) return [text];
  const lead = /^ */.exec(text)?.[0] ?? '';
  const parts = text.slice(lead.length).split(/( +)/);
  const lines: string[] = [];
  let cur = lead + (parts[0] ?? '');
  for (let n = 1; n < parts.length; n += 2) {
    const sep = parts[n]!;
    const word = parts[n + 1] ?? '';
    if (visibleLength(cur) + sep.length + visibleLength(word) <= width) {
      cur += sep + word;
      continue;
    }
    lines.push(cur);
    cur = ' '.repeat(indent) + word;
  }
  if (cur.trim() !== '') lines.push(cur);
  return lines;
}

/** The terminal's width, only when output goes to a terminal (pipes and logs keep one line per item). */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number | undefined {
  return stream.isTTY === true && stream.columns ? stream.columns : undefined;
}
