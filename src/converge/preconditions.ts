// What must hold before the first write, checked during the preflight (nothing written yet): somewhere to write,
// room to write it, and no public exposure nobody asked for. Pure: inputs in, warnings out (or a refusal).
import { stepError, usageError } from '../errors.js';
import { isLoopback, isPrivate, isTailnet, isWildcard } from '../probe/address.js';
import type { ConvergeInputs } from './inputs.js';

export const MIN_FREE_KB = 1024;

export function publicAddresses(addrs: string[]): string[] {
  return addrs.filter(
    (a) => !isLoopback(a) && !isTailnet(a) && !isPrivate(a) && !/^fe80:/i.test(a) && !/^169\.254\./.test(a),
  );
}

/** The exposure guard: never listen on a public address, directly or through a wildcard bind, without --allow-public. */
function checkExposure(i: ConvergeInputs): void {
  const bind = i.decision?.bind;
  if (!bind || i.opts.allowPublic) return;
  const hint =
    'bind the tailnet address (the default), use --mode tunnel, or pass --allow-public if you really mean it';
  if (!isWildcard(bind)) {
    if (isLoopback(bind) || isTailnet(bind) || isPrivate(bind)) return;
    throw usageError('E_PUBLIC_BIND', `binding the dashboard to ${bind} would expose it on a public address`, hint);
  }
  const pub = publicAddresses(i.facts.ifAddrs);
  if (pub.length)
    throw usageError(
      'E_PUBLIC_BIND',
      `--bind all would also listen on the public address${pub.length > 1 ? 'es' : ''} ${pub.join(', ')} of this host`,
      hint,
    );
}

function funnelWarnings(i: ConvergeInputs): string[] {
  // Any Funnel proxy to this port, whatever address it names (127.0.0.1, localhost, the tailnet IP, …).
  if (!new RegExp(`https?://[^"/\\s]+:${i.opts.port}(?![0-9])`).test(i.facts.funnel)) return [];
  return [
    `Tailscale Funnel already publishes port ${i.opts.port} to the Internet; hermes-setup never enables Funnel (turn it off: tailscale funnel reset)`,
  ];
}

/** Refuses what must not be done; returns warnings. `changes` is how many planned steps would change the host. */
export function checkPreconditions(i: ConvergeInputs, changes: number): string[] {
  checkExposure(i);
  const warnings = funnelWarnings(i);
  if (changes === 0) return warnings;
  const f = i.facts;
  if (!f.writable)
    throw stepError(
      'E_NOT_WRITABLE',
      `${f.writableDir || '~/.hermes'} is not writable by ${f.user}`,
      `fix its ownership: sudo chown -R ${f.user} ${f.writableDir || '~/.hermes'}`,
    );
  if (f.freeKb !== undefined && f.freeKb < MIN_FREE_KB)
    throw stepError(
      'E_DISK_FULL',
      `only ${f.freeKb} KiB free on the filesystem of ${f.writableDir}`,
      'free some space on the host, then rerun',
    );
  return warnings;
}
