// The basic-auth password kept on this machine (--password-file, 0600), read the one way converge and check read it.
import { readFile } from 'node:fs/promises';

export async function readLocalPassword(path: string | undefined): Promise<string | undefined> {
  if (!path) return undefined;
  const p = await readFile(path, 'utf8').then(
    (s) => s.trim(),
    () => '',
  );
  return p === '' ? undefined : p;
}
