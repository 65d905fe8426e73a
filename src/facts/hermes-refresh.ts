// Re-reads only the Hermes facts (after an update), in one round trip.
import type { Remote } from '../transport/remote.js';
import { quote } from '../transport/shell.js';
import type { HermesFacts } from './parse-facts.js';
import { parseFactLines } from './facts-script.js';

export async function refreshHermesFacts(remote: Remote, path: string): Promise<HermesFacts> {
  const h = quote(path);
  const script = `b64() { base64 | tr -d '\\n'; }
printf 'v='; ${h} --version 2>&1 | b64; echo
printf 'd='; ${h} dashboard --help 2>&1 | b64; echo
printf 's='; ${h} serve --help 2>&1 | b64; echo`;
  const r = await remote.exec('sh -s', { stdin: script, timeoutMs: 120_000 });
  const m = parseFactLines(r.stdout);
  return { path, via: 'refresh', key: '', cached: false, versionOut: m.get('v') ?? '', dashboardHelp: m.get('d') ?? '', serveHelp: m.get('s') ?? '' };
}
