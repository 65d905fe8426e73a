// A process kept running with its stdin open (the facts exec that then takes and holds the host lock), read in
// parts: each part of its stdout ends at a marker line. The same for both transports.

/** Waits for `p`, at most `ms`; the timer never keeps the process alive after `p` settles. */
export async function waitAtMost(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      p,
      new Promise((res) => {
        timer = setTimeout(res, ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export interface HoldOptions {
  /** Written to the process's stdin, which then stays open until release(). */
  stdin: string;
  /** The stdout line that ends the first part (the process keeps running). */
  until: string;
  /** Each stdout line before `until`, as it arrives. */
  onLine?: (line: string) => void;
  timeoutMs: number;
}

export interface HeldPart {
  /** stdout of this part, without its marker line (all that is left when the process ended first). */
  stdout: string;
  /** Everything on stderr so far. */
  stderr: string;
  /** The exit code when the process ended before the marker (124: timed out); undefined while it runs. */
  code?: number;
}

export interface HeldRun extends HeldPart {
  /** Writes `input` to stdin, then reads the next part. */
  next(input: string, o: Omit<HoldOptions, 'stdin'>): Promise<HeldPart>;
  /** Closes stdin (the process sees EOF) and waits, at most 3 s, for it to exit. */
  release(): Promise<void>;
}

/** A process as watchHeld sees it, whichever transport runs it. */
export interface HeldProcess {
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
  /** Resolves with the exit code once the process has ended and its streams are closed. */
  exited: Promise<number>;
  write(text: string): void;
  /** Closes stdin. */
  end(): void;
  /** Stops the process (timeout). */
  kill(): void;
}

interface Waiter {
  o: Omit<HoldOptions, 'stdin'>;
  resolve: (p: HeldPart) => void;
  timer: NodeJS.Timeout;
}

/** Splits a held process's stdout at marker lines, one part per wait. */
class PartReader {
  private out = '';
  private err = '';
  private from = 0;
  private start = 0;
  private code?: number;
  private timedOut = false;
  private waiter?: Waiter;

  constructor(private readonly p: HeldProcess) {
    p.stdout.setEncoding('utf8');
    p.stderr.setEncoding('utf8');
    p.stdout.on('data', (d: string) => {
      this.out += d;
      this.scan();
    });
    p.stderr.on('data', (d: string) => {
      this.err += d;
    });
    void p.exited.then((code) => {
      this.code = code;
      this.settle({ stdout: this.out.slice(this.start), stderr: this.err, code: this.timedOut ? 124 : code });
    });
  }

  wait(o: Omit<HoldOptions, 'stdin'>): Promise<HeldPart> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timedOut = true;
        this.p.kill();
      }, o.timeoutMs);
      this.waiter = { o, resolve, timer };
      this.scan();
      if (this.code !== undefined)
        this.settle({ stdout: this.out.slice(this.start), stderr: this.err, code: this.code });
    });
  }

  private scan(): void {
    for (let nl = this.out.indexOf('\n', this.from); this.waiter && nl >= 0; nl = this.out.indexOf('\n', this.from)) {
      const lineStart = this.from;
      const line = this.out.slice(lineStart, nl);
      this.from = nl + 1;
      if (line === this.waiter.o.until) {
        this.settle({ stdout: this.out.slice(this.start, lineStart), stderr: this.err });
        this.start = this.from;
      } else this.waiter.o.onLine?.(line);
    }
  }

  private settle(part: HeldPart): void {
    const w = this.waiter;
    if (!w) return;
    this.waiter = undefined;
    clearTimeout(w.timer);
    w.resolve(part);
  }
}

/** Sends `o.stdin`, reads the first part; the rest through next(). See Remote.holdUntil. */
export async function watchHeld(p: HeldProcess, o: HoldOptions): Promise<HeldRun> {
  const reader = new PartReader(p);
  p.write(o.stdin);
  const first = await reader.wait(o);
  return {
    ...first,
    next: (input, next) => {
      p.write(input);
      return reader.wait(next);
    },
    release: async () => {
      p.end();
      await waitAtMost(p.exited, 3000);
    },
  };
}
