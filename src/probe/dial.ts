// Dialling: the only impure edge of the probes. A Dial opens a raw byte stream to host:port; over SSH it is
// ssh2's forwardOut (nothing needed on the remote host), locally net.connect. Everything else in src/probe
// speaks bytes over whatever Dial returns.
import net from 'node:net';
import type { Duplex } from 'node:stream';

export type Dial = (host: string, port: number) => Promise<Duplex>;

/** Why a connection could not carry a request. `protocol` = bytes arrived but made no sense. */
export type FailureKind = 'refused' | 'timeout' | 'reset' | 'unreachable' | 'protocol';

export class ProbeFailure extends Error {
  readonly kind: FailureKind;
  readonly code: string | undefined;

  constructor(kind: FailureKind, message: string, code?: string) {
    super(message);
    this.name = 'ProbeFailure';
    this.kind = kind;
    this.code = code;
  }
}

const KIND_BY_CODE: Record<string, FailureKind> = {
  ECONNREFUSED: 'refused',
  ETIMEDOUT: 'timeout',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
};

/**
 * Maps a dial/stream error to a FailureKind. Node errors carry `code`; ssh2 forwardOut failures carry only a
 * message ("(SSH) Channel open failure: Connection refused" / "... open failed"), so fall back to the text.
 */
export function classifyDialError(err: unknown): FailureKind {
  if (err instanceof ProbeFailure) return err.kind;
  const msg = err instanceof Error ? err.message : String(err);
  // An SSH channel-open failure names the remote errno in text; trust that over any code a wrapper guessed.
  if (/channel open failure|open failed/i.test(msg)) return classifyByText(msg);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && KIND_BY_CODE[code]) return KIND_BY_CODE[code];
  return classifyByText(msg);
}

function classifyByText(msg: string): FailureKind {
  if (/refused/i.test(msg)) return 'refused';
  if (/no route|unreachable|prohibited|not known|resolve/i.test(msg)) return 'unreachable';
  if (/timed? ?out/i.test(msg)) return 'timeout';
  if (/reset|closed|aborted|EOF/i.test(msg)) return 'reset';
  return 'unreachable';
}

/** A ProbeFailure from any error, keeping the errno code (ECONNREFUSED, ETIMEDOUT, …) when there is one. */
export function toProbeFailure(err: unknown): ProbeFailure {
  if (err instanceof ProbeFailure) return err;
  const code = (err as { code?: unknown } | null)?.code;
  const msg = err instanceof Error ? err.message : String(err);
  return new ProbeFailure(classifyDialError(err), msg, typeof code === 'string' ? code : undefined);
}

/** net.connect-based Dial. Rejects with the socket error (code preserved) or an ETIMEDOUT ProbeFailure. */
export function dialTcp(timeoutMs = 5000): Dial {
  return (host, port) =>
    new Promise<Duplex>((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new ProbeFailure(
            'timeout',
            `connect ETIMEDOUT ${host}:${port} (no answer within ${timeoutMs} ms)`,
            'ETIMEDOUT',
          ),
        );
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeListener('error', onError);
        resolve(socket);
      });
      const onError = (err: Error): void => {
        clearTimeout(timer);
        socket.destroy();
        reject(err);
      };
      socket.once('error', onError);
    });
}

/** One hard time limit shared by every stage of an exchange (dial, write, read). */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  readonly ms: number;

  constructor(ms: number) {
    this.ms = ms;
    this.timer = setTimeout(() => this.controller.abort(), ms);
  }

  get expired(): boolean {
    return this.controller.signal.aborted;
  }

  /** Calls fn once when the deadline passes (immediately if it already has). Returns an unsubscribe. */
  onExpire(fn: () => void): () => void {
    const signal = this.controller.signal;
    if (signal.aborted) {
      fn();
      return () => undefined;
    }
    signal.addEventListener('abort', fn, { once: true });
    return () => signal.removeEventListener('abort', fn);
  }

  clear(): void {
    clearTimeout(this.timer);
  }
}

/** Dials within the deadline; a stream that arrives after the deadline is destroyed, never leaked. */
export function dialWithin(dial: Dial, host: string, port: number, deadline: Deadline): Promise<Duplex> {
  return new Promise<Duplex>((resolve, reject) => {
    let settled = false;
    const off = deadline.onExpire(() => {
      if (settled) return;
      settled = true;
      reject(new ProbeFailure('timeout', `no connection to ${host}:${port} within ${deadline.ms} ms`, 'ETIMEDOUT'));
    });
    dial(host, port).then(
      (stream) => {
        off();
        if (settled) {
          stream.destroy();
          return;
        }
        settled = true;
        resolve(stream);
      },
      (err: unknown) => {
        off();
        if (settled) return;
        settled = true;
        reject(toProbeFailure(err));
      },
    );
  });
}
