// The CLI as gh/npm/tailscale users expect it, without a host: a closed pipe never crashes it, `help nope` is an
// error, every --port speaks of --port, -v prints the version, and shell completion really completes in bash, zsh
// and fish (generated from the program, so every command and flag is offered).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli.js';
import { completionModel } from '../../src/commands/completion.js';
import type { CompletionCommand } from '../../src/render/completion.js';
import { CLI, runCli } from '../support/cli.js';

const home = mkdtempSync('/var/tmp/hs-cli-ux-');
mkdirSync(join(home, '.ssh'));
afterAll(() => rmSync(home, { recursive: true, force: true }));
const nodeOnly = join(home, 'bin');
mkdirSync(nodeOnly);
symlinkSync(process.execPath, join(nodeOnly, 'node'));

/** bash -c with the CLI's exit status (PIPESTATUS[0]) on the last line of stdout. */
function piped(cmd: string): { status: number; stdout: string; stderr: string } {
  const r = spawnSync('bash', ['-c', `${cmd}; echo "status=\${PIPESTATUS[0]}"`], {
    encoding: 'utf8',
    env: { ...process.env, HOME: home, NO_COLOR: '1' },
  });
  const status = Number(/status=(\d+)\s*$/.exec(r.stdout)?.[1] ?? -1);
  return { status, stdout: r.stdout.replace(/status=\d+\s*$/, ''), stderr: r.stderr };
}

describe('a closed pipe (the reader went away) never crashes the CLI', () => {
  it.each([
    [`node ${CLI} --help | true`],
    [`node ${CLI} remote --help | head -1`],
    [`node ${CLI} check --help | head -1`],
    [`node ${CLI} pair --help | head -3`],
    [`node ${CLI} completion bash | head -1`],
  ])('%s: exit 0, no EPIPE, no stack trace', (cmd) => {
    for (let n = 0; n < 3; n++) {
      const r = piped(cmd);
      expect(r.stderr, cmd).not.toMatch(/EPIPE|\n\s+at |Unhandled/);
      expect(r.status, cmd).toBe(0);
    }
  });
});

describe('usage', () => {
  it('help for a command that does not exist is the unknown-command error (exit 2), with a suggestion', async () => {
    const r = await runCli(['help', 'nope']);
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/^E_UNKNOWN_COMMAND: unknown command 'nope' — hint: run hermes-setup --help/);
    expect((await runCli(['help', 'remot'])).stderr).toMatch(
      /^E_UNKNOWN_COMMAND: unknown command 'remot' \(did you mean remote\?\)/,
    );
    expect(await runCli(['help', 'remote'])).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^Usage: hermes-setup remote/) as unknown,
    });
  });

  it('-v, -V and --version print the version', async () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')) as {
      version: string;
    };
    for (const flag of ['-v', '-V', '--version'])
      expect(await runCli([flag]), flag).toMatchObject({ code: 0, stdout: pkg.version });
  });

  it.each([
    ['remote', 'box'],
    ['check', 'box'],
    ['doctor', 'box'],
    ['uninstall', 'box'],
    ['cron', 'install', 'box'],
    ['cron', 'remove', 'box'],
  ])('%s … --port abc speaks of --port (exit 2) before anything runs', async (...words) => {
    // A PATH with node only: a command that got as far as running crontab or ssh would fail differently.
    const r = await runCli([...words, '--port', 'abc'], { HOME: home, PATH: nodeOnly });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('E_USAGE: invalid --port "abc" — hint: give a port between 1 and 65535, e.g. --port 9119');
  });

  it('an IPv4 target with a port is named as typed (user@127.0.0.1:1, not [127.0.0.1]:1); a failed connection prints no summary', async () => {
    const key = join(home, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', key]);
    const r = await runCli(['remote', 'deploy@127.0.0.1:1', '-i', key], { HOME: home });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/^E_UNREACHABLE: cannot connect to deploy@127\.0\.0\.1:1: connection refused/);
    expect(r.stderr).not.toContain('[127.0.0.1]');
    expect(r.stdout).toBe('');
    const v6 = await runCli(['ping', 'deploy@[::1]:1', '-i', key], { HOME: home });
    expect(v6.stderr).toMatch(/deploy@\[::1\]:1/);
  });
});

/** Every command path with its flags, from the program itself. */
function commandsOf(
  c: CompletionCommand,
  path: string[] = [],
): Array<{ path: string[]; flags: string[]; subs: string[] }> {
  const here = { path, flags: c.flags.map((f) => f.long ?? f.short!), subs: c.commands.map((s) => s.name) };
  return [here, ...c.commands.filter((s) => s.name !== 'help').flatMap((s) => commandsOf(s, [...path, s.name]))];
}

describe('shell completion, generated from the program', () => {
  const dir = mkdtempSync('/var/tmp/hs-completion-');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const script = (shell: string): string => execFileSync('node', [CLI, 'completion', shell], { encoding: 'utf8' });
  beforeAll(() => {
    writeFileSync(join(dir, 'hermes-setup.bash'), script('bash'));
    writeFileSync(join(dir, '_hermes-setup'), script('zsh'));
    writeFileSync(join(dir, 'hermes-setup.fish'), script('fish'));
  });

  const bash = (line: string): string[] => {
    const words = line.split(' ');
    const set = `COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}`;
    const r = spawnSync(
      'bash',
      ['-c', `source ${dir}/hermes-setup.bash; ${set}; _hermes_setup; printf '%s\\n' "\${COMPREPLY[@]}"`],
      { encoding: 'utf8' },
    );
    return r.stdout.split('\n').filter(Boolean).sort();
  };
  const zsh = (line: string): string[] => {
    const r = spawnSync('zsh', [join(import.meta.dirname, '..', 'support', 'zsh-complete.zsh'), dir, line], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    return r.stdout.split('\n').filter(Boolean).sort();
  };
  const fish = (line: string): string[] => {
    const r = spawnSync('fish', ['-c', `source ${dir}/hermes-setup.fish; complete -C '${line}'`], { encoding: 'utf8' });
    return r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('\t')[0]!)
      .sort();
  };
  const shells = { bash, zsh, fish };

  it.each(Object.keys(shells))('%s completes commands, subcommands, flags and their choices', (name) => {
    const complete = shells[name as keyof typeof shells];
    expect(complete('hermes-setup re')).toEqual(['remote']);
    expect(complete('hermes-setup cron ')).toEqual(['install', 'remove']);
    expect(complete('hermes-setup remote box --mode ')).toEqual(['auto', 'password', 'token', 'tunnel']);
    expect(complete('hermes-setup cron install --ev')).toEqual(['--every']);
    expect(complete('hermes-setup completion ')).toEqual(['bash', 'fish', 'zsh']);
  });

  it('bash offers every command and every flag of every command (the script cannot drift from the program)', () => {
    const all = commandsOf(completionModel(buildProgram()));
    expect(all.length).toBeGreaterThan(12);
    for (const c of all) {
      const line = ['hermes-setup', ...c.path].join(' ');
      expect(bash(`${line} --`), line).toEqual(expect.arrayContaining(c.flags.filter((f) => f.startsWith('--'))));
      if (c.subs.length) expect(bash(`${line} `), line).toEqual(expect.arrayContaining(c.subs));
    }
  });
});
