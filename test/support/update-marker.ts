// Update markers on a test host as upstream writes them (docs/hermes-contract.md#c11): `<pid>\n<epoch>\n`. A live
// marker names a process that keeps running until release(); a stale one names a PID that is gone, or is too old.
import type { PreparedHost } from './prepare-host.js';

const MARKER = '~/.hermes/.hermes-update-in-progress';

/** A live marker held by a `sleep` on the host; release() kills the holder and leaves the (now stale) file. */
export async function writeLiveMarker(
  p: Pick<PreparedHost, 'ssh'>,
): Promise<{ pid: number; release(): Promise<void> }> {
  const r = await p.ssh(
    `mkdir -p ~/.hermes && { sleep 900 </dev/null >/dev/null 2>&1 & pid=$!; printf '%s\\n%s\\n' "$pid" "$(date +%s.%N)" > ${MARKER}; echo "$pid"; }`,
  );
  const pid = Number(r.stdout.trim());
  if (r.code !== 0 || !(pid > 0)) throw new Error(`live marker: ${r.code} ${r.stdout} ${r.stderr}`);
  return {
    pid,
    release: async () => {
      await p.ssh(`kill ${pid} 2>/dev/null; true`);
    },
  };
}

/** A stale marker: the PID of a process that has exited (or, with `ageSec`, a live PID started too long ago). */
export async function writeStaleMarker(p: Pick<PreparedHost, 'ssh'>, o: { ageSec?: number } = {}): Promise<number> {
  const pidCmd = o.ageSec === undefined ? 'sh -c "exit 0" & pid=$!; wait $pid' : 'pid=1';
  const when = o.ageSec === undefined ? '$(date +%s)' : `$(( $(date +%s) - ${o.ageSec} ))`;
  const r = await p.ssh(
    `mkdir -p ~/.hermes && { ${pidCmd}; printf '%s\\n%s\\n' "$pid" "${when}" > ${MARKER}; echo "$pid"; }`,
  );
  if (r.code !== 0) throw new Error(`stale marker: ${r.code} ${r.stderr}`);
  return Number(r.stdout.trim());
}
