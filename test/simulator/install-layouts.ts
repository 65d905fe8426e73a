/**
 * Where each install layout of §12 / §18.4 puts the simulator: the package root (`sim/*.cjs`, `hermes_cli/web_dist`,
 * `.sim-state.json`), the executable entry, and the command path `hermes` is found at.
 */
export type SimLayout = 'user' | 'installer' | 'root-fhs' | 'system' | 'pipx' | 'uv-tool' | 'pip-user' | 'homebrew';

export interface LayoutPaths {
  /** Canonical layout name written to the state file. */
  layout: 'installer' | 'root-fhs' | 'pipx' | 'uv-tool' | 'pip-user' | 'homebrew';
  pkgRoot: string;
  /** The node script that runs the simulator (a venv's `bin/hermes`, or pip --user's plain script). */
  entry: string;
  /** Also write `<dir of entry>/python` (`python -m hermes_cli.main …`, §12). */
  python: boolean;
  /** The path `command -v hermes` finds. */
  command: string;
  commandKind: 'bash-shim' | 'symlink' | 'entry';
  /** pip-style installs carry `hermes_agent-<ver>.dist-info` in site-packages. */
  distInfo: boolean;
}

const PY = 'python3.11';

/**
 * `version` is only used by the Homebrew-style Cellar path. `fsRoot` (test-only, default '') re-roots the system
 * paths `/usr/local` and `/opt/homebrew` so local contract tests do not touch the machine's own prefixes.
 */
export function resolveLayout(
  layout: SimLayout | undefined,
  home: string,
  shim: 'bash' | 'symlink' | undefined,
  version: string,
  fsRoot = '',
): LayoutPaths {
  const local = `${home}/.local`;
  const venvStyle = (venv: string, name: LayoutPaths['layout']): LayoutPaths => ({
    layout: name,
    pkgRoot: `${venv}/lib/${PY}/site-packages`,
    entry: `${venv}/bin/hermes`,
    python: true,
    command: `${local}/bin/hermes`,
    commandKind: 'symlink',
    distInfo: true,
  });
  switch (layout ?? 'user') {
    case 'user':
    case 'installer': {
      const dir = `${home}/.hermes/hermes-agent`;
      return {
        layout: 'installer',
        pkgRoot: dir,
        entry: `${dir}/venv/bin/hermes`,
        python: true,
        command: `${local}/bin/hermes`,
        commandKind: shim === 'symlink' ? 'symlink' : 'bash-shim',
        distInfo: false,
      };
    }
    case 'root-fhs':
    case 'system': {
      const dir = `${fsRoot}/usr/local/lib/hermes-agent`;
      return {
        layout: 'root-fhs',
        pkgRoot: dir,
        entry: `${dir}/venv/bin/hermes`,
        python: true,
        command: `${fsRoot}/usr/local/bin/hermes`,
        commandKind: shim === 'symlink' ? 'symlink' : 'bash-shim',
        distInfo: false,
      };
    }
    case 'pipx':
      return venvStyle(`${local}/pipx/venvs/hermes-agent`, 'pipx');
    case 'uv-tool':
      return venvStyle(`${local}/share/uv/tools/hermes-agent`, 'uv-tool');
    case 'pip-user':
      return {
        layout: 'pip-user',
        pkgRoot: `${local}/lib/${PY}/site-packages`,
        entry: `${local}/bin/hermes`,
        python: false,
        command: `${local}/bin/hermes`,
        commandKind: 'entry',
        distInfo: true,
      };
    case 'homebrew': {
      const cellar = `${fsRoot}/opt/homebrew/Cellar/hermes-agent/${version}`;
      return {
        layout: 'homebrew',
        pkgRoot: `${cellar}/libexec/lib/${PY}/site-packages`,
        entry: `${cellar}/bin/hermes`,
        python: false,
        command: `${fsRoot}/opt/homebrew/bin/hermes`,
        commandKind: 'symlink',
        distInfo: true,
      };
    }
  }
}
