// A facts fixture builder for plan tables that run without a host: a Linux (systemd user) or macOS host with
// sensible defaults, a Hermes build per generation, and converge inputs built the way the runner builds them.
import {
  foldInputs,
  newInputs,
  type ConvergeInputs,
  type ConvergeOptions,
  type GeneratedSecrets,
} from '../../src/converge/inputs.js';
import type { Facts, FileFact, HermesFacts } from '../../src/facts/parse-facts.js';
import type { Generation } from '../../src/constants.js';
import type { ConvergeState } from '../../src/state.js';
import type { ModeDecision } from '../../src/hermes/access-mode.js';
import { fingerprint, hashPassword, TOKEN_KEY } from '../../src/secrets.js';
import { readBuild } from '../../src/steps/hermes.js';
import { decideMode } from '../../src/steps/mode.js';

export const TOKEN = 'T'.repeat(43);
export const TAILNET_IP = '100.64.1.2';

const HELP: Record<Generation, { version: string; dashboard: string; serve: string }> = {
  G0: {
    version: 'Hermes Agent v0.15.2 (2026.5.28)',
    dashboard:
      'usage: hermes dashboard [--port PORT] [--host HOST] [--insecure] [--tui] [--skip-build] [--isolated]\n  --insecure  Allow a public bind without authentication',
    serve: '',
  },
  G1: {
    version: 'Hermes Agent v0.16.2 (2026.6.10)',
    dashboard:
      'usage: hermes dashboard [--port PORT] [--host HOST] [--insecure] [--skip-build] [--isolated]\n  --insecure  Allow a public bind without authentication',
    serve: '',
  },
  G2: {
    version: 'Hermes Agent v0.18.0 (2026.7.1)',
    dashboard:
      'usage: hermes dashboard [--port PORT] [--host HOST] [--insecure] [--skip-build] [--isolated]\n  --insecure  Deprecated: no longer disables authentication.',
    serve: '',
  },
  G3: {
    version: 'Hermes Agent v0.21.3 (2026.9.14)',
    dashboard:
      'usage: hermes dashboard [--port PORT] [--host HOST] [--insecure] [--skip-build] [--isolated]\n  --insecure  Deprecated: no longer disables authentication.',
    serve: 'usage: hermes serve [--ssh-session-token-file F] [--ssh-owner-nonce N] [--print-session-token]',
  },
};

export function hermesFacts(generation: Generation, over: Partial<HermesFacts> = {}): HermesFacts {
  const h = HELP[generation];
  return {
    path: '/home/deploy/.local/bin/hermes',
    via: 'login-shell',
    key: `key-${generation}`,
    cached: false,
    versionOut: `${h.version}\nProject: /home/deploy/.hermes/hermes-agent\n`,
    dashboardHelp: h.dashboard,
    serveHelp: h.serve,
    ...over,
  };
}

export function file(content: string | undefined, mode = 0o600): FileFact {
  return content === undefined
    ? { type: 'missing' }
    : {
        type: 'file',
        mode,
        uid: 1000,
        size: Buffer.byteLength(content),
        mtime: 1_700_000_000,
        content: Buffer.from(content),
      };
}

const missing: FileFact = { type: 'missing' };

export function linuxFacts(over: Partial<Facts> = {}): Facts {
  return {
    os: 'Linux',
    arch: 'x86_64',
    user: 'deploy',
    uid: 1000,
    gid: 1000,
    home: '/home/deploy',
    shell: '/bin/bash',
    hostname: 'box',
    bootId: 'boot-1',
    hermes: hermesFacts('G2'),
    npm: '/usr/bin/npm',
    env: missing,
    hermesDir: { type: 'dir', mode: 0o700 },
    state: missing,
    unitUser: missing,
    unitSystem: missing,
    plistAgent: missing,
    plistDaemon: missing,
    configYaml: missing,
    updateMarker: false,
    desktopApp: false,
    tempFiles: [],
    writable: true,
    writableDir: '/home/deploy/.hermes',
    freeKb: 10_000_000,
    ifAddrs: ['127.0.0.1', '10.0.0.5', TAILNET_IP],
    funnel: '',
    init: 'systemd',
    xdgRuntimeDir: '/run/user/1000',
    userBus: true,
    linger: true,
    tailscale: {
      installed: true,
      daemonRunning: true,
      backendState: 'Running',
      ipv4: TAILNET_IP,
      dnsName: 'box.tail1.ts.net',
      magicDns: true,
      health: [],
    },
    listeners: [],
    complete: true,
    ...over,
  };
}

export function macFacts(over: Partial<Facts> = {}): Facts {
  const job = { loaded: false };
  return linuxFacts({
    os: 'Darwin',
    arch: 'arm64',
    user: 'ann',
    uid: 501,
    gid: 20,
    home: '/Users/ann',
    init: 'none',
    xdgRuntimeDir: '',
    userBus: false,
    linger: false,
    hermes: hermesFacts('G2', { path: '/Users/ann/.local/bin/hermes' }),
    writableDir: '/Users/ann/.hermes',
    launchd: {
      guiAvailable: true,
      gui: job,
      user: job,
      system: job,
      disabledGui: [],
      disabledUser: [],
      disabledSystem: [],
    },
    ...over,
  });
}

export function options(over: Partial<ConvergeOptions> = {}): ConvergeOptions {
  return {
    port: 9119,
    mode: 'auto',
    bind: 'tailnet',
    update: false,
    rotateToken: false,
    dryRun: false,
    force: false,
    daemon: false,
    allowPublic: false,
    username: 'hermes',
    passwordFile: '/nonexistent/hermes-setup-test-password',
    updateTimeoutMs: 1000,
    updateWaitMs: 0,
    lockWaitMs: 0,
    targetLabel: 'deploy@box',
    sshTarget: 'deploy@box',
    ...over,
  };
}

/** Fixed generated secrets, so plans are reproducible. */
export function generated(): GeneratedSecrets {
  const hash = hashPassword('generated-password', Buffer.alloc(16, 7));
  return { token: 'G'.repeat(43), password: 'generated-password', passwordHash: hash, secret: 'S'.repeat(43) };
}

/** Inputs as the runner has them when the change steps plan: the build known, the mode decided (both pure). */
export function inputs(
  facts: Facts,
  o: { opts?: Partial<ConvergeOptions>; state?: ConvergeState; decision?: ModeDecision } = {},
): ConvergeInputs {
  const withBuild = foldInputs(newInputs(options(o.opts), facts, o.state, generated()), {
    build: readBuild(facts.hermes, o.state),
  });
  return foldInputs(withBuild, { decision: o.decision ?? decideMode(withBuild) });
}

/** What the last converge recorded (G2, token mode on 9119, the user unit); tests override what they vary. */
export function recordedState(over: Partial<ConvergeState> = {}): ConvergeState {
  return {
    schema: 1,
    hermesVersion: '0.18.0',
    hermesReleaseDate: '2026.7.1',
    generation: 'G2',
    hermesKey: 'key-G2',
    hermesCaps: {
      insecureDisablesGate: false,
      isolated: true,
      skipBuild: true,
      tuiListed: false,
      serveSshFlags: false,
    },
    mode: 'token',
    bind: TAILNET_IP,
    port: 9119,
    serviceSha256: '',
    servicePath: '~/.config/systemd/user/hermes-dashboard.service',
    tokenFingerprint: fingerprint(TOKEN),
    envKeys: [TOKEN_KEY],
    lingerEnabledByUs: false,
    ...over,
  };
}
