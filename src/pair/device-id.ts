// This install's relay device id: random, created once, kept in ~/.config/hermes-setup/device-id (0600, directory
// 0700). The relay revokes every session with the same non-empty device_id when a device pairs again
// (docs/hermes-contract.md#c16 "Re-pair"), so the id must be unique per machine: a hash of user@hostname made two
// `pi@raspberrypi` boxes (or cloned VMs) knock each other out. The official desktop client keeps its own random id
// in ~/.hermes/desktop-device-id; hermes-setup does not share that file: it is another client (its own device name
// and session), re-pairing with one must not revoke the other's session, and that file's format is not in the
// contract. A copied home directory copies the id: delete the file to get a new one.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export function deviceIdPath(home = homedir()): string {
  return join(home, '.config', 'hermes-setup', 'device-id');
}

const VALID = /^[A-Za-z0-9._:-]{8,128}$/;

async function readId(path: string): Promise<string | undefined> {
  try {
    const id = (await readFile(path, 'utf8')).trim();
    return VALID.test(id) ? id : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** The stored id, or a new random UUID written once (O_EXCL: a concurrent first run reads the winner's id). */
export async function readOrCreateDeviceId(path = deviceIdPath()): Promise<{ id: string; created: boolean }> {
  const existing = await readId(path);
  if (existing) return { id: existing, created: false };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const id = randomUUID();
  try {
    await writeFile(path, `${id}\n`, { mode: 0o600, flag: 'wx' });
    return { id, created: true };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const raced = await readId(path);
    if (raced) return { id: raced, created: false };
    await writeFile(path, `${id}\n`, { mode: 0o600 });
    return { id, created: true };
  }
}
