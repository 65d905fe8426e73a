// TOML inventories (schema: docs/inventory.md). Syntax errors come from smol-toml with line and column;
// schema errors point at the offending key's line.
import { parse, TomlError } from 'smol-toml';
import {
  expandGroups,
  inventoryError,
  MODES,
  type HostOverrides,
  type Inventory,
  type InventoryHost,
} from './inventory.js';

const OVERRIDE_KEYS = ['user', 'port', 'identity', 'mode', 'bind', 'daemon'];
type Table = Record<string, unknown>;

/** Line and column of `key =` inside the table `[path]` (or of the table header), 1-based. */
export function locateKey(text: string, path: string[], key?: string): { line: number; column: number } {
  const lines = text.split(/\r?\n/);
  const want = path.join('.');
  let table = '';
  let header = { line: 1, column: 1 };
  for (const [i, raw] of lines.entries()) {
    const h = /^\s*\[\s*([^\]]+?)\s*\]/.exec(raw);
    if (h) {
      table = h[1]!
        .split('.')
        .map((p) => p.trim().replace(/^["']|["']$/g, ''))
        .join('.');
      if (table === want) header = { line: i + 1, column: raw.indexOf('[') + 1 };
      continue;
    }
    if (key === undefined || table !== want) continue;
    const m = new RegExp(`^(\\s*)["']?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}["']?\\s*=`).exec(raw);
    if (m) return { line: i + 1, column: m[1]!.length + 1 };
  }
  return header;
}

function checkOverrides(t: Table, path: string[], ctx: Ctx, extra: string[]): HostOverrides {
  const o: HostOverrides = {};
  for (const [k, v] of Object.entries(t)) {
    const bad = (what: string): never => ctx.fail(path, k, `${[...path, k].join('.')} ${what}`);
    if (extra.includes(k)) continue;
    if (!OVERRIDE_KEYS.includes(k))
      bad(`is not a known key (expected one of ${[...extra, ...OVERRIDE_KEYS].join(', ')})`);
    if (k === 'port') {
      if (typeof v !== 'number' && typeof v !== 'bigint') bad('must be an integer');
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 65535) bad(`must be 1-65535, got ${n}`);
      o.port = n;
    } else if (k === 'daemon') {
      if (typeof v !== 'boolean') bad('must be true or false');
      o.daemon = v as boolean;
    } else {
      if (typeof v !== 'string' || v === '') bad('must be a non-empty string');
      if (k === 'mode' && !(MODES as readonly string[]).includes(v as string))
        bad(`must be one of ${MODES.join(', ')}, got "${v as string}"`);
      Object.assign(o, { [k]: v });
    }
  }
  return o;
}

interface Ctx {
  fail(path: string[], key: string | undefined, message: string): never;
}

function tableAt(v: unknown, path: string[], ctx: Ctx): Table {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Date)
    ctx.fail(path.slice(0, -1), path.at(-1), `${path.join('.')} must be a table`);
  return v as Table;
}

function stringList(t: Table, path: string[], key: string, ctx: Ctx): string[] {
  const v = t[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
    ctx.fail(path, key, `${[...path, key].join('.')} must be an array of strings`);
  return v as string[];
}

/** The document, or an inventory error at smol-toml's line and column. */
function parseDocument(text: string, file: string): Table {
  try {
    return parse(text);
  } catch (err) {
    if (err instanceof TomlError)
      throw inventoryError(
        file,
        err.line,
        err.column,
        err.message.split('\n')[0] ?? 'invalid TOML',
        'fix the TOML syntax (schema: docs/inventory.md)',
      );
    throw err;
  }
}

interface GroupTables {
  direct: Map<string, string[]>;
  children: Map<string, string[]>;
  groupVars: Map<string, HostOverrides>;
}

/** Each [groups.NAME]: its overrides, its hosts (which must be in [hosts]) and its children (which must be groups). */
function readGroups(groupsT: Table, hostsT: Table, ctx: Ctx): GroupTables {
  const out: GroupTables = { direct: new Map(), children: new Map(), groupVars: new Map() };
  for (const [g, v] of Object.entries(groupsT)) {
    const t = tableAt(v, ['groups', g], ctx);
    out.groupVars.set(g, checkOverrides(t, ['groups', g], ctx, ['hosts', 'children']));
    const members = stringList(t, ['groups', g], 'hosts', ctx);
    for (const h of members)
      if (!(h in hostsT)) ctx.fail(['groups', g], 'hosts', `groups.${g}.hosts names "${h}", which is not in [hosts]`);
    out.direct.set(g, members);
    const kids = stringList(t, ['groups', g], 'children', ctx);
    for (const k of kids)
      if (!(k in groupsT))
        ctx.fail(['groups', g], 'children', `groups.${g}.children names "${k}", which is not a group`);
    out.children.set(g, kids);
  }
  return out;
}

/** One [hosts.NAME]: the defaults, then its groups' overrides, then its own. */
function readHost(
  name: string,
  v: unknown,
  defaults: HostOverrides,
  fromGroups: HostOverrides[],
  ctx: Ctx,
): InventoryHost {
  const own = checkOverrides(tableAt(v, ['hosts', name], ctx), ['hosts', name], ctx, ['address']);
  const t = tableAt(v, ['hosts', name], ctx);
  if (t.address !== undefined && (typeof t.address !== 'string' || t.address === ''))
    ctx.fail(['hosts', name], 'address', `hosts.${name}.address must be a non-empty string`);
  return {
    ...defaults,
    ...(Object.assign({}, ...fromGroups) as HostOverrides),
    ...own,
    name,
    address: t.address ?? name,
  };
}

export function parseTomlInventory(text: string, file: string): Inventory {
  const doc = parseDocument(text, file);
  const ctx: Ctx = {
    fail(path, key, message): never {
      const at = locateKey(text, path, key);
      throw inventoryError(file, at.line, at.column, message, 'see docs/inventory.md for the inventory schema');
    },
  };
  for (const k of Object.keys(doc))
    if (!['defaults', 'hosts', 'groups'].includes(k))
      ctx.fail([], k, `unknown top-level key "${k}" (expected defaults, hosts, groups)`);
  const defaults = checkOverrides(tableAt(doc.defaults, ['defaults'], ctx), ['defaults'], ctx, []);
  const groupsT = tableAt(doc.groups, ['groups'], ctx);
  const hostsT = tableAt(doc.hosts, ['hosts'], ctx);
  const { direct, children, groupVars } = readGroups(groupsT, hostsT, ctx);
  const groups = expandGroups(direct, children, (g) =>
    ctx.fail(['groups', g], 'children', `group "${g}" contains itself through children`),
  );
  const hosts = Object.entries(hostsT).map(([name, v]) => {
    const fromGroups = [...groups].filter(([, m]) => m.includes(name)).map(([g]) => groupVars.get(g) ?? {});
    return readHost(name, v, defaults, fromGroups, ctx);
  });
  return { hosts, groups };
}
