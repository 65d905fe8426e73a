/**
 * Per-IP failure counting (§18.7 "Rate limits"): failures are counted in two buckets ("pairing" for codes,
 * "session" for session/refresh tokens), each with its own threshold and block length, but there is ONE block
 * table per IP: a block earned in either bucket refuses that IP's every upgrade. The block is only checked at the
 * WebSocket upgrade (the caller answers 429 text/plain, no Retry-After). Any new loopback mint clears all blocks.
 */
import type { BucketLimits } from './config.cjs';

export type BucketName = 'pairing' | 'session';

export class RateLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();

  /** True while `ip` is blocked (either bucket earned it). */
  isBlocked(ip: string): boolean {
    const until = this.blockedUntil.get(ip) ?? 0;
    if (until > Date.now()) return true;
    this.blockedUntil.delete(ip);
    return false;
  }

  recordFailure(bucket: BucketName, ip: string, limits: BucketLimits): void {
    const key = `${bucket}:${ip}`;
    const now = Date.now();
    const recent = (this.failures.get(key) ?? []).filter((t) => now - t < limits.windowSeconds * 1000);
    recent.push(now);
    this.failures.set(key, recent);
    if (recent.length >= limits.max) {
      this.blockedUntil.set(ip, Math.max(this.blockedUntil.get(ip) ?? 0, now + limits.blockSeconds * 1000));
      this.failures.delete(key);
      process.stderr.write(
        `[WARNING] IP ${ip} blocked for ${limits.blockSeconds}s after ${limits.max} failed ${bucket} attempts\n`,
      );
    }
  }

  /** §18.7: any new loopback mint clears all blocks (and the failure counts with them). */
  clearAll(): void {
    this.failures.clear();
    this.blockedUntil.clear();
  }
}
