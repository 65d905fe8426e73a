/** Per-IP failure counting in separate buckets ("pairing", "session"); a full bucket blocks that IP for a while. */
import type { BucketLimits } from './config.cjs';

export type BucketName = 'pairing' | 'session';

interface Entry { failures: number[]; blockedUntil: number }

export class RateLimiter {
  private readonly entries = new Map<string, Entry>();

  private entry(bucket: BucketName, ip: string): Entry {
    const key = `${bucket}:${ip}`;
    let e = this.entries.get(key);
    if (!e) { e = { failures: [], blockedUntil: 0 }; this.entries.set(key, e); }
    return e;
  }

  /** Seconds until the block ends, or 0 when not blocked. */
  blockedFor(bucket: BucketName, ip: string): number {
    const left = this.entry(bucket, ip).blockedUntil - Date.now();
    return left > 0 ? Math.ceil(left / 1000) : 0;
  }

  recordFailure(bucket: BucketName, ip: string, limits: BucketLimits): void {
    const e = this.entry(bucket, ip);
    const now = Date.now();
    e.failures = e.failures.filter((t) => now - t < limits.windowSeconds * 1000);
    e.failures.push(now);
    if (e.failures.length >= limits.max) {
      e.blockedUntil = now + limits.blockSeconds * 1000;
      e.failures = [];
      process.stderr.write(`[WARNING] IP ${ip} blocked for ${limits.blockSeconds}s after ${limits.max} failed ${bucket} attempts\n`);
    }
  }

  recordSuccess(bucket: BucketName, ip: string): void {
    this.entries.delete(`${bucket}:${ip}`);
  }
}
