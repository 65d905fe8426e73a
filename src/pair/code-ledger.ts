// What this machine knows about pairing codes it minted or used (~/.config/hermes-setup/pair-codes.json, 0600),
// so that a refused code can be told apart: used before, expired, or never valid. The relay answers all three
// with the same auth.fail. Codes are stored as SHA-256 hashes; entries older than a day are dropped.
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export interface CodeEntry {
  mintedAt?: number;
  expiresAt?: number;
  usedAt?: number;
}

type Ledger = Record<string, CodeEntry>;

const KEEP_S = 24 * 3600;

export function ledgerPath(home = homedir()): string {
  return join(home, '.config', 'hermes-setup', 'pair-codes.json');
}

const hashCode = (code: string): string =>
  createHash('sha256').update(`hermes-pair:${code}`).digest('hex').slice(0, 32);
const now = (): number => Math.floor(Date.now() / 1000);

async function load(path: string): Promise<Ledger> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Ledger) : {};
  } catch {
    return {};
  }
}

export async function lookupCode(code: string, path = ledgerPath()): Promise<CodeEntry | undefined> {
  return (await load(path))[hashCode(code)];
}

export async function recordCode(code: string, entry: CodeEntry, path = ledgerPath()): Promise<void> {
  const ledger = await load(path);
  const t = now();
  for (const [k, e] of Object.entries(ledger))
    if (Math.max(e.mintedAt ?? 0, e.usedAt ?? 0) < t - KEEP_S) delete ledger[k];
  const key = hashCode(code);
  ledger[key] = { ...ledger[key], ...entry };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, `${JSON.stringify(ledger, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, path);
}
