// Sets up the Hermes desktop app on this machine for a host that `remote` converged: connection.json (planned in
// ./connection-plan.ts so the app can always start), a backup before an existing connection is replaced, a warning
// when the app is running, and the exact steps left to do.
import { TUNNEL_LOCAL_PORT } from '../constants.js';
import type { Remote } from '../transport/remote.js';
import { fingerprint } from '../secrets.js';
import { findDesktopApp, type AppProcess } from './app-process.js';
import {
  backupConnectionFile,
  readConnectionFile,
  validateProfileName,
  writeConnectionFile,
} from './connection-file.js';
import { type AuthMode, type ConnectionPlan, type TokenAction, planConnection } from './connection-plan.js';
import { renderSteps } from './desktop-steps.js';
import { dashboardUrl, hostOfLabel, readHostFacts } from './host-facts.js';
import { connectionFilePath, desktopUserDataDir, otherAppFolders } from './user-data.js';

export interface ConfigureDesktopOptions {
  /** Write into profiles.<name> instead of the global connection. */
  profile?: string;
  /** Write the token as {"encoding":"plain"} (unencrypted on disk). */
  storeTokenPlain?: boolean;
  /** The app's userData folder (another build: Light, bundled, canary); default: HERMES_DESKTOP_USER_DATA_DIR or this OS's. */
  userDataDir?: string;
  /** How the user reaches the host over SSH (for the tunnel and token commands); default from remote.label. */
  sshTarget?: string;
  /** The host's address for a wildcard (0.0.0.0) bind; default from remote.label. */
  host?: string;
  /** Use this URL instead of the one derived from the host's state. */
  url?: string;
  /** Test seam: the running-app check. */
  findApp?: () => Promise<AppProcess[]>;
}

export interface DesktopResult {
  file: string;
  profile?: string;
  url: string;
  mode: 'token' | 'password' | 'tunnel';
  authMode: AuthMode;
  /** The app (or the profile) uses this connection now. */
  active: boolean;
  written: boolean;
  tokenStored: boolean;
  tokenAction: TokenAction;
  tokenFingerprint?: string;
  tunnelCommand?: string;
  backup?: string;
  appRunning: AppProcess[];
  /** What the user still has to do. Never contains a secret. */
  steps: string[];
  notes: string[];
  warnings: string[];
}

const TOKEN_NOTES: Partial<Record<TokenAction, string>> = {
  updated:
    "updated the plain-text token in connection.json: it no longer matched the host's (rotated with remote --rotate-token?); the app would have been refused",
  removed: 'removed the stored token: this host signs in with a password, not a token',
  'kept-encrypted':
    "kept the app's own encrypted token for this URL (hermes-setup cannot read it; if the app is refused, paste the token again)",
};

function warningsFor(
  facts: Awaited<ReturnType<typeof readHostFacts>>,
  label: string,
  plan: ConnectionPlan,
  file: string,
  app: AppProcess[],
): string[] {
  const w: string[] = [];
  if (app.length > 0) {
    w.push(
      `the Hermes desktop app is running (pid ${app.map((p) => p.pid).join(', ')}): quit the desktop app first — older builds write their cached copy of connection.json back over this change; quit it, then rerun this command`,
    );
  }
  if (facts.mode !== 'password' && !facts.token)
    w.push(`no HERMES_DASHBOARD_SESSION_TOKEN in ~/.hermes/.env on ${label}: rerun hermes-setup remote first`);
  if (facts.tokenMismatch)
    w.push(
      'the token in ~/.hermes/.env is not the one hermes-setup recorded (edited by hand?): rerun hermes-setup remote to re-pin it',
    );
  if (plan.tokenAction === 'stored' || plan.tokenAction === 'updated') {
    w.push(
      `the token is stored unencrypted in ${file} (the app normally encrypts it with the OS keychain): anyone who can read that file can use the dashboard`,
    );
  }
  return w;
}

async function apply(
  file: string,
  before: { text?: string },
  plan: ConnectionPlan,
  original: object,
): Promise<string | undefined> {
  if (JSON.stringify(plan.doc) === JSON.stringify(original) && before.text !== undefined) return undefined;
  const needsBackup =
    before.text !== undefined &&
    before.text.trim() !== '' &&
    (plan.replaces !== undefined || plan.tokenAction === 'updated' || plan.notes.length > 0);
  const backup = needsBackup ? await backupConnectionFile(file) : undefined;
  await writeConnectionFile(file, plan.doc);
  return backup;
}

/** What configureDesktop reads before it writes: the host's facts, connection.json, and the plan for it. */
interface DesktopPlan {
  profile: string | undefined;
  facts: Awaited<ReturnType<typeof readHostFacts>>;
  url: string;
  authMode: AuthMode;
  userData: string;
  file: string;
  before: Awaited<ReturnType<typeof readConnectionFile>>;
  plan: ConnectionPlan;
}

async function planDesktop(remote: Remote, o: ConfigureDesktopOptions): Promise<DesktopPlan> {
  const profile = o.profile === undefined ? undefined : validateProfileName(o.profile);
  const facts = await readHostFacts(remote);
  const url = o.url ?? dashboardUrl(facts, o.host ?? hostOfLabel(remote.label));
  const authMode: AuthMode = facts.mode === 'password' ? 'oauth' : 'token';
  const userData = desktopUserDataDir(process.env, process.platform, undefined, o.userDataDir);
  const file = connectionFilePath(userData);
  const before = await readConnectionFile(file);
  const plan = planConnection(before.doc, {
    url,
    authMode,
    storePlain: o.storeTokenPlain === true,
    ...(facts.token ? { hostToken: facts.token } : {}),
    ...(profile ? { profile } : {}),
  });
  return { profile, facts, url, authMode, userData, file, before, plan };
}

function notesFor(plan: ConnectionPlan, backup: string | undefined, userData: string, userDataDir?: string): string[] {
  return [
    ...(TOKEN_NOTES[plan.tokenAction] ? [TOKEN_NOTES[plan.tokenAction]!] : []),
    ...plan.notes,
    ...(backup ? [`backed up the previous connection file to ${backup}`] : []),
    ...(userDataDir
      ? []
      : otherAppFolders(userData).map(
          (f) => `${f.build} keeps its own folder ${f.dir}: pass --user-data-dir "${f.dir}" to set that build up`,
        )),
  ];
}

export async function configureDesktop(remote: Remote, o: ConfigureDesktopOptions = {}): Promise<DesktopResult> {
  const { profile, facts, url, authMode, userData, file, before, plan } = await planDesktop(remote, o);
  const app = await (o.findApp ?? findDesktopApp)();
  const backup = await apply(file, before, plan, before.doc);
  const sshTarget = o.sshTarget ?? remote.label.replace(/:22$/, '');
  const tunnelCommand =
    facts.mode === 'tunnel' ? `ssh -N -L ${TUNNEL_LOCAL_PORT}:127.0.0.1:${facts.port} ${sshTarget}` : undefined;
  const notes = notesFor(plan, backup, userData, o.userDataDir);
  const tokenFingerprint = facts.token ? fingerprint(facts.token) : undefined;
  return {
    file,
    ...(profile ? { profile } : {}),
    url,
    mode: facts.mode,
    authMode,
    active: plan.active,
    written: plan.written,
    tokenStored: plan.tokenAction === 'stored' || plan.tokenAction === 'updated' || plan.tokenAction === 'kept',
    tokenAction: plan.tokenAction,
    ...(tokenFingerprint ? { tokenFingerprint } : {}),
    ...(tunnelCommand ? { tunnelCommand } : {}),
    ...(backup ? { backup } : {}),
    appRunning: app,
    steps: renderSteps({
      url,
      hostMode: facts.mode,
      authMode,
      ...(profile ? { profile } : {}),
      active: plan.active,
      written: plan.written,
      ...(plan.keptActive ? { keptActive: plan.keptActive } : {}),
      ...(tokenFingerprint ? { tokenFingerprint } : {}),
      sshTarget,
      ...(tunnelCommand ? { tunnelCommand } : {}),
      appRunning: app.length > 0,
    }),
    notes,
    warnings: warningsFor(facts, remote.label, plan, file, app),
  };
}
