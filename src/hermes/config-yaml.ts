// ~/.hermes/config.yaml as far as password mode cares (docs/hermes-contract.md#c6): `basic` listed in
// `plugins.disabled` (Hermes then ignores the basic-auth login and a gated bind exits 1), and a config-side
// `dashboard.basic_auth`. Read with the `yaml` package's Document API in YAML 1.1 (PyYAML's dialect, which Hermes
// uses). Edits are made on the source text, one node at a time, so every other byte of the file stays as it was; an
// edit is kept only if the edited file parses to exactly the old data minus what was removed. Pure.
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair } from 'yaml';

export interface ConfigAuth {
  /** `basic` is listed in plugins.disabled. */
  basicDisabled: boolean;
  /** Keys set under dashboard.basic_auth. */
  basicAuthKeys: string[];
  /** dashboard.basic_auth.password is a non-empty plaintext password. */
  plainPassword: boolean;
}

export type ConfigRead = { ok: true; auth: ConfigAuth } | { ok: false; reason: string };

const OPTIONS = { version: '1.1', keepSourceTokens: true } as const;

function load(text: string): { doc: Document.Parsed; data: unknown } | { reason: string } {
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, OPTIONS);
  } catch (e) {
    return { reason: (e as Error).message.split('\n')[0] ?? 'unparsable' };
  }
  const err = doc.errors[0];
  if (err) return { reason: err.message.split('\n')[0] ?? 'unparsable' };
  try {
    return { doc, data: doc.toJS({ maxAliasCount: 100 }) };
  } catch (e) {
    return { reason: (e as Error).message.split('\n')[0] ?? 'unparsable' };
  }
}

function getIn(data: unknown, ...path: string[]): unknown {
  let v = data;
  for (const k of path)
    v = v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

function authOf(data: unknown): ConfigAuth {
  const disabled = getIn(data, 'plugins', 'disabled');
  const section = getIn(data, 'dashboard', 'basic_auth');
  const keys = section !== null && typeof section === 'object' && !Array.isArray(section) ? Object.keys(section) : [];
  const password = getIn(data, 'dashboard', 'basic_auth', 'password');
  return {
    basicDisabled: Array.isArray(disabled) && disabled.includes('basic'),
    basicAuthKeys: keys,
    plainPassword: isSetValue(password),
  };
}

/** A YAML value that holds something: a non-blank scalar (true and numbers included), a mapping, a non-empty list. */
function isSetValue(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return true;
  return typeof v === 'string' ? v.trim() !== '' : true;
}

/** What config.yaml says about the basic-auth provider; an unreadable file says why. Empty text = no file. */
export function readConfigAuth(text: string): ConfigRead {
  if (text.trim() === '') return { ok: true, auth: { basicDisabled: false, basicAuthKeys: [], plainPassword: false } };
  const l = load(text);
  return 'reason' in l ? { ok: false, reason: l.reason } : { ok: true, auth: authOf(l.data) };
}

interface Splice {
  start: number;
  end: number;
  insert: string;
}

function lineStartOf(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

function nextLineStart(text: string, pos: number): number {
  const nl = text.indexOf('\n', pos);
  return nl < 0 ? text.length : nl + 1;
}

/** The span of a block item's own line(s), when the item is alone on them (`  - basic  # c`, `  password: x`). */
function blockLine(text: string, start: number, end: number, lead: RegExp): Splice | undefined {
  const ls = lineStartOf(text, start);
  if (!lead.test(text.slice(ls, start))) return undefined;
  const le = nextLineStart(text, end);
  if (!/^[ \t]*(#[^\n]*)?\r?\n?$/.test(text.slice(end, le))) return undefined;
  return { start: ls, end: le, insert: '' };
}

function rangeOf(n: Node | null | undefined): [number, number] | undefined {
  const r = n?.range;
  return r ? [r[0], r[1]] : undefined;
}

/** Removes items (by index) from a collection node; an emptied collection becomes `[]` / `{}` after its key. */
function removeItems(text: string, coll: Node, keyEnd: number, drop: number[]): Splice[] | undefined {
  if (!isSeq(coll) && !isMap(coll)) return undefined;
  const items = coll.items as Array<Node | Pair>;
  const span = (it: Node | Pair): [number, number] | undefined => {
    if (isScalar(it) || isMap(it) || isSeq(it)) return rangeOf(it);
    const p = it as Pair;
    const k = rangeOf(p.key as Node);
    const v = rangeOf(p.value as Node) ?? k;
    return k && v ? [k[0], v[1]] : undefined;
  };
  if (drop.length === items.length) {
    const last = span(items[items.length - 1]!);
    const colon = text.indexOf(':', keyEnd);
    if (!last || colon < 0 || colon > last[0]) return undefined;
    return [
      {
        start: colon + 1,
        end: coll.flow ? (rangeOf(coll)?.[1] ?? last[1]) : last[1],
        insert: isSeq(coll) ? ' []' : ' {}',
      },
    ];
  }
  const out: Splice[] = [];
  for (const idx of drop) {
    const s = span(items[idx]!);
    if (!s) return undefined;
    if (coll.flow) {
      const next = items[idx + 1] && !drop.includes(idx + 1) ? span(items[idx + 1]!) : undefined;
      const prev = items[idx - 1] && !drop.includes(idx - 1) ? span(items[idx - 1]!) : undefined;
      if (next) out.push({ start: s[0], end: next[0], insert: '' });
      else if (prev) out.push({ start: prev[1], end: s[1], insert: '' });
      else return undefined;
    } else {
      const cut = blockLine(text, s[0], s[1], isSeq(coll) ? /^[ \t]*-[ \t]+$/ : /^[ \t]*$/);
      if (!cut) return undefined;
      out.push(cut);
    }
  }
  return out;
}

function apply(text: string, splices: Splice[]): string {
  return [...splices]
    .sort((a, b) => b.start - a.start)
    .reduce((t, s) => t.slice(0, s.start) + s.insert + t.slice(s.end), text);
}

/** The value node under a mapping path, and where its key ends (for `key: []`). */
function nodeAt(doc: Document.Parsed, path: string[]): { node: Node; keyEnd: number } | undefined {
  let node: unknown = doc.contents;
  let keyEnd = -1;
  for (const k of path) {
    if (!isMap(node)) return undefined;
    const pair = node.items.find((p) => isScalar(p.key) && p.key.value === k);
    if (!pair) return undefined;
    keyEnd = rangeOf(pair.key as Node)?.[1] ?? -1;
    node = pair.value;
  }
  return node && keyEnd >= 0 ? { node: node as Node, keyEnd } : undefined;
}

export interface ConfigEdit {
  after: string;
  /** What was removed, in words ("basic from plugins.disabled"). */
  removed: string[];
}

/**
 * Enables the basic provider (removes `basic` from plugins.disabled) and removes a plaintext
 * dashboard.basic_auth.password, touching only those nodes. Returns the reason when the file cannot be edited
 * safely (then the caller refuses with the manual fix). Nothing to do → `{ after: text, removed: [] }`.
 */
export function enableBasicAuth(text: string): ConfigEdit | { reason: string } {
  const l = load(text);
  if ('reason' in l) return { reason: `it does not parse as YAML (${l.reason})` };
  const auth = authOf(l.data);
  const splices: Splice[] = [];
  const removed: string[] = [];
  if (auth.basicDisabled) {
    const at = nodeAt(l.doc, ['plugins', 'disabled']);
    const items = at && isSeq(at.node) ? at.node.items : [];
    const drop = items.map((n, i) => (isScalar(n) && n.value === 'basic' ? i : -1)).filter((i) => i >= 0);
    const s = at && drop.length ? removeItems(text, at.node, at.keyEnd, drop) : undefined;
    if (!s)
      return { reason: 'plugins.disabled is not a plain list in this file (an alias, a tag or a multi-line item)' };
    splices.push(...s);
    removed.push('basic from plugins.disabled');
  }
  if (auth.plainPassword) {
    const at = nodeAt(l.doc, ['dashboard', 'basic_auth']);
    const idx =
      at && isMap(at.node) ? at.node.items.findIndex((p) => isScalar(p.key) && p.key.value === 'password') : -1;
    const s = at && idx >= 0 ? removeItems(text, at.node, at.keyEnd, [idx]) : undefined;
    if (!s) return { reason: 'dashboard.basic_auth.password is not a plain one-line entry' };
    splices.push(...s);
    removed.push('the plaintext dashboard.basic_auth.password');
  }
  if (splices.length === 0) return { after: text, removed };
  const after = apply(text, splices);
  return sameDataBut(l.data, after)
    ? { after, removed }
    : { reason: 'an edit of only those entries would change other values' };
}

/** The edited file must parse to the old data with exactly `basic` and the plaintext password gone. */
function sameDataBut(before: unknown, after: string): boolean {
  const l = load(after);
  if ('reason' in l) return false;
  const want = structuredClone(before) as Record<string, unknown>;
  const plugins = getIn(want, 'plugins') as Record<string, unknown> | undefined;
  if (plugins && Array.isArray(plugins['disabled']))
    plugins['disabled'] = (plugins['disabled'] as unknown[]).filter((v) => v !== 'basic');
  const section = getIn(want, 'dashboard', 'basic_auth') as Record<string, unknown> | undefined;
  if (section && typeof section === 'object') delete section['password'];
  return JSON.stringify(l.data) === JSON.stringify(want);
}

/** Secret values config.yaml holds under dashboard.basic_auth (to redact from diffs and output). */
export function configSecrets(text: string): string[] {
  const l = text.trim() === '' ? undefined : load(text);
  if (!l || 'reason' in l) return [];
  return ['password', 'password_hash', 'secret']
    .map((k) => getIn(l.data, 'dashboard', 'basic_auth', k))
    .filter(
      (v): v is string | number => (typeof v === 'string' || typeof v === 'number') && String(v).trim().length >= 4,
    )
    .map(String);
}
