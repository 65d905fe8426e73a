/** Pending pairing codes: 6 characters [A-Z0-9], single use, with a TTL; metadata only from loopback registration. */
import crypto from 'node:crypto';
import { nowSec } from './config.cjs';

export interface PairingMeta {
  code: string;
  expiresAt: number;
  ttlSeconds?: number;
  grants?: Record<string, number>;
  transportHint?: string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
export const CODE_RE = /^[A-Z0-9]{6}$/;

export class PairingManager {
  private readonly codes = new Map<string, PairingMeta>();

  generateCode(): string {
    for (;;) {
      const bytes = crypto.randomBytes(6);
      const code = Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
      if (!this.codes.has(code)) return code;
    }
  }

  register(meta: PairingMeta): void {
    this.prune();
    this.codes.set(meta.code, meta);
  }

  /** The code's metadata when it is pending and unexpired; the code is gone afterwards either way. */
  consume(code: string): PairingMeta | undefined {
    const meta = this.codes.get(code);
    this.codes.delete(code);
    if (!meta || meta.expiresAt <= nowSec()) return undefined;
    return meta;
  }

  private prune(): void {
    const now = nowSec();
    for (const [code, meta] of this.codes) if (meta.expiresAt <= now) this.codes.delete(code);
  }
}
