// Sets up the Hermes desktop app on this machine for a host that `remote` converged: connection.json with the
// URL and auth mode, the token only when asked (--store-token-plain), otherwise the steps and env lines to finish.
import { TUNNEL_LOCAL_PORT } from '../constants.js';
import type { Remote } from '../transport/remote.js';
import { fingerprint } from '../secrets.js';
import { type AuthMode, type RemoteConnection, applyConnection, readConnectionFile, validateProfileName, writeConnectionFile } from './connection-file.js';
import { dashboardUrl, hostOfLabel, readHostFacts } from './host-facts.js';
import { connectionFilePath, desktopUserDataDir } from './user-data.js';

export interface ConfigureDesktopOptions {
  /** Write into profiles.<name> instead of the global remote connection. */
  profile?: string;
  /** Write the token as {"encoding":"plain"} (unencrypted on disk). */
  storeTokenPlain?: boolean;
  /** Default: HERMES_DESKTOP_USER_DATA_DIR, else this OS's Electron userData for `Hermes`. */
  userDataDir?: string;
  /** How the user reaches the host over SSH (for the tunnel and token commands); default from remote.label. */
  sshTarget?: string;
  /** The host's address for a wildcard (0.0.0.0) bind; default from remote.label. */
  host?: string;
  /** Use this URL instead of the one derived from the host's state. */
  url?: string;
}

export interface DesktopResult {
  file: string;
  profile?: string;
  url: string;
  mode: 'token' | 'password' | 'tunnel';
  authMode: AuthMode;
  tokenStored: boolean;
  tokenFingerprint?: string;
  tunnelCommand?: string;
  /** What the user still has to do (Settings steps, env lines). Never contains a secret. */
  steps: string[];
  warnings: string[];
}

function sshTargetOf(o: ConfigureDesktopOptions, remote: Remote): string {
  return o.sshTarget ?? remote.label.replace(/:22$/, '');
}

function nextSteps(r: DesktopResult, sshTarget: string): string[] {
  const steps: string[] = [];
  if (r.tunnelCommand) steps.push(`Keep the tunnel open while you use the app: ${r.tunnelCommand}`);
  if (r.mode === 'password') {
    steps.push(`Open the app: Settings > Gateway > Remote connection shows ${r.url}; sign in with the dashboard user and the password hermes-setup stored for this host`);
    return steps;
  }
  if (r.tokenStored) return steps;
  const fetch = `$(ssh ${sshTarget} 'sed -n "s/^HERMES_DASHBOARD_SESSION_TOKEN=//p" ~/.hermes/.env')`;
  steps.push(`Open the app: Settings > Gateway > Remote connection → URL ${r.url}, paste the token (fingerprint ${r.tokenFingerprint ?? 'unknown'}), Save`);
  steps.push('or start the app with the env pair (token auth only; overrides the global remote):');
  steps.push(`  HERMES_DESKTOP_REMOTE_URL=${r.url}`);
  steps.push(`  HERMES_DESKTOP_REMOTE_TOKEN=${fetch}`);
  return steps;
}

export async function configureDesktop(remote: Remote, o: ConfigureDesktopOptions = {}): Promise<DesktopResult> {
  const profile = o.profile === undefined ? undefined : validateProfileName(o.profile);
  const facts = await readHostFacts(remote);
  const url = o.url ?? dashboardUrl(facts, o.host ?? hostOfLabel(remote.label));
  const authMode: AuthMode = facts.mode === 'password' ? 'oauth' : 'token';
  const warnings: string[] = [];
  if (facts.mode !== 'password' && !facts.token) warnings.push(`no ${'HERMES_DASHBOARD_SESSION_TOKEN'} in ~/.hermes/.env on ${remote.label}: rerun hermes-setup remote first`);
  if (facts.tokenMismatch) warnings.push('the token in ~/.hermes/.env is not the one hermes-setup recorded (edited by hand?): rerun hermes-setup remote to re-pin it');
  const writeToken = o.storeTokenPlain === true && authMode === 'token' && facts.token !== undefined;
  const conn: RemoteConnection = { url, authMode, ...(writeToken ? { token: { encoding: 'plain', value: facts.token! } } : {}) };
  const file = connectionFilePath(o.userDataDir ?? desktopUserDataDir());
  await writeConnectionFile(file, applyConnection(await readConnectionFile(file), conn, profile));
  if (writeToken) {
    warnings.push(`the token is stored unencrypted in ${file} (the app normally encrypts it with the OS keychain): anyone who can read that file can use the dashboard; re-save it in the app's Settings to encrypt it`);
  }
  const sshTarget = sshTargetOf(o, remote);
  const result: DesktopResult = {
    file, ...(profile ? { profile } : {}), url, mode: facts.mode, authMode, tokenStored: writeToken,
    ...(facts.token ? { tokenFingerprint: fingerprint(facts.token) } : {}),
    ...(facts.mode === 'tunnel' ? { tunnelCommand: `ssh -N -L ${TUNNEL_LOCAL_PORT}:127.0.0.1:${facts.port} ${sshTarget}` } : {}),
    steps: [], warnings,
  };
  result.steps = nextSteps(result, sshTarget);
  return result;
}
