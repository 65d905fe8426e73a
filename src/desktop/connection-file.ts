// Reading and writing connection.json (docs/hermes-contract.md#c15): what to change is decided in
// ./connection-plan.ts; here the file is read, backed up (0600) before an existing connection is replaced, and
// written 0600 through a temp file and rename, every other key and profile kept.
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stepError, usageError } from '../errors.js';
import type { ConnectionDoc } from './connection-plan.js';

/** The app's PROFILE_NAME_RE: `default`, or 1–64 characters, a lowercase letter/digit first. */
const PROFILE_RE = /^[a-z0-9][a-z0-9_-]{0,63}$/;

export function validateProfileName(name: string): string {
  if (name === 'default' || PROFILE_RE.test(name)) return name;
  throw usageError(
    'E_PROFILE_NAME',
    `invalid profile name "${name}"`,
    'use "default" or 1-64 characters: a lowercase letter or digit first, then lowercase letters, digits, _ or -',
  );
}

/** The parsed file and its bytes (undefined when there is none). */
export async function readConnectionFile(path: string): Promise<{ doc: ConnectionDoc; text?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { doc: {} };
    throw err;
  }
  if (text.trim() === '') return { doc: {}, text };
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return { doc: v as ConnectionDoc, text };
  } catch {
    /* below */
  }
  throw stepError(
    'E_DESKTOP_CONFIG_INVALID',
    `${path} is not a JSON object`,
    `fix it or move it aside (mv "${path}" "${path}.bak"), then rerun`,
  );
}

/** `<file>.bak-<UTC timestamp>`, 0600, the bytes as they were. */
export async function backupConnectionFile(path: string, now = new Date()): Promise<string> {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  const backup = `${path}.bak-${stamp}`;
  await copyFile(path, backup);
  await chmod(backup, 0o600);
  return backup;
}

/** Temp file (0600) beside it, then rename; the folder is created 0700 when missing. */
export async function writeConnectionFile(path: string, doc: ConnectionDoc): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  await writeFile(tmp, `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, path);
}
