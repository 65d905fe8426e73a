// What the desktop app needs to know about a host, read over SSH: the converge record `remote` wrote
// (~/.hermes/.hermes-setup-state.json: mode, bind, port, tokenFingerprint) and the pinned token from ~/.hermes/.env.
import { TUNNEL_LOCAL_PORT } from '../constants.js';
import { stepError } from '../errors.js';
import { PATHS } from '../constants.js';
import { isWildcard } from '../probe/address.js';
import type { Remote } from '../transport/remote.js';
import { readDotenvValue } from '../render/env-file.js';
import { TOKEN_KEY, fingerprint } from '../secrets.js';
import { parseState } from '../state.js';

export interface HostFacts {
  mode: 'token' | 'password' | 'tunnel';
  bind: string;
  port: number;
  token?: string;
  /** Set when the token in .env is not the one `remote` recorded. */
  tokenMismatch: boolean;
}

export async function readHostFacts(remote: Remote): Promise<HostFacts> {
  const [stateBuf, envBuf] = await Promise.all([remote.readFile(PATHS.state), remote.readFile(PATHS.env)]);
  const state = parseState(stateBuf);
  if (!state) {
    throw stepError(
      'E_DESKTOP_NOT_SET_UP',
      `${remote.label} has no ${PATHS.state} (hermes-setup has not set up the dashboard there)`,
      `run hermes-setup remote ${remote.label.replace(/:22$/, '')} first`,
    );
  }
  const mode = state.mode === 'password' || state.mode === 'tunnel' ? state.mode : 'token';
  const token = envBuf ? readDotenvValue(envBuf.toString('utf8'), TOKEN_KEY) : undefined;
  return {
    mode,
    bind: state.bind,
    port: state.port,
    ...(token ? { token } : {}),
    tokenMismatch: !!token && fingerprint(token) !== state.tokenFingerprint,
  };
}

/** The host part of a Remote label such as `deploy@10.0.0.5:22` or `deploy@[fd00::1]:22`. */
export function hostOfLabel(label: string): string {
  const afterAt = label.includes('@') ? label.slice(label.lastIndexOf('@') + 1) : label;
  const v6 = /^\[([^\]]+)\](?::\d+)?$/.exec(afterAt);
  return v6 ? v6[1]! : afterAt.replace(/:\d+$/, '');
}

/** The URL the app should use: the tunnel's local end, the bind address, or (wildcard bind) the SSH host. */
export function dashboardUrl(f: HostFacts, sshHost: string): string {
  if (f.mode === 'tunnel') return `http://127.0.0.1:${TUNNEL_LOCAL_PORT}`;
  const host = isWildcard(f.bind) ? sshHost : f.bind;
  return `http://${host.includes(':') ? `[${host}]` : host}:${f.port}`;
}
