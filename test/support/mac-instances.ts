// What runs on an emulated Mac, seen from outside the tool: where ai.hermes.dashboard is loaded (straight from the
// host's launchd, as root), who holds the dashboard port (lsof inside the host), and passwordless sudo for the user.
import { rmSync, writeFileSync } from 'node:fs';
import type { MacHost } from '../hosts/mac-host.js';

const LABEL = 'ai.hermes.dashboard';

export interface Instance {
  scope: string;
  state: string;
  pid?: number;
}

/** Every domain the label is loaded in, with its state and pid. */
export async function loadedInstances(mac: MacHost): Promise<Instance[]> {
  const out: Instance[] = [];
  for (const [scope, uid] of [
    ['system', 0],
    [`gui/${mac.uid}`, mac.uid],
    [`user/${mac.uid}`, mac.uid],
  ] as const) {
    const r = await mac.launchctl(['print', `${scope}/${LABEL}`], uid);
    if (r.code !== 0) continue;
    const pid = /^\s*pid = (\d+)/m.exec(r.stdout)?.[1];
    out.push({
      scope,
      state: /^\s*state = (.+)$/m.exec(r.stdout)?.[1]?.trim() ?? '?',
      ...(pid ? { pid: Number(pid) } : {}),
    });
  }
  return out;
}

export const scopes = async (mac: MacHost): Promise<string[]> => (await loadedInstances(mac)).map((i) => i.scope);

/** The pids listening on the dashboard port inside the host. */
export async function portHolders(mac: MacHost, port = 9119): Promise<number[]> {
  const r = await mac.ssh(`lsof -nP -iTCP:${port} -sTCP:LISTEN -t`);
  return r.stdout.split('\n').filter(Boolean).map(Number);
}

/** Polls `f` until it returns true (≤ ms). */
export async function waitFor(f: () => Promise<boolean>, ms = 30_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await f()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return f();
}

/** Passwordless sudo for the host's user (a LaunchDaemon needs it); returns the cleanup. */
export function grantSudo(mac: MacHost): () => void {
  const f = `/etc/sudoers.d/hs-test-${mac.user}`;
  writeFileSync(f, `${mac.user} ALL=(ALL) NOPASSWD:ALL\n`, { mode: 0o440 });
  return () => rmSync(f, { force: true });
}
