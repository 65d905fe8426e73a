// Runs the built CLI (dist/cli.js) as a user would, with an isolated HOME.
import { execa } from 'execa';
import { join } from 'node:path';

export const CLI = join(import.meta.dirname, '..', '..', 'dist', 'cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  const r = await execa('node', [CLI, ...args], {
    reject: false,
    env: { NO_COLOR: '1', SSH_AUTH_SOCK: '', ...env },
    input: opts.input ?? '',
    timeout: opts.timeoutMs ?? 60_000,
  });
  return { code: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
