// The exposure guard: never listen on a public address without --allow-public.
import { usageError } from '../errors.js';
import { isLoopback, isPrivate, isTailnet, isWildcard } from '../probe/port.js';

export function guardExposure(bind: string, allowPublic: boolean): void {
  if (allowPublic || isLoopback(bind) || isTailnet(bind) || isPrivate(bind) || isWildcard(bind)) return;
  throw usageError('E_PUBLIC_BIND', `binding the dashboard to ${bind} would expose it on a public address`,
    'bind the tailnet address (default), use --mode tunnel, or pass --allow-public if you really mean it');
}
