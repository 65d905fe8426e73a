// The CLI under a real pseudo-terminal of a set width (util-linux `script`): what a user's terminal receives, byte
// for byte. Ctrl-C is a real ^C byte typed into the terminal: the line discipline turns it into SIGINT for the
// foreground process group, as a keyboard would.
import { execa } from 'execa';
import { CLI } from './cli.js';

export interface PtyResult {
  code: number;
  output: string;
}

export interface PtyOptions {
  env?: NodeJS.ProcessEnv;
  cols?: number;
  rows?: number;
  /** Resolves when ^C should be typed (e.g. once the remote lock is held). */
  interruptWhen?: () => Promise<void>;
  timeoutMs?: number;
}

const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export async function runOnPty(args: string[], o: PtyOptions = {}): Promise<PtyResult> {
  const inner = `stty cols ${o.cols ?? 100} rows ${o.rows ?? 40}; exec node ${shq(CLI)} ${args.map(shq).join(' ')}`;
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !['NO_COLOR', 'FORCE_COLOR', 'COLUMNS', 'LINES'].includes(k)),
  );
  const child = execa('script', ['-qfec', inner, '/dev/null'], {
    reject: false,
    stdin: 'pipe',
    timeout: o.timeoutMs ?? 180_000,
    stripFinalNewline: false,
    extendEnv: false,
    env: { ...base, TERM: 'xterm-256color', SSH_AUTH_SOCK: '', ...o.env },
  });
  if (o.interruptWhen) {
    void o.interruptWhen().then(() => {
      child.stdin?.write('\x03');
    });
  }
  const r = await child;
  return { code: r.exitCode ?? -1, output: String(r.stdout) };
}

const ESC = /\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07/g;

/** The text without escapes and carriage returns (for matching words, not the screen layout). */
export function plainText(output: string): string {
  return output.replace(ESC, '').replace(/\r/g, '');
}
