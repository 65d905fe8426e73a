// What the user still has to do after `hermes-setup desktop`, exactly. Pure; never contains a secret. The env pair
// (HERMES_DESKTOP_REMOTE_URL/_TOKEN) replaces only the global connection: the app resolves a profile's own entry
// first, then the env pair, then the global `remote` (docs/hermes-contract.md#c15; sanitizeDesktopConnectionConfig:
// "a per-profile scope is never overridden by HERMES_DESKTOP_REMOTE_URL").

export interface StepsInput {
  url: string;
  hostMode: 'token' | 'password' | 'tunnel';
  authMode: 'token' | 'oauth';
  profile?: string;
  /** The app (or the profile) uses this connection after the write. */
  active: boolean;
  written: boolean;
  /** The active connection that was left alone. */
  keptActive?: string;
  tokenFingerprint?: string;
  sshTarget: string;
  tunnelCommand?: string;
  appRunning: boolean;
}

const TOKEN_CMD = (target: string): string =>
  `ssh ${target} 'sed -n "s/^HERMES_DASHBOARD_SESSION_TOKEN=//p" ~/.hermes/.env'`;

function settingsStep(s: StepsInput): string {
  const where = s.profile
    ? `switch to profile ${s.profile}, then Settings > Gateway (this profile) > Remote`
    : 'Settings > Gateway > Remote connection';
  const filled = s.written ? `the URL ${s.url} is filled in` : `URL ${s.url}`;
  if (s.authMode === 'oauth')
    return `Open the app: ${where} — ${filled}; sign in with the dashboard user and the password hermes-setup stored for this host, then Save`;
  return `Open the app: ${where} — ${filled}; paste the token (fingerprint ${s.tokenFingerprint ?? 'unknown'}) and Save. Print it with: ${TOKEN_CMD(s.sshTarget)}`;
}

function envSteps(s: StepsInput): string[] {
  if (s.authMode !== 'token') return [];
  if (s.profile) {
    return [
      "The HERMES_DESKTOP_REMOTE_URL / HERMES_DESKTOP_REMOTE_TOKEN pair does not help for a profile: it only replaces the global connection, and a profile's own entry wins over it.",
    ];
  }
  return [
    "Or start the app with the env pair (token auth only; it replaces the global connection, not a profile's own entry):",
    `  HERMES_DESKTOP_REMOTE_URL=${s.url}`,
    `  HERMES_DESKTOP_REMOTE_TOKEN=$(${TOKEN_CMD(s.sshTarget)})`,
  ];
}

export function renderSteps(s: StepsInput): string[] {
  const steps: string[] = [];
  if (s.tunnelCommand) steps.push(`Keep the tunnel open while you use the app: ${s.tunnelCommand}`);
  const scope = s.profile ? `profile ${s.profile}` : 'the app';
  if (s.active) {
    steps.push(
      s.appRunning
        ? `Quit the Hermes desktop app and start it again: ${scope} now uses ${s.url}`
        : `Start the Hermes desktop app: ${scope} uses ${s.url}`,
    );
    if (s.authMode === 'oauth') steps.push(settingsStep(s));
    return steps;
  }
  if (s.keptActive)
    steps.push(
      `${scope} stays on its active connection (${s.keptActive}); nothing was replaced without a token. To switch to ${s.url}:`,
    );
  else
    steps.push(
      `Saved ${s.url} for ${scope} without making it active (${s.profile ? 'the profile stays on local' : 'the app keeps its current connection'}, so it still starts). To finish:`,
    );
  if (s.appRunning) steps.push('  1. Quit the Hermes desktop app first.');
  steps.push(`  ${s.appRunning ? 2 : 1}. ${settingsStep(s)}`);
  if (s.authMode === 'token')
    steps.push(
      `  or rerun with --store-token-plain${s.profile ? ` --profile ${s.profile}` : ''} to save the token in connection.json (unencrypted) and make it active`,
    );
  steps.push(...envSteps(s));
  return steps;
}

export interface DesktopSummary {
  file: string;
  profile?: string;
  url: string;
  authMode: 'token' | 'oauth';
  active: boolean;
  written: boolean;
  tokenStored: boolean;
  notes: string[];
  steps: string[];
}

/** The lines `desktop` (and `remote --configure-desktop`) print after the warnings. */
export function renderDesktopSummary(r: DesktopSummary, check = '✔'): string[] {
  const scope = r.profile ? `profile ${r.profile}` : 'remote connection';
  const state = r.active ? 'active' : r.written ? 'saved, not active' : 'not written';
  return [
    `${check} ${r.file}: ${scope} → ${r.url} (${state}; auth ${r.authMode}${r.tokenStored ? ', token stored in plain text' : ''})`,
    ...r.notes.map((n) => `  ${n}`),
    ...r.steps,
  ];
}
