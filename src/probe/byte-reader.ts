// Buffers everything a stream delivers so pure parsers can be applied to it in turn
// (response head, body, WebSocket frames) without juggling 'data' listeners.
import type { Duplex } from 'node:stream';
import { type Deadline, ProbeFailure, toProbeFailure } from './dial.js';

/** Returns a value and how many bytes it used, or undefined when more bytes are needed. */
export type ChunkParser<T> = (buf: Buffer, ended: boolean) => { value: T; consumed: number } | undefined;

export class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private ended = false;
  private failure: ProbeFailure | undefined;
  private wake: (() => void) | undefined;

  constructor(stream: Duplex) {
    stream.on('data', (chunk: Buffer | string) => {
      this.buf = Buffer.concat([this.buf, typeof chunk === 'string' ? Buffer.from(chunk) : chunk]);
      this.wake?.();
    });
    const finish = (): void => { this.ended = true; this.wake?.(); };
    stream.on('end', finish);
    stream.on('close', finish);
    stream.on('error', (err: Error) => { this.failure ??= toProbeFailure(err); finish(); });
  }

  /** Bytes received and not yet consumed (for diagnostics). */
  get pending(): Buffer {
    return this.buf;
  }

  /**
   * Resolves with the first value parse() can produce. Rejects with a `reset` ProbeFailure when the stream
   * ends first (`what` names the thing that was awaited) and a `timeout` one when the deadline passes.
   */
  read<T>(parse: ChunkParser<T>, deadline: Deadline, what: string): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (deadline.expired) { reject(new ProbeFailure('timeout', `timed out after ${deadline.ms} ms waiting for ${what}`, 'ETIMEDOUT')); return; }
      const off = deadline.onExpire(() => this.settle(off, () =>
        reject(new ProbeFailure('timeout', `timed out after ${deadline.ms} ms waiting for ${what}`, 'ETIMEDOUT'))));
      const attempt = (): void => {
        let out: { value: T; consumed: number } | undefined;
        try { out = parse(this.buf, this.ended); } catch (err) { this.settle(off, () => reject(toProbeFailure(err))); return; }
        if (out) {
          const { value, consumed } = out;
          this.buf = this.buf.subarray(consumed);
          this.settle(off, () => resolve(value));
        } else if (this.ended) {
          const cause = this.failure ? `: ${this.failure.message}` : '';
          this.settle(off, () => reject(new ProbeFailure(this.failure?.kind ?? 'reset', `connection closed before ${what}${cause}`, this.failure?.code)));
        }
      };
      this.wake = attempt;
      attempt();
    });
  }

  private settle(off: () => void, done: () => void): void {
    off();
    this.wake = undefined;
    done();
  }
}
