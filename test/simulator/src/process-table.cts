/** Process-table scans used by `--stop`, `--status` and `hermes update` (§2.1, §10.3). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

export interface ProcInfo {
  pid: number;
  ppid: number;
  args: string[];
  cmdline: string;
}

const DASHBOARD_RE = /(?:^|[\s/])hermes(?:_cli\.main)?\s+(dashboard|serve)(?:\s|$)/;
const CONTROL_FLAGS = new Set(['--stop', '--status', '--help', '-h', '--print-session-token']);

function readProcEntry(pid: number): ProcInfo | null {
  try {
    const raw = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (raw === '') return null;
    const args = raw.replace(/\0$/, '').split('\0');
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, ppid: Number(after[1]), args, cmdline: args.join(' ') };
  } catch {
    return null;
  }
}

function listFromPs(): ProcInfo[] {
  const out = execFileSync('ps', ['-axo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  const rows: ProcInfo[] = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const cmdline = m[3] ?? '';
    rows.push({ pid: Number(m[1]), ppid: Number(m[2]), args: cmdline.split(/\s+/), cmdline });
  }
  return rows;
}

export function listProcesses(): ProcInfo[] {
  if (!fs.existsSync('/proc/self/cmdline')) return listFromPs();
  const rows: ProcInfo[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const info = readProcEntry(Number(name));
    if (info) rows.push(info);
  }
  return rows;
}

function collectAncestors(rows: ProcInfo[], pid: number): Set<number> {
  const byPid = new Map(rows.map((r) => [r.pid, r]));
  const out = new Set<number>([pid]);
  let cur = byPid.get(pid);
  while (cur && cur.ppid > 1 && !out.has(cur.ppid)) {
    out.add(cur.ppid);
    cur = byPid.get(cur.ppid);
  }
  return out;
}

export interface DashboardScan {
  scope: 'host' | 'install';
  installDir: string;
  /** The install's entry script: its cmdline marks processes of this install for scope 'install'. */
  entry?: string;
  excludePids?: number[];
}

export function getDashboardKind(p: ProcInfo): 'dashboard' | 'serve' | null {
  const m = DASHBOARD_RE.exec(p.cmdline);
  return m ? (m[1] as 'dashboard' | 'serve') : null;
}

/** Every `hermes dashboard` / `hermes serve` process except this one and its ancestors. */
export function findDashboardProcesses(scan: DashboardScan): ProcInfo[] {
  const rows = listProcesses();
  const skip = collectAncestors(rows, process.pid);
  for (const pid of scan.excludePids ?? []) skip.add(pid);
  return rows.filter((p) => {
    if (skip.has(p.pid) || !getDashboardKind(p)) return false;
    if (p.args.some((a) => CONTROL_FLAGS.has(a))) return false;
    return (
      scan.scope === 'host' ||
      p.cmdline.includes(scan.installDir) ||
      (scan.entry !== undefined && p.cmdline.includes(scan.entry))
    );
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The systemd unit owning a process (`.service` entry of /proc/<pid>/cgroup), if any. */
export function readOwningUnit(pid: number): string | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const segs = line.split('/').filter((s) => s.endsWith('.service'));
    const last = segs[segs.length - 1];
    if (last && !/^user@\d+\.service$/.test(last)) return last;
  }
  return null;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** SIGTERM, wait up to graceMs, SIGKILL. Returns the PIDs still alive afterwards. */
export async function terminateProcesses(pids: number[], graceMs: number): Promise<number[]> {
  const survivors: number[] = [];
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EPERM') survivors.push(pid);
    }
  }
  const deadline = Date.now() + graceMs;
  let pending = pids.filter((p) => !survivors.includes(p) && isAlive(p));
  while (pending.length > 0 && Date.now() < deadline) {
    await sleep(50);
    pending = pending.filter(isAlive);
  }
  for (const pid of pending) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await sleep(pending.length > 0 ? 100 : 0);
  return [...survivors, ...pending.filter(isAlive)];
}
