// One-off: records the former Node emulator's answers (tailscale.cjs) for GOLDEN_STATES × GOLDEN_ARGS into
// tailscale-golden.json. For states without hostName the machine's hostname is stored as <HOSTNAME>. Run: npx tsx <this file>.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { GOLDEN_ARGS, GOLDEN_STATES } from './tailscale-golden-cases.js';

const NODE_EMU = join(import.meta.dirname, 'tailscale.cjs');
const host = hostname().split('.')[0]!;
const maskIn = (masked: boolean) => (s: string) => (masked ? s.split(host).join('<HOSTNAME>') : s);

function run(args: string[], statePath: string, mask: (s: string) => string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [NODE_EMU, ...args], { env: { PATH: process.env.PATH, TAILSCALE_EMU_STATE: statePath } }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout: mask(stdout), stderr: mask(stderr) });
    });
  });
}

const dir = await mkdtemp('/var/tmp/hs-tsgold-');
const out: Record<string, { args: string[]; code: number; stdout: string; stderr: string }[]> = {};
for (const { name, state } of GOLDEN_STATES) {
  const p = join(dir, `${name}.json`);
  if (state) await writeFile(p, `${JSON.stringify(state, null, 2)}\n`);
  out[name] = [];
  for (const args of GOLDEN_ARGS) out[name].push({ args, ...(await run(args, p, maskIn(state !== null && !state.hostName))) });
}
await rm(dir, { recursive: true, force: true });
await writeFile(join(import.meta.dirname, 'tailscale-golden.json'), `${JSON.stringify(out, null, 1)}\n`);
console.log(`recorded ${GOLDEN_STATES.length} states × ${GOLDEN_ARGS.length} argument lists`);
