/** `--stop`, `--status` (§2.1) and `serve --print-session-token` (§4.4). */
import http from 'node:http';
import type { ParsedArgs } from './args.cjs';
import type { SimContext } from './context.cjs';
import { findDashboardProcesses, terminateProcesses } from './process-table.cjs';

function scanOptions(ctx: SimContext): { scope: 'host' | 'install'; installDir: string; entry: string } {
  return { scope: ctx.state.processScope ?? 'host', installDir: ctx.installDir, entry: ctx.entryPath };
}

export async function stopDashboards(ctx: SimContext): Promise<number> {
  const procs = findDashboardProcesses(scanOptions(ctx));
  if (procs.length === 0) {
    process.stdout.write('No running dashboard processes found.\n');
    return 0;
  }
  process.stdout.write(`Stopping ${procs.length} dashboard process(es): ${procs.map((p) => p.pid).join(', ')}\n`);
  const survivors = await terminateProcesses(
    procs.map((p) => p.pid),
    3000,
  );
  if (survivors.length > 0) {
    process.stderr.write(`✗ Could not stop process(es): ${survivors.join(', ')}\n`);
    return 1;
  }
  process.stdout.write(`✓ Stopped ${procs.length} dashboard process(es).\n`);
  return 0;
}

/** #81564: `--status` does not see `--port 0` serves. */
export function listDashboards(ctx: SimContext): number {
  const procs = findDashboardProcesses(scanOptions(ctx)).filter((p) => {
    const i = p.args.indexOf('--port');
    return !(i !== -1 && p.args[i + 1] === '0') && !p.args.includes('--port=0');
  });
  if (procs.length === 0) {
    process.stdout.write('No running dashboard processes found.\n');
    return 0;
  }
  process.stdout.write(`Running dashboard processes (${procs.length}):\n`);
  for (const p of procs) process.stdout.write(`  PID ${p.pid}  ${p.cmdline}\n`);
  return 0;
}

function fetchStatus(host: string, port: number): Promise<Record<string, unknown> | null> {
  return new Promise((resolve) => {
    const req = http.get({ host, port, path: '/api/status', timeout: 5000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>);
        } catch {
          resolve(null);
        }
      });
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

export async function printSessionToken(args: ParsedArgs): Promise<number> {
  const host = typeof args['host'] === 'string' ? args['host'] : '127.0.0.1';
  const port = typeof args['port'] === 'number' ? args['port'] : 9119;
  const status = await fetchStatus(host, port);
  if (!status) {
    process.stderr.write(`error: missing — no hermes serve answered on http://${host}:${port}/api/status\n`);
    return 1;
  }
  if (status['auth_required'] === true) {
    process.stderr.write(
      `error: gated — the backend on ${host}:${port} requires sign-in; no loopback session token is available\n`,
    );
    return 1;
  }
  const token = status['session_token'];
  if (typeof token !== 'string' || token === '') {
    process.stderr.write(`error: old — the backend on ${host}:${port} does not report session_token (update Hermes)\n`);
    return 1;
  }
  process.stdout.write(token + '\n');
  return 0;
}
