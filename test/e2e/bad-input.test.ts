// Bad input, as a table: every case gets a one-line `E_CODE: cause — hint: fix` on stderr, the documented exit code
// (README "Exit codes"), and leaves the host exactly as it was (files, modes, mtimes, directories, linger, no lock).
// Two systemd guests serve all cases; host faults are made with host.root/host.ssh and undone after each case.
// Success controls (CRLF .env, auto → tunnel, the drift --dry-run and --force runs) are kept at the end and not counted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { presetTailscaleState } from '../hosts/emulators/tailscale-state.js';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { installSimulator } from '../simulator/install.js';
import { runCli, type CliResult } from '../support/cli.js';
import { expectRefusal, hostState } from '../support/host-state.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';

// The client-side cases only read the host; eight at a time keeps the file short.
vi.setConfig({ maxConcurrency: 8 }); // below sshd's MaxStartups (10): more would get connections reset

/** A test host, its prepared CLI side, and helpers; host faults on one guest run one at a time (see exclusive). */
interface Guest {
  h: LinuxHost;
  p: PreparedHost;
  root(cmd: string, stdin?: string): Promise<void>;
  asDeploy(cmd: string, stdin?: string): Promise<void>;
  waitListening(port: number): Promise<void>;
  waitFree(port: number): Promise<void>;
  queue: Promise<unknown>;
}

const SIM_STATE = '/usr/local/lib/hermes-agent/.sim-state.json';
const SIM_ENTRY = '/usr/local/lib/hermes-agent/venv/bin/hermes';

async function bootGuest(): Promise<Guest> {
  const h = await bootLinuxHost();
  const p = await prepareLinuxHost(h, { generation: 'G2' });
  // Hermes lives outside ~/.hermes (FHS layout, like a system-wide install), so a tmpfs over ~/.hermes can model a
  // full disk without hiding Hermes itself.
  expect((await h.ssh('rm -rf ~/.hermes/hermes-agent ~/.local/bin/hermes')).code).toBe(0);
  await installSimulator((cmd, stdin) => h.root(cmd, stdin === undefined ? {} : { stdin: stdin.toString() }), {
    generation: 'G2',
    home: '/root',
    layout: 'root-fhs',
  });
  expect((await h.ssh('bash -lc "command -v hermes"')).stdout.trim()).toBe('/usr/local/bin/hermes');
  const listening = async (port: number): Promise<boolean> =>
    (await h.root(`ss -Hltn 'sport = :${port}' | grep -q .`)).code === 0;
  const poll = async (want: boolean, port: number): Promise<void> => {
    for (let i = 0; i < 50; i++) {
      if ((await listening(port)) === want) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(want ? `nothing listens on ${port}` : `port ${port} still held`);
  };
  return {
    h,
    p,
    queue: Promise.resolve(),
    async root(cmd, stdin) {
      const r = await h.root(cmd, stdin === undefined ? {} : { stdin });
      if (r.code !== 0) throw new Error(`root: ${cmd}: ${r.stderr}`);
    },
    async asDeploy(cmd, stdin) {
      const r = await h.ssh(cmd, stdin === undefined ? {} : { stdin });
      if (r.code !== 0) throw new Error(`deploy: ${cmd}: ${r.stderr}`);
    },
    waitListening: (port) => poll(true, port),
    waitFree: (port) => poll(false, port),
  };
}

// Two guests: A takes the client-side cases, the .env/disk faults and the controls; B the other host faults, in
// parallel with A's.
const A = {} as Guest;
const B = {} as Guest;
let h: LinuxHost;
let p: PreparedHost;
let ip = '';
beforeAll(async () => {
  const [a, b] = await Promise.all([bootGuest(), bootGuest()]);
  Object.assign(A, a);
  Object.assign(B, b);
  ({ h, p } = A);
  ip = h.ip;
}, 240_000);
afterAll(async () => {
  await Promise.all([A.h?.teardown(), B.h?.teardown()]);
});

// ---- client-side fixtures -------------------------------------------------------------------------------------------

const scratch = mkdtempSync('/var/tmp/hs-bad-input-');

/** A CLI HOME with ~/.ssh (0700) holding the files given (name → content, or a directory when content is null). */
function home(files: Record<string, string | null> = {}): string {
  const dir = mkdtempSync(join(scratch, 'home-'));
  mkdirSync(join(dir, '.ssh'), { mode: 0o700 });
  for (const [name, content] of Object.entries(files)) {
    if (content === null) mkdirSync(join(dir, '.ssh', name));
    else writeFileSync(join(dir, '.ssh', name), content, { mode: 0o600 });
  }
  return dir;
}

function keygen(name: string, passphrase = ''): string {
  const path = join(scratch, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', path]);
  return path;
}

const knownHosts = (): string => `${h.knownHostsLine}\n`;
const target = (): string => `deploy@${ip}`;
const key = (): string[] => ['-i', h.keyPath];

interface Case {
  name: string;
  /** Arguments after `remote`. */
  args: (g: Guest) => string[];
  /** The whole argv instead (when the command itself is the bad input). */
  argv?: () => string[];
  /** CLI HOME (default: p.cliHome, which trusts the guest's key). */
  home?: () => string;
  /** Host fault to make before the "before" snapshot, and to undo after the "after" snapshot. */
  setup?: (g: Guest) => Promise<void>;
  undo?: (g: Guest) => Promise<void>;
  code: string | RegExp;
  exit: number;
  detail?: RegExp;
  /** Extra assertions (e.g. the client's known_hosts untouched). */
  also?: (r: CliResult, g: Guest) => void | Promise<void>;
  /**
   * 'ours': the run legitimately ran `hermes update` before refusing (G0 stays G0 only shows after it), so compare
   * only what hermes-setup itself writes: .env and its backup, the unit, the state file, linger, the lock.
   */
  compare?: 'ours';
}

async function oursState(g: Guest): Promise<string> {
  const r = await g.h.ssh(
    'cd "$HOME"; for f in .hermes/.env .hermes/.env.hermes-setup.bak .hermes/.hermes-setup-state.json .config/systemd/user/hermes-dashboard.service; do if [ -e "$f" ]; then echo "$f $(stat -c \'%a %Y\' "$f") $(sha256sum < "$f")"; else echo "$f absent"; fi; done; ls -A .hermes | grep -c "hermes-setup\\.[A-Za-z0-9]\\{6\\}\\|hermes-setup\\.lock"; ls /var/lib/systemd/linger 2>&1',
  );
  return r.stdout;
}

async function runCase(c: Case, g: Guest = A): Promise<CliResult> {
  await c.setup?.(g);
  try {
    const state = c.compare === 'ours' ? () => oursState(g) : () => hostState(g.h);
    const before = await state();
    // A refusal is prompt: a CLI still running after 20 s (e.g. an SSH connection left open) fails the case.
    const r = await runCli(
      c.argv ? c.argv() : ['remote', ...c.args(g)],
      { HOME: c.home ? c.home() : g.p.cliHome },
      { timeoutMs: 20_000 },
    );
    const after = await state();
    expectRefusal(r, c.code, c.exit, c.detail);
    expect(after, 'the host changed').toBe(before);
    await c.also?.(r, g);
    return r;
  } finally {
    await c.undo?.(g);
  }
}

/** Runs fn when every earlier fault on this guest is done (faults on A and B overlap; on one guest they never do). */
function exclusive<T>(g: Guest, fn: () => Promise<T>): Promise<T> {
  const run = g.queue.then(fn, fn);
  g.queue = run.catch(() => undefined);
  return run;
}

const counted: string[] = [];
/** Client-side cases only read the host, so they run concurrently (on A); host faults run one at a time per guest. */
function table(cases: Case[], on?: () => Guest): void {
  for (const c of cases) {
    counted.push(c.name);
    const title = `${c.name} → ${String(c.code)}, exit ${c.exit}`;
    if (on)
      it.concurrent(
        title,
        async () => {
          const g = on();
          await exclusive(g, () => runCase(c, g));
        },
        120_000,
      );
    else
      it.concurrent(title, async () => {
        await runCase(c);
      });
  }
}

// ---- client-side cases: the host is only read (run concurrently) ----------------------------------------------------

describe('targets, ports, modes, flags, ssh config, keys, known_hosts', () => {
  const T = 'E_TARGET_INVALID';
  const P = 'E_TARGET_PORT';
  table([
    // --port speaks of --port (not of a target's port), before anything connects.
    {
      name: '--port 0',
      args: () => [target(), ...key(), '--port', '0'],
      code: 'E_USAGE',
      exit: 2,
      detail: /^E_USAGE: invalid --port "0" — hint: give a port between 1 and 65535, e\.g\. --port 9119$/,
    },
    {
      name: '--port 70000',
      args: () => [target(), ...key(), '--port', '70000'],
      code: 'E_USAGE',
      exit: 2,
      detail: /invalid --port "70000"/,
    },
    {
      name: '--port abc',
      args: () => [target(), ...key(), '--port', 'abc'],
      code: 'E_USAGE',
      exit: 2,
      detail: /invalid --port "abc"/,
    },
    {
      name: '--username with a space',
      args: () => [target(), ...key(), '--username', 'a b'],
      code: 'E_USAGE',
      exit: 2,
      detail: /--username "a b"/,
    },
    {
      name: '--update-timeout abc',
      args: () => [target(), ...key(), '--update-timeout', 'abc'],
      code: 'E_USAGE',
      exit: 2,
      detail: /--update-timeout/,
    },
    {
      name: '--lock-wait -1',
      args: () => [target(), ...key(), '--lock-wait=-1'],
      code: 'E_USAGE',
      exit: 2,
      detail: /--lock-wait "-1"/,
    },
    { name: 'target: user but no host', args: () => ['deploy@', ...key()], code: T, exit: 2, detail: /missing host/ },
    { name: 'target: empty user', args: () => [`@${ip}`, ...key()], code: T, exit: 2, detail: /empty user/ },
    {
      name: 'target: only spaces',
      args: () => ['   ', ...key()],
      code: T,
      exit: 2,
      detail: /invalid target " {3}": empty/,
    },
    {
      name: 'target: whitespace inside',
      args: () => [`de ploy@${ip}`, ...key()],
      code: T,
      exit: 2,
      detail: /whitespace/,
    },
    {
      name: 'target: invalid user name',
      args: () => [`bad!user@${ip}`, ...key()],
      code: T,
      exit: 2,
      detail: /not a valid user name/,
    },
    {
      name: 'target: invalid host name',
      args: () => ['deploy@mini..lan', ...key()],
      code: T,
      exit: 2,
      detail: /not a valid hostname/,
    },
    {
      name: 'target: bare IPv6 with a port',
      args: () => ['deploy@fd7a::1:22', ...key()],
      code: T,
      exit: 2,
      detail: /bare IPv6.*hint: wrap IPv6 addresses in brackets/,
    },
    {
      name: 'target: unclosed [',
      args: () => ['deploy@[fd7a::1:22', ...key()],
      code: T,
      exit: 2,
      detail: /unclosed "\["/,
    },
    {
      name: 'target: [not an address]',
      args: () => ['deploy@[zz::1]', ...key()],
      code: T,
      exit: 2,
      detail: /is not an IPv6 address/,
    },
    {
      name: 'target: junk after ]',
      args: () => ['deploy@[fd7a::1]x22', ...key()],
      code: T,
      exit: 2,
      detail: /unexpected "x22"/,
    },
    {
      name: 'target: http:// scheme',
      args: () => [`http://deploy@${ip}`, ...key()],
      code: T,
      exit: 2,
      detail: /unsupported scheme "http".*hint: only ssh:\/\//i,
    },
    {
      name: 'target: ssh:// with a path',
      args: () => [`ssh://deploy@${ip}/home`, ...key()],
      code: T,
      exit: 2,
      detail: /take no path/,
    },
    {
      name: 'target port 0',
      args: () => [`deploy@${ip}:0`, ...key()],
      code: P,
      exit: 2,
      detail: /invalid port 0 .*1-65535/,
    },
    {
      name: 'target port 70000',
      args: () => [`deploy@${ip}:70000`, ...key()],
      code: P,
      exit: 2,
      detail: /invalid port 70000 .*1-65535/,
    },
    {
      name: 'target port abc',
      args: () => [`deploy@${ip}:abc`, ...key()],
      code: P,
      exit: 2,
      detail: /invalid port "abc".*not a number/,
    },
    {
      name: 'ssh:// target port 70000',
      args: () => [`ssh://deploy@${ip}:70000`, ...key()],
      code: P,
      exit: 2,
      detail: /70000/,
    },
    {
      name: '--mode bogus',
      args: () => [target(), ...key(), '--mode', 'bogus'],
      code: 'E_USAGE',
      exit: 2,
      detail: /'bogus' is invalid.*auto, token, password, tunnel/,
    },
    {
      name: '--mode TOKEN (case matters)',
      args: () => [target(), ...key(), '--mode', 'TOKEN'],
      code: 'E_USAGE',
      exit: 2,
      detail: /'TOKEN' is invalid/,
    },
    {
      name: '--mode without a value',
      args: () => [target(), ...key(), '--mode'],
      code: 'E_USAGE',
      exit: 2,
      detail: /argument missing/,
    },
    {
      name: 'unknown flag --dryrun',
      args: () => [target(), ...key(), '--dryrun'],
      code: 'E_UNKNOWN_FLAG',
      exit: 2,
      detail: /--dryrun.*did you mean --dry-run\?/,
    },
    {
      name: 'unknown flag --forse',
      args: () => [target(), ...key(), '--forse'],
      code: 'E_UNKNOWN_FLAG',
      exit: 2,
      detail: /--forse.*did you mean --force\?/,
    },
    {
      name: 'unknown flag --allow-publik',
      args: () => [target(), ...key(), '--allow-publik'],
      code: 'E_UNKNOWN_FLAG',
      exit: 2,
      detail: /did you mean --allow-public\?/,
    },
    {
      name: 'unknown command remot',
      argv: () => ['remot', target(), ...key()],
      args: () => [],
      code: 'E_UNKNOWN_COMMAND',
      exit: 2,
      detail: /remot.*did you mean remote\?/,
    },
    { name: 'no target', args: () => [...key()], code: 'E_USAGE', exit: 2, detail: /no target given/ },
    {
      name: 'a target and --local',
      args: () => [target(), '--local'],
      code: 'E_USAGE',
      exit: 2,
      detail: /both a target/,
    },
    {
      name: '--connect-timeout 0',
      args: () => [target(), ...key(), '--connect-timeout', '0'],
      code: 'E_USAGE',
      exit: 2,
      detail: /--connect-timeout "0"/,
    },
    {
      name: '~/.ssh/config: ProxyJump',
      args: () => ['mini', ...key()],
      code: 'E_SSH_CONFIG_UNSUPPORTED',
      exit: 2,
      detail: /ProxyJump \(bastion\).*"mini"/,
      home: () =>
        home({
          known_hosts: knownHosts(),
          config: `Host mini\n  HostName ${ip}\n  User deploy\n  ProxyJump bastion\n`,
        }),
    },
    {
      name: '~/.ssh/config: ProxyCommand from a wildcard',
      args: () => ['mini', ...key()],
      code: 'E_SSH_CONFIG_UNSUPPORTED',
      exit: 2,
      detail: /ProxyCommand/,
      home: () =>
        home({ known_hosts: knownHosts(), config: `Host mini\n  HostName ${ip}\n\nHost *\n  ProxyCommand nc %h %p\n` }),
    },
    {
      name: '~/.ssh/config: Port 99999',
      args: () => ['mini', ...key()],
      code: P,
      exit: 2,
      detail: /99999.*Port in ~\/\.ssh\/config/,
      home: () =>
        home({ known_hosts: knownHosts(), config: `Host mini\n  HostName ${ip}\n  User deploy\n  Port 99999\n` }),
    },
    {
      name: '~/.ssh/config: Port ssh',
      args: () => ['mini', ...key()],
      code: P,
      exit: 2,
      detail: /invalid port "ssh"/,
      home: () =>
        home({ known_hosts: knownHosts(), config: `Host mini\n  HostName ${ip}\n  User deploy\n  Port ssh\n` }),
    },
    {
      name: '~/.ssh/config unreadable (a directory)',
      args: () => ['mini', ...key()],
      code: 'E_SSH_CONFIG',
      exit: 2,
      detail: /cannot read .*config \(EISDIR\)/,
      home: () => home({ known_hosts: knownHosts(), config: null }),
    },
    {
      name: '--ssh-config unreadable (a symlink loop)',
      args: () => ['mini', ...key(), '--ssh-config', join(scratch, 'loop')],
      code: 'E_SSH_CONFIG',
      exit: 2,
      detail: /ELOOP/,
      home: () => {
        execFileSync('ln', ['-sfn', join(scratch, 'loop'), join(scratch, 'loop')]);
        return home({ known_hosts: knownHosts() });
      },
    },
    {
      name: '--identity missing',
      args: () => [target(), '-i', join(scratch, 'no-such-key')],
      code: 'E_IDENTITY_UNREADABLE',
      exit: 2,
      detail: /ENOENT/,
    },
    {
      name: '--identity unreadable (a directory)',
      args: () => [target(), '-i', scratch],
      code: 'E_IDENTITY_UNREADABLE',
      exit: 2,
      detail: /EISDIR/,
    },
    {
      name: 'IdentityFile in ~/.ssh/config missing, no agent, no other key',
      args: () => ['mini'],
      code: 'E_SSH_NO_IDENTITY',
      exit: 4,
      detail: /no SSH credentials/,
      home: () =>
        home({
          known_hosts: knownHosts(),
          config: `Host mini\n  HostName ${ip}\n  User deploy\n  IdentityFile ~/.ssh/gone\n`,
        }),
    },
    {
      name: 'passphrase-locked key, no agent',
      args: () => [target(), '-i', keygen('locked', 'sekrit')],
      code: 'E_SSH_NO_IDENTITY',
      exit: 4,
      detail: /passphrase-protected.*hint: start ssh-agent/,
    },
    {
      name: 'not a private key',
      args: () => [
        target(),
        '-i',
        (() => {
          const f = join(scratch, 'garbage.key');
          writeFileSync(f, 'not a key\n');
          return f;
        })(),
      ],
      code: 'E_SSH_NO_IDENTITY',
      exit: 4,
      detail: /not a usable private key/,
    },
    {
      name: 'a key the host does not accept',
      args: () => [target(), '-i', keygen('stranger')],
      code: 'E_SSH_AUTH',
      exit: 4,
      detail: /refused every key/,
    },
    {
      name: 'known_hosts: a line without a key',
      args: () => [target(), ...key()],
      code: 'E_KNOWN_HOSTS_MALFORMED',
      exit: 2,
      detail: /line 2 is malformed/,
      home: () => home({ known_hosts: `${knownHosts()}garbage-without-key\n` }),
    },
    {
      name: 'known_hosts: unknown @marker',
      args: () => [target(), ...key()],
      code: 'E_KNOWN_HOSTS_MALFORMED',
      exit: 2,
      detail: /line 1 .*unknown marker @trusted/,
      home: () => home({ known_hosts: `@trusted ${knownHosts()}` }),
    },
    {
      name: 'known_hosts: key is not base64',
      args: () => [target(), ...key()],
      code: 'E_KNOWN_HOSTS_MALFORMED',
      exit: 2,
      detail: /not base64/,
      home: () => home({ known_hosts: `${ip} ssh-ed25519 AAAA%%%%\n` }),
    },
    {
      name: 'known_hosts unreadable (a directory)',
      args: () => [target(), ...key()],
      code: /^E_KNOWN_HOSTS/,
      exit: 2,
      detail: /known_hosts/,
      home: () => home({ known_hosts: null }),
    },
    (() => {
      let kh = '';
      return {
        name: 'unknown host key',
        args: () => [target(), ...key()],
        code: 'E_HOSTKEY_UNKNOWN',
        exit: 5,
        detail: /not in .*known_hosts.*hint: .*--accept-new-host-key/,
        home: () => {
          kh = home({ known_hosts: '' });
          return kh;
        },
        also: () => {
          expect(readFileSync(join(kh, '.ssh/known_hosts'), 'utf8')).toBe('');
        },
      } satisfies Case;
    })(),
    ...[false, true].map((accept): Case => {
      let kh = '';
      let line = '';
      return {
        name: `changed host key${accept ? ' with --accept-new-host-key' : ''}`,
        args: () => [target(), ...key(), ...(accept ? ['--accept-new-host-key'] : [])],
        code: 'E_HOSTKEY_CHANGED',
        exit: 5,
        detail: /changed: got ssh-ed25519 SHA256:.*hint: .*ssh-keygen -R/,
        home: () => {
          line = `${ip} ${readFileSync(`${keygen(`other-host-key-${accept}`)}.pub`, 'utf8')
            .split(' ')
            .slice(0, 2)
            .join(' ')}\n`;
          kh = home({ known_hosts: line });
          return kh;
        },
        also: () => {
          expect(readFileSync(join(kh, '.ssh/known_hosts'), 'utf8')).toBe(line);
        },
      };
    }),
    {
      name: 'revoked host key',
      args: () => [target(), ...key(), '--accept-new-host-key'],
      code: 'E_HOSTKEY_REVOKED',
      exit: 5,
      detail: /@revoked/,
      home: () => home({ known_hosts: `${knownHosts()}@revoked * ${h.hostKey}\n` }),
    },
    {
      name: '--mode token on a G2 build',
      args: () => [target(), ...key(), '--mode', 'token'],
      code: 'E_MODE_UNSUPPORTED',
      exit: 2,
      detail: /G2.*hint: use --mode password .* or --mode tunnel/,
    },
    {
      name: '--bind a public IPv4 address',
      args: () => [target(), ...key(), '--bind', '203.0.113.9'],
      code: 'E_PUBLIC_BIND',
      exit: 2,
      detail: /203\.0\.113\.9 would expose it.*--allow-public/,
    },
    {
      name: '--bind a public IPv6 address',
      args: () => [target(), ...key(), '--bind', '2001:db8::5'],
      code: 'E_PUBLIC_BIND',
      exit: 2,
      detail: /2001:db8::5/,
    },
  ]);
});

// ---- host faults: one at a time ------------------------------------------------------------------------------------

describe('host faults (A: .env and disk, B: the rest — the two guests in parallel, one fault at a time on each)', () => {
  beforeAll(async () => {
    for (const g of [A, B]) {
      // Never converged: no unit, no .env, nothing listening on the port.
      expect(
        (await g.h.ssh('test ! -e ~/.config/systemd/user/hermes-dashboard.service && test ! -e ~/.hermes/.env')).code,
      ).toBe(0);
      expect((await g.h.root("ss -Hltn 'sport = :9119'")).stdout).toBe('');
    }
  });
  const dropEnv = async (g: Guest): Promise<void> => g.asDeploy('rm -rf ~/.hermes/.env ~/env-target');
  table(
    [
      {
        name: '.env with NUL bytes',
        args: (g) => g.p.args,
        code: 'E_ENV_NUL',
        exit: 2,
        undo: dropEnv,
        setup: async (g) =>
          g.asDeploy(
            "printf 'OPENAI_API_KEY=sk-1\\000\\000\\nFOO=bar\\n' > ~/.hermes/.env && chmod 600 ~/.hermes/.env",
          ),
      },
      {
        // A latin-1 .env is edited byte for byte now (test/e2e/env-bytes.test.ts); this row is config.yaml's refusal.
        name: 'config.yaml disables basic through an alias (password mode)',
        args: (g) => g.p.args,
        code: 'E_CONFIG_YAML',
        exit: 2,
        detail:
          /cannot edit it safely: plugins\.disabled is not a plain list .* — hint: remove `basic` from plugins\.disabled/,
        setup: async (g) =>
          g.asDeploy("printf 'shared: &x [basic]\\nplugins:\\n  disabled: *x\\n' > ~/.hermes/config.yaml"),
        undo: async (g) => g.asDeploy('rm -f ~/.hermes/config.yaml'),
      },
      {
        name: '.env over 1 MiB',
        args: (g) => g.p.args,
        code: 'E_ENV_TOO_LARGE',
        exit: 2,
        undo: dropEnv,
        detail: /1048577 bytes/,
        setup: async (g) =>
          g.asDeploy(
            "head -c 1048576 /dev/zero | tr '\\0' '#' > ~/.hermes/.env && echo >> ~/.hermes/.env && chmod 600 ~/.hermes/.env",
          ),
      },
      {
        name: '.env is a symlink',
        args: (g) => g.p.args,
        code: 'E_ENV_SYMLINK',
        exit: 2,
        undo: dropEnv,
        detail: /symlink \(to \/home\/deploy\/env-target\)/,
        setup: async (g) =>
          g.asDeploy('echo FOO=bar > ~/env-target && chmod 600 ~/env-target && ln -s ~/env-target ~/.hermes/.env'),
        also: async (_r, g) => {
          expect((await g.h.ssh('cat ~/env-target')).stdout).toBe('FOO=bar\n');
        },
      },
      {
        name: '.env is a directory',
        args: (g) => g.p.args,
        code: 'E_ENV_NOT_FILE',
        exit: 2,
        undo: dropEnv,
        setup: async (g) => g.asDeploy('mkdir ~/.hermes/.env'),
      },
      {
        name: '.env unreadable (mode 000)',
        args: (g) => g.p.args,
        code: 'E_ENV_TOO_LARGE',
        exit: 2,
        undo: dropEnv,
        detail: /unreadable/,
        setup: async (g) => g.asDeploy('echo FOO=bar > ~/.hermes/.env && chmod 000 ~/.hermes/.env'),
      },
      {
        name: '~/.hermes not writable (root-owned 0755)',
        args: (g) => g.p.args,
        code: 'E_NOT_WRITABLE',
        exit: 1,
        detail: /\/home\/deploy\/\.hermes is not writable by deploy.*sudo chown -R deploy/,
        setup: async (g) => g.root('chown root:root /home/deploy/.hermes && chmod 755 /home/deploy/.hermes'),
        undo: async (g) => g.root('chown deploy:deploy /home/deploy/.hermes && chmod 700 /home/deploy/.hermes'),
      },
      {
        name: 'disk full (64 KiB tmpfs over ~/.hermes)',
        args: (g) => g.p.args,
        code: 'E_DISK_FULL',
        exit: 1,
        detail: /only \d+ KiB free on the filesystem of \/home\/deploy\/\.hermes/,
        setup: async (g) => {
          await g.root('mount -t tmpfs -o size=64k,mode=0700,uid=1000,gid=1000 hs-full /home/deploy/.hermes');
          await g.h.ssh('mkdir -p ~/.hermes/logs; dd if=/dev/zero of=$HOME/.hermes/filler bs=4k 2>/dev/null; sync');
          expect((await g.h.ssh('df -Pk ~/.hermes | tail -n1')).stdout).toMatch(/^hs-full\s+64\s+\d+\s+0\s+100%/);
        },
        undo: async (g) => g.root('umount /home/deploy/.hermes'),
      },
    ],
    () => A,
  );
  table(
    [
      {
        name: 'hermes missing',
        args: (g) => g.p.args,
        code: 'E_HERMES_MISSING',
        exit: 1,
        detail: /hint: install Hermes Agent/,
        setup: async (g) => g.root('mv /usr/local/bin/hermes /usr/local/bin/hermes.off'),
        undo: async (g) => g.root('mv /usr/local/bin/hermes.off /usr/local/bin/hermes'),
      },
      {
        name: 'hermes too old after update (G0 stays G0)',
        args: (g) => g.p.args,
        code: 'E_HERMES_TOO_OLD',
        exit: 1,
        detail: /G0.*too old.*hint: update Hermes on the host/,
        compare: 'ours',
        // `hermes update` rewrites its state file atomically in the install dir, so deploy must own that dir here.
        setup: async (g) =>
          g.root(
            `cat > ${SIM_STATE} && chown -R deploy /usr/local/lib/hermes-agent`,
            JSON.stringify({ generation: 'G0', updateTo: 'G0' }),
          ),
        undo: async (g) =>
          g.root(
            `cat > ${SIM_STATE} && chown -R root /usr/local/lib/hermes-agent`,
            JSON.stringify({ generation: 'G2' }),
          ),
      },
      {
        name: 'hermes --version prints garbage',
        args: (g) => g.p.args,
        code: 'E_HERMES_VERSION',
        exit: 1,
        detail: /did not print "Hermes Agent v…": Traceback/,
        setup: async (g) =>
          g.root(
            'mv /usr/local/bin/hermes /usr/local/bin/hermes.off && printf \'#!/bin/sh\\necho "Traceback (most recent call last):"; exit 1\\n\' > /usr/local/bin/hermes && chmod 755 /usr/local/bin/hermes',
          ),
        undo: async (g) => g.root('mv /usr/local/bin/hermes.off /usr/local/bin/hermes'),
      },
      {
        name: 'tailscale absent, --mode password',
        args: (g) => [...g.p.args, '--mode', 'password'],
        code: 'E_TAILSCALE_DOWN',
        exit: 1,
        detail: /Tailscale on the host is not installed.*--mode tunnel/,
        setup: async (g) => g.root('mv /usr/local/bin/tailscale /usr/local/bin/tailscale.off'),
        undo: async (g) => g.root('mv /usr/local/bin/tailscale.off /usr/local/bin/tailscale'),
      },
      {
        name: 'tailscale NeedsLogin, --mode password',
        args: (g) => [...g.p.args, '--mode', 'password'],
        code: 'E_TAILSCALE_DOWN',
        exit: 1,
        detail: /Tailscale on the host is NeedsLogin/,
        setup: async (g) => g.p.setTailscale(presetTailscaleState('NeedsLogin')),
        undo: async (g) =>
          g.p.setTailscale(presetTailscaleState('Running', { ipv4: g.h.tailnetIp, hostName: g.h.name })),
      },
      {
        name: 'tailscaled not running, --mode password',
        args: (g) => [...g.p.args, '--mode', 'password'],
        code: 'E_TAILSCALE_DOWN',
        exit: 1,
        detail: /Tailscale on the host is not running/,
        setup: async (g) => g.p.setTailscale(presetTailscaleState('Running', { daemon: 'down', ipv4: g.h.tailnetIp })),
        undo: async (g) =>
          g.p.setTailscale(presetTailscaleState('Running', { ipv4: g.h.tailnetIp, hostName: g.h.name })),
      },
      {
        name: 'the port held by a foreign process of this user',
        args: (g) => g.p.args,
        code: 'E_PORT_FOREIGN',
        exit: 1,
        detail: /port 9119 is held by pid \d+ \(python3 -m http\.server 9119/,
        setup: async (g) => {
          await g.asDeploy(
            'cd /tmp; nohup python3 -m http.server 9119 --bind 127.0.0.1 </dev/null >/dev/null 2>&1 & echo $! > /tmp/foreign.pid',
          );
          await g.waitListening(9119);
        },
        undo: async (g) => {
          await g.asDeploy('kill $(cat /tmp/foreign.pid)');
          await g.waitFree(9119);
        },
        also: async (_r, g) => {
          expect((await g.h.ssh('kill -0 $(cat /tmp/foreign.pid)')).code, 'the foreign process was touched').toBe(0);
        },
      },
      {
        name: 'the port held by another user (root)',
        args: (g) => g.p.args,
        code: 'E_PORT_FOREIGN',
        exit: 1,
        detail: /held by a process of another user/,
        setup: async (g) => {
          await g.root(
            'cd /tmp; nohup python3 -m http.server 9119 --bind 127.0.0.1 </dev/null >/dev/null 2>&1 & echo $! > /root/foreign.pid',
          );
          await g.waitListening(9119);
        },
        undo: async (g) => {
          await g.root('kill $(cat /root/foreign.pid)');
          await g.waitFree(9119);
        },
      },
      ...['203.0.113.7/32', '2001:db8::7/128'].map((addr): Case => ({
        name: `--bind all with a public ${addr.includes(':') ? 'IPv6' : 'IPv4'} address on the host`,
        args: (g) => [...g.p.args, '--bind', 'all'],
        code: 'E_PUBLIC_BIND',
        exit: 2,
        detail: new RegExp(
          `--bind all would also listen on the public address ${addr.split('/')[0]!.replace(/\./g, '\\.')} .*--allow-public`,
        ),
        setup: async (g) => g.root(`ip addr add ${addr} dev host0${addr.includes(':') ? ' nodad' : ''}`),
        undo: async (g) => g.root(`ip addr del ${addr} dev host0`),
      })),
    ],
    () => B,
  );
});

// ---- controls and drift (success runs are not counted) -------------------------------------------------------------

describe('controls: what must work', () => {
  it('a CRLF .env works and keeps CRLF on every line', async () => {
    const original = 'OPENAI_API_KEY=sk-crlf-1\r\n# a comment\r\nFOO="bar baz"\r\n';
    await A.asDeploy('cat > ~/.hermes/.env && chmod 600 ~/.hermes/.env', original);
    const r = await runCli(['remote', ...p.args, '--no-update'], { HOME: p.cliHome }, { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const env = (await h.ssh('cat ~/.hermes/.env')).stdout;
    expect(env.startsWith(original)).toBe(true);
    const lines = env.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.length).toBeGreaterThan(3);
    for (const l of lines) expect(l, JSON.stringify(env)).toMatch(/\r$/);
    expect(env).toMatch(/^HERMES_DASHBOARD_SESSION_TOKEN=[A-Za-z0-9_-]{43}\r$/m);
    expect((await h.ssh('cat ~/.hermes/.env.hermes-setup.bak')).stdout).toBe(original);
  });

  it('tailscale NeedsLogin: --mode auto picks tunnel and succeeds', async () => {
    await p.setTailscale(presetTailscaleState('NeedsLogin'));
    const r = await runCli(['remote', ...p.args, '--no-update', '--json'], { HOME: p.cliHome }, { timeoutMs: 120_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, mode: 'tunnel', bind: '127.0.0.1' });
  });

  it('tailscale absent: --mode auto picks tunnel and succeeds', async () => {
    await A.root('mv /usr/local/bin/tailscale /usr/local/bin/tailscale.off');
    try {
      const r = await runCli(
        ['remote', ...p.args, '--no-update', '--json'],
        { HOME: p.cliHome },
        { timeoutMs: 120_000 },
      );
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({
        ok: true,
        mode: 'tunnel',
        bind: '127.0.0.1',
        reason: expect.stringMatching(/not installed/),
      });
    } finally {
      await A.root('mv /usr/local/bin/tailscale.off /usr/local/bin/tailscale');
    }
  });
});

describe('a G0 host that `hermes update` lifts to G2', () => {
  it('is updated first, then converged (the too-old check must look at the build after the update)', async () => {
    // A G0 build in place, as a reinstall leaves it (the venv entry rewritten: the install fingerprint changes).
    await A.root(
      `printf '%s' '${JSON.stringify({ generation: 'G0', updateTo: 'G2' })}' > ${SIM_STATE} && touch -d @$(( $(date +%s) + 1 )) ${SIM_ENTRY} && chown -R deploy /usr/local/lib/hermes-agent`,
    );
    try {
      const r = await runCli(['remote', ...p.args, '--json'], { HOME: p.cliHome }, { timeoutMs: 120_000 });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as {
        steps: Array<{ id: string; status: string }>;
        hermes: { generation: string };
      };
      expect(report.steps.find((s) => s.id === 'update')).toMatchObject({ status: 'changed' });
      expect(report.hermes).toMatchObject({ generation: 'G2' });
    } finally {
      await A.root(
        `printf '%s' '${JSON.stringify({ generation: 'G2' })}' > ${SIM_STATE} && touch -d @$(( $(date +%s) + 2 )) ${SIM_ENTRY} && chown -R root /usr/local/lib/hermes-agent`,
      );
    }
  });
});

describe('a unit edited by hand', () => {
  const UNIT = '~/.config/systemd/user/hermes-dashboard.service';
  const EDIT = 'Environment=HAND_EDITED=1';

  it('is drift: the run refuses and changes nothing', async () => {
    counted.push('a unit edited by hand (drift)');
    await A.asDeploy(
      `test -f ${UNIT} && sed -i 's/^\\[Service\\]$/[Service]\\n${EDIT}/' ${UNIT} && grep -qx '${EDIT}' ${UNIT}`,
    );
    await runCase({
      name: 'drift',
      args: () => [...p.args, '--no-update'],
      code: 'E_SERVICE_DRIFT',
      exit: 1,
      detail: /hermes-dashboard\.service was written by hermes-setup and edited by hand since .*--force/,
    });
  });

  it('is drift with --rotate-token, too: refused before the new token is written', async () => {
    counted.push('a unit edited by hand, with --rotate-token');
    await runCase({
      name: 'drift + rotate',
      args: () => [...p.args, '--no-update', '--rotate-token'],
      code: 'E_SERVICE_DRIFT',
      exit: 1,
    });
  });

  it('--dry-run shows the drift in the diff and changes nothing', async () => {
    const before = await hostState(h);
    const r = await runCli(['remote', ...p.args, '--no-update', '--dry-run'], { HOME: p.cliHome });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/hermes-dashboard\.service/);
    expect(r.stdout).toContain(`-${EDIT}`);
    expect(r.stdout).toMatch(/edited by hand since .*a real run refuses to replace it without --force/);
    expect(await hostState(h)).toBe(before);
  });

  it('--force overwrites it', async () => {
    const r = await runCli(
      ['remote', ...p.args, '--no-update', '--force', '--json'],
      { HOME: p.cliHome },
      { timeoutMs: 120_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as { steps: Array<{ id: string; status: string }> };
    expect(report.steps.find((s) => s.id === 'service')).toMatchObject({
      status: 'changed',
    });
    expect((await h.ssh(`cat ${UNIT}`)).stdout).not.toContain(EDIT);
    const again = await runCli(['remote', ...p.args, '--no-update'], { HOME: p.cliHome }, { timeoutMs: 120_000 });
    expect(again.code).toBe(0);
  });

  it('counts at least 40 failing cases', () => {
    expect(counted.length).toBeGreaterThanOrEqual(40);
  });
});
