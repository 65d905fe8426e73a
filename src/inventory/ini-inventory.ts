// Ansible INI inventories: `name key=value …` host lines, [group], [group:vars], [group:children].
// A dedicated parser: the `ini` package reads "name key=value" as the key "name key" (docs/dependencies.md).
import {
  expandGroups,
  inventoryError,
  MODES,
  type HostOverrides,
  type Inventory,
  type InventoryHost,
} from './inventory.js';

interface Pos {
  line: number;
  column: number;
}
type Vars = Map<string, { value: string; at: Pos }>;

/** Splits on whitespace, honouring single and double quotes (like Ansible's shlex split). */
export function splitWords(s: string): Array<{ word: string; column: number }> {
  const out: Array<{ word: string; column: number }> = [];
  const re = /(?:[^\s"']+|"[^"]*"|'[^']*')+/g;
  for (let m = re.exec(s); m; m = re.exec(s))
    out.push({ word: m[0].replace(/"([^"]*)"|'([^']*)'/g, '$1$2'), column: m.index + 1 });
  return out;
}

function readKeyValues(words: Array<{ word: string; column: number }>, line: number, file: string, into: Vars): void {
  for (const w of words) {
    const eq = w.word.indexOf('=');
    if (eq <= 0)
      throw inventoryError(
        file,
        line,
        w.column,
        `expected key=value, got "${w.word}"`,
        'host lines are: name key=value …',
      );
    into.set(w.word.slice(0, eq), { value: w.word.slice(eq + 1), at: { line, column: w.column } });
  }
}

function toOverrides(vars: Vars, file: string): HostOverrides & { address?: string } {
  const o: HostOverrides & { address?: string } = {};
  for (const [k, { value, at }] of vars) {
    const bad = (what: string): never => {
      throw inventoryError(file, at.line, at.column, `${k}=${value}: ${what}`, 'see docs/inventory.md (Ansible INI)');
    };
    if (k === 'ansible_host') o.address = value;
    else if (k === 'ansible_user' || k === 'ansible_ssh_user') o.user = value;
    else if (k === 'ansible_port' || k === 'ansible_ssh_port') {
      const n = /^\d+$/.test(value) ? Number(value) : NaN;
      if (!(n >= 1 && n <= 65535)) bad('must be a port 1-65535');
      o.port = n;
    } else if (k === 'ansible_ssh_private_key_file') o.identity = value;
    else if (k === 'hermes_mode') {
      if (!(MODES as readonly string[]).includes(value)) bad(`must be one of ${MODES.join(', ')}`);
      o.mode = value as HostOverrides['mode'];
    } else if (k === 'hermes_bind') o.bind = value;
    else if (k === 'hermes_daemon') {
      if (!/^(true|false|yes|no)$/i.test(value)) bad('must be true or false');
      o.daemon = /^(true|yes)$/i.test(value);
    }
    // other variables belong to other playbooks: ignored
  }
  return o;
}

interface Parsed {
  hostVars: Map<string, Vars>;
  direct: Map<string, string[]>;
  children: Map<string, Array<{ name: string; at: Pos }>>;
  groupVars: Map<string, Vars>;
}

type Section = { group: string; kind: 'hosts' | 'vars' | 'children' };

/** Where a line is: the file, its number, and the width of its leading whitespace. */
interface LineAt {
  file: string;
  line: number;
  indent: number;
}

function parseLines(text: string, file: string): Parsed {
  const p: Parsed = {
    hostVars: new Map(),
    direct: new Map([['ungrouped', []]]),
    children: new Map(),
    groupVars: new Map(),
  };
  let section: Section = { group: 'ungrouped', kind: 'hosts' };
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const s = raw.replace(/^\s+/, '');
    if (s === '' || s.startsWith('#') || s.startsWith(';')) continue;
    const at: LineAt = { file, line: i + 1, indent: raw.length - s.length };
    const header = readSectionHeader(s, at);
    if (header) {
      section = header;
      if (header.kind === 'hosts' && !p.direct.has(header.group)) p.direct.set(header.group, []);
    } else if (section.kind === 'vars') addGroupVar(p, section.group, s, at);
    else if (section.kind === 'children') addChild(p, section.group, wordsAt(s, at), at);
    else addHost(p, section.group, wordsAt(s, at), at);
  }
  return p;
}

function wordsAt(s: string, at: LineAt): Array<{ word: string; column: number }> {
  return splitWords(s).map((w) => ({ ...w, column: w.column + at.indent }));
}

/** `[group]`, `[group:vars]` or `[group:children]`; undefined for any other line. */
function readSectionHeader(s: string, { file, line, indent }: LineAt): Section | undefined {
  const h = /^\[([^\]]*)\]\s*$/.exec(s.trimEnd());
  if (h) {
    const [group = '', kind = 'hosts', ...rest] = h[1]!.trim().split(':');
    if (!/^[A-Za-z0-9_-]+$/.test(group) || rest.length || !['hosts', 'vars', 'children'].includes(kind)) {
      throw inventoryError(
        file,
        line,
        indent + 1,
        `invalid section "[${h[1]}]"`,
        'use [group], [group:vars] or [group:children]',
      );
    }
    return { group, kind: kind as 'hosts' };
  }
  if (s.startsWith('['))
    throw inventoryError(
      file,
      line,
      indent + 1,
      `unclosed section header "${s.trimEnd()}"`,
      'use [group], [group:vars] or [group:children]',
    );
  return undefined;
}

/** A `key=value` line of a [group:vars] section. */
function addGroupVar(p: Parsed, group: string, s: string, { file, line, indent }: LineAt): void {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(s.trimEnd());
  if (!m)
    throw inventoryError(
      file,
      line,
      indent + 1,
      `expected key=value in [${group}:vars], got "${s.trimEnd()}"`,
      'group variables are key=value, one per line',
    );
  const vars: Vars = p.groupVars.get(group) ?? new Map<string, { value: string; at: Pos }>();
  vars.set(m[1]!, {
    value: m[2]!.replace(/^"(.*)"$|^'(.*)'$/, '$1$2'),
    at: { line, column: indent + s.indexOf(m[2]!) + 1 },
  });
  p.groupVars.set(group, vars);
}

/** A group name line of a [group:children] section. */
function addChild(
  p: Parsed,
  group: string,
  words: Array<{ word: string; column: number }>,
  { file, line }: LineAt,
): void {
  const first = words[0]!;
  if (words.length !== 1)
    throw inventoryError(
      file,
      line,
      words[1]!.column,
      `expected one group name in [${group}:children]`,
      'list one child group per line',
    );
  p.children.set(group, [...(p.children.get(group) ?? []), { name: first.word, at: { line, column: first.column } }]);
}

/** A host line (`name[:port] key=value …`) of a [group] section. */
function addHost(
  p: Parsed,
  group: string,
  words: Array<{ word: string; column: number }>,
  { file, line }: LineAt,
): void {
  const first = words[0]!;
  if (/\[[^\]]*:[^\]]*\]/.test(first.word))
    throw inventoryError(
      file,
      line,
      first.column,
      `host ranges like "${first.word}" are not supported`,
      'list each host on its own line',
    );
  const [name, portText] = first.word.split(':');
  if (!name || first.word.includes('='))
    throw inventoryError(
      file,
      line,
      first.column,
      `expected a host name, got "${first.word}"`,
      'host lines are: name key=value …',
    );
  const vars: Vars = p.hostVars.get(name) ?? new Map<string, { value: string; at: Pos }>();
  if (portText !== undefined)
    vars.set('ansible_port', { value: portText, at: { line, column: first.column + name.length + 1 } });
  readKeyValues(words.slice(1), line, file, vars);
  p.hostVars.set(name, vars);
  const members = p.direct.get(group)!;
  if (!members.includes(name)) members.push(name);
}

export function parseIniInventory(text: string, file: string): Inventory {
  const p = parseLines(text, file);
  const children = new Map<string, string[]>();
  for (const [g, kids] of p.children) {
    for (const k of kids) if (!p.direct.has(k.name) && !p.children.has(k.name)) p.direct.set(k.name, []);
    children.set(
      g,
      kids.map((k) => k.name),
    );
  }
  const groups = expandGroups(p.direct, children, (g) => {
    const at = [...p.children.values()].flat().find((k) => k.name === g)?.at ?? { line: 1, column: 1 };
    throw inventoryError(
      file,
      at.line,
      at.column,
      `group "${g}" contains itself through children`,
      'remove the cycle from the :children sections',
    );
  });
  const allVars = p.groupVars.get('all');
  const hosts: InventoryHost[] = [...p.hostVars].map(([name, own]) => {
    const merged: Vars = new Map(allVars);
    for (const [g, members] of groups)
      if (g !== 'all' && members.includes(name)) for (const [k, v] of p.groupVars.get(g) ?? []) merged.set(k, v);
    for (const [k, v] of own) merged.set(k, v);
    const o = toOverrides(merged, file);
    return { ...o, name, address: o.address ?? name };
  });
  for (const [g] of p.groupVars) if (g !== 'all' && !groups.has(g)) groups.set(g, []);
  groups.delete('ungrouped');
  return { hosts, groups };
}
