// macOS userland for the emulated Mac: the BSD wrappers of macos-bin/ put first in /usr/bin and /usr/sbin
// (through the per-host overlays), whiteouts that hide GNU/Linux-only commands, and where node/npm live.
// Sources for every rule: README.md, "macOS userland".
import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Wrappers that live in /usr/sbin on a Mac (the rest go to /usr/bin, which is also /bin here). */
const SBIN = new Set(['sysctl', 'ifconfig']);

/** Commands a Mac does not have; hidden in the host's namespace with overlay whiteouts. */
export const ABSENT_COMMANDS = [
  'timeout',
  'setsid',
  'flock',
  'ip',
  'ss',
  'systemctl',
  'loginctl',
  'journalctl',
  'systemd-run',
  'busctl',
  'getent',
  'nproc',
  'pidof',
  'tac',
  'stdbuf',
  'numfmt',
];

/** Where node and npm are on the emulated Mac (issue 13 item 6); `system` = the test machine's /usr/bin/node. */
export type MacNodeLayout = 'system' | 'homebrew' | 'nvm' | 'volta' | 'hermes';
export const NVM_NODE_VERSION = 'v20.19.0';

export interface UserRef {
  name: string;
  uid: number;
  gid: number;
}

async function whiteout(path: string): Promise<void> {
  await run('mknod', [path, 'c', '0', '0']);
}

/** Copies macos-bin/* into the overlay lowers with the GNU directory filled in; hides ABSENT_COMMANDS. */
export async function installMacUserland(
  root: string,
  emulatorDir: string,
  opts: { hideNode: boolean },
): Promise<void> {
  const src = join(emulatorDir, 'macos-bin');
  for (const name of await readdir(src)) {
    const text = (await readFile(join(src, name), 'utf8')).split('@@GNU@@').join(join(root, 'gnu-bin'));
    const dest = join(root, SBIN.has(name) ? 'usr-sbin' : 'usr-bin', name);
    await writeFile(dest, text, { mode: 0o755 });
    await chmod(dest, 0o755);
  }
  const hidden = [...ABSENT_COMMANDS, ...(opts.hideNode ? ['node', 'nodejs', 'npm', 'npx', 'corepack'] : [])];
  for (const name of hidden) await whiteout(join(root, 'usr-bin', name));
  await whiteout(join(root, 'usr-sbin', 'ip'));
}

/** Path (inside the host) of a node binary any user can run, whatever the layout. */
export function hostNodePath(layout: MacNodeLayout, home: string, root: string): string {
  switch (layout) {
    case 'system':
      return '/usr/bin/node';
    case 'homebrew':
      return '/opt/homebrew/bin/node';
    case 'nvm':
      return `${home}/.nvm/versions/node/${NVM_NODE_VERSION}/bin/node`;
    case 'volta':
      return `${home}/.volta/bin/node`;
    case 'hermes':
      return `${home}/.hermes/node/bin/node`;
  }
  return join(root, 'gnu-bin', 'node');
}

async function mkdirsOwned(base: string, rel: string, u: UserRef): Promise<string> {
  let p = base;
  for (const part of rel.split('/')) {
    p = join(p, part);
    await mkdir(p, { recursive: true });
    await chown(p, u.uid, u.gid);
  }
  return p;
}

async function appendOwned(path: string, text: string, u: UserRef): Promise<void> {
  const old = await readFile(path, 'utf8').catch(() => '');
  await writeFile(path, old + text);
  await chown(path, u.uid, u.gid);
}

/**
 * Puts node/npm/npx where `layout` says (symlinks to the test machine's node and npm-cli.js; npm finds node on
 * PATH through `#!/usr/bin/env node`, so an npm whose node is not on PATH fails as it does on a Mac) and adds
 * the shell-profile line each installer writes. `homeOnHost` = the home as seen from the test machine.
 */
export async function installNodeLayout(
  layout: MacNodeLayout,
  o: { root: string; homeOnHost: string; home: string; user: UserRef },
): Promise<void> {
  if (layout === 'system') return;
  const node = join(o.root, 'gnu-bin', 'node');
  const npmCli = '/usr/lib/node_modules/npm/bin/npm-cli.js';
  const npxCli = '/usr/lib/node_modules/npm/bin/npx-cli.js';
  const rel = {
    homebrew: '',
    nvm: `.nvm/versions/node/${NVM_NODE_VERSION}/bin`,
    volta: '.volta/bin',
    hermes: '.hermes/node/bin',
  }[layout];
  const dir = layout === 'homebrew' ? join(o.root, 'homebrew', 'bin') : await mkdirsOwned(o.homeOnHost, rel, o.user);
  await symlink(node, join(dir, 'node'));
  await symlink(npmCli, join(dir, 'npm'));
  await symlink(npxCli, join(dir, 'npx'));
  // The user's shell here is bash; a Mac's is zsh. Lines an installer puts in ~/.zshrc (read only by
  // interactive zsh) go to ~/.zshrc and are read by nothing here, as by `ssh host cmd` and `zsh -lc` on a Mac;
  // lines for login shells (~/.zprofile on a Mac) go to ~/.bash_profile, which `bash -lc` reads.
  const profile = (f: string, text: string) => appendOwned(join(o.homeOnHost, f), text, o.user);
  if (layout === 'nvm') {
    await writeFile(
      join(o.homeOnHost, '.nvm', 'nvm.sh'),
      `export PATH="$NVM_DIR/versions/node/${NVM_NODE_VERSION}/bin:$PATH"\n`,
    );
    await chown(join(o.homeOnHost, '.nvm', 'nvm.sh'), o.user.uid, o.user.gid);
    await profile(
      '.zshrc',
      '\nexport NVM_DIR="$HOME/.nvm"\n[ -s "$NVM_DIR/nvm.sh" ] && \\. "$NVM_DIR/nvm.sh"  # This loads nvm\n',
    );
  } else if (layout === 'volta') {
    await profile('.zshrc', '\nexport VOLTA_HOME="$HOME/.volta"\nexport PATH="$VOLTA_HOME/bin:$PATH"\n');
  } else if (layout === 'homebrew') {
    // What `eval "$(/opt/homebrew/bin/brew shellenv)"` (Homebrew's "Next steps", in ~/.zprofile) sets.
    await profile('.bash_profile', '\nexport PATH="/opt/homebrew/bin:/opt/homebrew/sbin:$PATH"\n');
  } else {
    // Upstream's installer links node/npm/npx into ~/.local/bin and adds ~/.local/bin to PATH in the shell rc.
    const lb = await mkdirsOwned(o.homeOnHost, '.local/bin', o.user);
    for (const n of ['node', 'npm', 'npx']) await symlink(`${o.home}/.hermes/node/bin/${n}`, join(lb, n));
    await profile('.zshrc', '\nexport PATH="$HOME/.local/bin:$PATH"\n');
  }
}
