// What must hold before the first write, checked during the preflight (nothing written yet):
// somewhere to write, room to write it, and no public exposure nobody asked for.
import { stepError, usageError } from '../errors.js';
import { isLoopback, isPrivate, isTailnet, isWildcard } from '../probe/port.js';
import type { Converge, StepOutcome } from '../steps/context.js';

export const MIN_FREE_KB = 1024;

export function publicAddresses(addrs: string[]): string[] {
  return addrs.filter((a) => !isLoopback(a) && !isTailnet(a) && !isPrivate(a) && !/^fe80:/i.test(a) && !/^169\.254\./.test(a));
}

/** The exposure guard: never listen on a public address, directly or through a wildcard bind, without --allow-public. */
function checkExposure(c: Converge): void {
  const bind = c.decision?.bind;
  if (!bind || c.opts.allowPublic) return;
  const hint = 'bind the tailnet address (the default), use --mode tunnel, or pass --allow-public if you really mean it';
  if (!isWildcard(bind)) {
    if (isLoopback(bind) || isTailnet(bind) || isPrivate(bind)) return;
    throw usageError('E_PUBLIC_BIND', `binding the dashboard to ${bind} would expose it on a public address`, hint);
  }
  const pub = publicAddresses(c.facts.ifAddrs);
  if (pub.length) {
    throw usageError('E_PUBLIC_BIND', `--bind all would also listen on the public address${pub.length > 1 ? 'es' : ''} ${pub.join(', ')} of this host`, hint);
  }
}

function checkFunnel(c: Converge): void {
  // Any Funnel proxy to this port, whatever address it names (127.0.0.1, localhost, the tailnet IP, …).
  if (new RegExp(`https?://[^"/\\s]+:${c.opts.port}(?![0-9])`).test(c.facts.funnel)) {
    const port = String(c.opts.port);
    c.warnings.push(`Tailscale Funnel already publishes port ${port} to the Internet; hermes-setup never enables Funnel (turn it off: tailscale funnel reset)`);
  }
}

export function checkPreconditions(c: Converge, planned: StepOutcome[]): void {
  checkExposure(c);
  checkFunnel(c);
  if (!planned.some((o) => o.status === 'changed')) return;
  const f = c.facts;
  if (!f.writable) {
    throw stepError('E_NOT_WRITABLE', `${f.writableDir || '~/.hermes'} is not writable by ${f.user}`, `fix its ownership: sudo chown -R ${f.user} ${f.writableDir || '~/.hermes'}`);
  }
  if (f.freeKb !== undefined && f.freeKb < MIN_FREE_KB) {
    throw stepError('E_DISK_FULL', `only ${f.freeKb} KiB free on the filesystem of ${f.writableDir}`, 'free some space on the host, then rerun');
  }
}
