// The user-facing error for a failed SSH connection: authentication, refusal, DNS, routing, timeout, or other.
import { unreachableError } from '../errors.js';

type ConnectError = NodeJS.ErrnoException & { level?: string };

export function mapConnectError(err: unknown, where: string, timeoutMs: number, notes: string[]): Error {
  const e = err as ConnectError;
  const msg = e?.message ?? String(err);
  if (e?.level === 'client-authentication') return authError(err, where, notes);
  const network = networkError(e?.code, err, where);
  if (network) return network;
  if (e?.code === 'ETIMEDOUT' || /timed out|timeout/i.test(msg)) {
    return unreachableError(
      'E_UNREACHABLE',
      `cannot connect to ${where}: timed out after ${Math.round(timeoutMs / 1000)} s`,
      'is the host up? try --connect-timeout 30 on slow links',
      err,
    );
  }
  return unreachableError(
    'E_UNREACHABLE',
    `SSH connection to ${where} failed: ${msg.split('\n')[0]}`,
    'rerun with --debug for details',
    err,
  );
}

function authError(err: unknown, where: string, notes: string[]): Error {
  const extra = notes.length ? ` (${notes.join('; ')})` : '';
  return unreachableError(
    'E_SSH_AUTH',
    `SSH authentication as ${where} failed: the server refused every key offered${extra}`,
    `check the user name, and that your public key is in ~/.ssh/authorized_keys on the host (ssh-copy-id ${where.replace(/:\d+$/, '')})`,
    err,
  );
}

/** Refused, unresolvable or unroutable: undefined for any other code. */
function networkError(code: string | undefined, err: unknown, where: string): Error | undefined {
  switch (code) {
    case 'ECONNREFUSED':
      return unreachableError(
        'E_UNREACHABLE',
        `cannot connect to ${where}: connection refused`,
        'is sshd running and is the port right? (ssh -v to check)',
        err,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return unreachableError(
        'E_UNREACHABLE',
        `cannot resolve the host in ${where}`,
        'check the host name, your DNS, or use the Tailscale IP',
        err,
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return unreachableError(
        'E_UNREACHABLE',
        `cannot reach ${where}: no route to host`,
        'is the host up and on your network / tailnet?',
        err,
      );
    default:
      return undefined;
  }
}
