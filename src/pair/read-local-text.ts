// A local file of the user's (the pairing session store, the host access policy): its text, or undefined when it
// does not exist yet; any other read error is the caller's to report.
import { readFile } from 'node:fs/promises';

export async function readLocalText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
