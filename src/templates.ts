// Loads the shipped templates (templates/ at the package root). The renderers themselves do no I/O.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type TemplateName =
  | 'systemd/hermes-dashboard.service'
  | 'systemd/hermes-dashboard.system.service'
  | 'launchd/ai.hermes.dashboard.plist'
  | 'launchd/ai.hermes.dashboard.daemon.plist';

export function templatesDir(): string {
  // src/templates.ts and dist/templates.js both sit one level below the package root.
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'templates');
}

const cache = new Map<TemplateName, string>();

export async function readTemplate(name: TemplateName): Promise<string> {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const text = await readFile(join(templatesDir(), name), 'utf8');
  cache.set(name, text);
  return text;
}
