// --limit PATTERN, Ansible-like: comma-separated host names, group names or globs; `!x` excludes, `&x` intersects.
import { usageError } from '../errors.js';
import type { Inventory, InventoryHost } from './inventory.js';

function globRe(glob: string): RegExp {
  return new RegExp(
    `^${glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

function matchOne(inv: Inventory, pattern: string): Set<string> {
  if (pattern === 'all' || pattern === '*') return new Set(inv.hosts.map((h) => h.name));
  const group = inv.groups.get(pattern);
  if (group) return new Set(group);
  const re = globRe(pattern);
  const names = inv.hosts.filter((h) => re.test(h.name) || re.test(h.address)).map((h) => h.name);
  for (const [g, members] of inv.groups) if (re.test(g)) names.push(...members);
  return new Set(names);
}

export function applyLimit(inv: Inventory, limit: string | undefined): InventoryHost[] {
  if (limit === undefined) return inv.hosts;
  const parts = limit
    .split(/[,:]/)
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0)
    throw usageError('E_USAGE', `empty --limit "${limit}"`, 'give host names, group names or globs, comma-separated');
  const includes = parts.filter((p) => !/^[!&]/.test(p));
  let chosen = includes.length
    ? new Set(includes.flatMap((p) => [...matchOne(inv, p)]))
    : new Set(inv.hosts.map((h) => h.name));
  for (const p of parts.filter((x) => x.startsWith('&'))) {
    const m = matchOne(inv, p.slice(1));
    chosen = new Set([...chosen].filter((n) => m.has(n)));
  }
  for (const p of parts.filter((x) => x.startsWith('!'))) for (const n of matchOne(inv, p.slice(1))) chosen.delete(n);
  const hosts = inv.hosts.filter((h) => chosen.has(h.name));
  if (hosts.length === 0)
    throw usageError(
      'E_LIMIT_EMPTY',
      `--limit "${limit}" matches no host`,
      `hosts: ${
        inv.hosts
          .map((h) => h.name)
          .slice(0, 10)
          .join(', ') || '(none)'
      }`,
    );
  return hosts;
}
