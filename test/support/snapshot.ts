// A byte-and-mtime snapshot of the trees the tool manages on a host, to prove "zero files written".
type Ssh = (cmd: string) => Promise<{ code: number; stdout: string; stderr: string }>;

export const MANAGED_DIRS = ['~/.hermes', '~/.config/systemd/user', '~/Library/LaunchAgents'];

export async function snapshotTrees(ssh: Ssh, dirs = MANAGED_DIRS): Promise<string> {
  const list = dirs.map((d) => d.replace(/^~\//, '"$HOME"/')).join(' ');
  const r = await ssh(
    `for d in ${list}; do [ -e "$d" ] && find "$d" \\( -type f -o -type l \\) -not -path '*/logs/*' -not -name '*.log' -not -path '*/.update_check*' -printf '%p %m %T@ ' -exec sh -c 'sha256sum < "$1" | cut -c1-16' sh {} \\; ; done | sort`,
  );
  if (r.code !== 0) throw new Error(`snapshot failed: ${r.stderr}`);
  return r.stdout;
}
