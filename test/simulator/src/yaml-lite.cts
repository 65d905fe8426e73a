/**
 * A YAML reader for the subset Hermes's `config.yaml` uses (README "YAML subset"): block mappings and sequences
 * (indented or not), flow `[…]` / `{…}` (may span lines), plain / single / double-quoted scalars (multi-line folded),
 * `|` / `>` block scalars, comments, one document. Scalars resolve like PyYAML (YAML 1.1: yes/no/on/off are
 * booleans). Anything else (anchors, aliases, complex keys, several documents, tabs in indentation) throws
 * `YamlUnsupported`, so a test never runs against a silently different reading.
 */
export type YamlValue = null | boolean | number | string | YamlValue[] | { [k: string]: YamlValue };

export class YamlUnsupported extends Error {}

/**
 * JavaScript's `String(v)` of a YAML value, spelled out: a scalar as usual, a list its items joined with commas
 * (null as ''), a mapping '[object Object]'. Where a scalar is expected and a list or mapping is found, this is what
 * the simulator makes of it.
 */
export function jsString(v: YamlValue): string {
  if (Array.isArray(v)) return v.map((x) => (x === null ? '' : jsString(x))).join(',');
  if (v !== null && typeof v === 'object') return '[object Object]';
  return String(v);
}

interface Line {
  indent: number;
  text: string;
  raw: string;
  no: number;
}

function fail(line: Line | undefined, why: string): never {
  throw new YamlUnsupported(`line ${line ? line.no : 'EOF'}: ${why}`);
}

/** Cuts a trailing comment (`#` at the start or after whitespace, outside quotes). */
export function stripComment(text: string): string {
  let quote = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (quote) {
      if (c === quote) {
        if (quote === "'" && text[i + 1] === "'") i += 1;
        else quote = '';
      } else if (c === '\\' && quote === '"') i += 1;
    } else if (c === '"' || c === "'") {
      if (i === 0 || /[\s[{,:]/.test(text[i - 1] ?? '')) quote = c;
    } else if (c === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      return text.slice(0, i).trimEnd();
    }
  }
  return text.trimEnd();
}

const NULLS = new Set(['', '~', 'null', 'Null', 'NULL']);
const TRUES = new Set(['true', 'True', 'TRUE', 'yes', 'Yes', 'YES', 'on', 'On', 'ON']);
const FALSES = new Set(['false', 'False', 'FALSE', 'no', 'No', 'NO', 'off', 'Off', 'OFF']);

export function resolvePlain(s: string): YamlValue {
  if (NULLS.has(s)) return null;
  if (TRUES.has(s)) return true;
  if (FALSES.has(s)) return false;
  if (/^[-+]?(0|[1-9][0-9_]*)$/.test(s)) return Number(s.replace(/_/g, ''));
  if (/^[-+]?(\.[0-9]+|[0-9][0-9_]*\.[0-9_]*)([eE][-+]?[0-9]+)?$/.test(s)) return Number(s.replace(/_/g, ''));
  return s;
}

function unquoteDouble(body: string): string {
  return body.replace(/\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => {
    if (e.length > 1) return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    return (
      ({ n: '\n', t: '\t', r: '\r', '0': '\0', '"': '"', '\\': '\\', '/': '/', ' ': ' ' } as Record<string, string>)[
        e
      ] ?? fail(undefined, `escape \\${e}`)
    );
  });
}

/** Index just past the quoted scalar starting at `i`, or -1. */
function endOfQuoted(s: string, i: number): number {
  const q = s[i];
  for (let j = i + 1; j < s.length; j += 1) {
    if (q === '"' && s[j] === '\\') {
      j += 1;
      continue;
    }
    if (s[j] === q) {
      if (q === "'" && s[j + 1] === "'") {
        j += 1;
        continue;
      }
      return j + 1;
    }
  }
  return -1;
}

function readQuoted(s: string): string {
  const body = s.slice(1, -1);
  return s[0] === '"' ? unquoteDouble(body) : body.replace(/''/g, "'");
}

/** Flow collections and scalars inside them. */
class FlowReader {
  i = 0;
  constructor(
    readonly s: string,
    readonly line: Line,
  ) {}
  ws(): void {
    while (/\s/.test(this.s[this.i] ?? '')) this.i += 1;
  }
  value(): YamlValue {
    this.ws();
    const c = this.s[this.i];
    if (c === '[') return this.seq();
    if (c === '{') return this.map();
    if (c === '"' || c === "'") {
      const end = endOfQuoted(this.s, this.i);
      if (end < 0) fail(this.line, 'unterminated quote');
      const out = readQuoted(this.s.slice(this.i, end));
      this.i = end;
      return out;
    }
    if (c === '&' || c === '*' || c === '!') fail(this.line, 'anchors, aliases and tags are not supported');
    const m = /^[^,\]}]*?(?=\s*(?:[,\]}]|:\s|$))/.exec(this.s.slice(this.i));
    const text = (m?.[0] ?? '').trim();
    this.i += m?.[0].length ?? 0;
    return resolvePlain(text);
  }
  seq(): YamlValue[] {
    const out: YamlValue[] = [];
    this.i += 1;
    for (;;) {
      this.ws();
      if (this.s[this.i] === ']') {
        this.i += 1;
        return out;
      }
      out.push(this.value());
      this.ws();
      if (this.s[this.i] === ',') this.i += 1;
      else if (this.s[this.i] !== ']') fail(this.line, 'bad flow sequence');
    }
  }
  map(): { [k: string]: YamlValue } {
    const out: { [k: string]: YamlValue } = {};
    this.i += 1;
    for (;;) {
      this.ws();
      if (this.s[this.i] === '}') {
        this.i += 1;
        return out;
      }
      const key = this.value();
      this.ws();
      let val: YamlValue = null;
      if (this.s[this.i] === ':') {
        this.i += 1;
        val = this.value();
      }
      out[jsString(key)] = val;
      this.ws();
      if (this.s[this.i] === ',') this.i += 1;
      else if (this.s[this.i] !== '}') fail(this.line, 'bad flow mapping');
    }
  }
}

/** `key: rest` split of a block mapping line, or null. */
function splitKey(text: string): { key: string; rest: string } | null {
  let keyEnd: number;
  if (text[0] === '"' || text[0] === "'") {
    keyEnd = endOfQuoted(text, 0);
    if (keyEnd < 0 || text[keyEnd] !== ':') return null;
  } else {
    if (/^[[{\-?!&*|>%@`]/.test(text) && !/^-[^\s]/.test(text)) return null;
    const m = /:(\s|$)/.exec(text);
    if (!m) return null;
    keyEnd = m.index;
  }
  const rawKey = text.slice(0, keyEnd).trim();
  const key = rawKey[0] === '"' || rawKey[0] === "'" ? readQuoted(rawKey) : rawKey;
  return { key, rest: text.slice(keyEnd + 1).trim() };
}

const isSeqItem = (t: string): boolean => t === '-' || t.startsWith('- ');

class BlockParser {
  i = 0;
  constructor(readonly lines: Line[]) {}
  peek(): Line | undefined {
    while (this.i < this.lines.length && (this.lines[this.i]?.text ?? '') === '') this.i += 1;
    return this.lines[this.i];
  }
  node(minIndent: number): YamlValue {
    const l = this.peek();
    if (!l || l.indent < minIndent) return null;
    if (isSeqItem(l.text)) return this.seq(l.indent);
    if (splitKey(l.text)) return this.map(l.indent);
    this.i += 1;
    return this.inline(l.text, l, l.indent - 1);
  }
  map(indent: number): { [k: string]: YamlValue } {
    const out: { [k: string]: YamlValue } = {};
    for (let l = this.peek(); l && l.indent === indent; l = this.peek()) {
      const kv = splitKey(l.text);
      if (!kv) fail(l, 'expected "key: value"');
      this.i += 1;
      const next = this.peek();
      if (kv.rest !== '') out[kv.key] = this.inline(kv.rest, l, indent);
      else if (next && next.indent === indent && isSeqItem(next.text)) out[kv.key] = this.seq(indent);
      else out[kv.key] = this.node(indent + 1);
    }
    const l = this.peek();
    if (l && l.indent > indent) fail(l, 'unexpected indentation');
    return out;
  }
  seq(indent: number): YamlValue[] {
    const out: YamlValue[] = [];
    for (let l = this.peek(); l && l.indent === indent && isSeqItem(l.text); l = this.peek()) {
      const rest = l.text.slice(1);
      const pad = rest.length - rest.trimStart().length;
      if (rest.trim() === '') {
        this.i += 1;
        out.push(this.node(indent + 1));
        continue;
      }
      // `- key: v` / `- - x`: re-read the rest of the line as a node indented past the dash.
      this.lines[this.i] = { ...l, indent: indent + 1 + pad, text: rest.trim() };
      out.push(this.node(indent + 1));
    }
    return out;
  }
  /** The value after `key:` or `-` on line `l`, with continuation lines indented past `parent`. */
  inline(rest: string, l: Line, parent: number): YamlValue {
    if (/^[&*]/.test(rest)) fail(l, 'anchors and aliases are not supported');
    const text = rest.replace(/^!!?[a-z]+\s+/, '');
    if (/^[|>]/.test(text)) return this.blockScalar(text, l, parent);
    let buf = text;
    const more = (): boolean => {
      const n = this.peek();
      return n !== undefined && n.indent > parent;
    };
    if (buf[0] === '[' || buf[0] === '{') {
      while (!flowClosed(buf) && this.i < this.lines.length) {
        buf += ' ' + (this.lines[this.i]?.text ?? '');
        this.i += 1;
      }
      const r = new FlowReader(buf, l);
      const v = r.value();
      if (r.s.slice(r.i).trim() !== '') fail(l, 'text after a flow collection');
      return v;
    }
    if (buf[0] === '"' || buf[0] === "'") {
      while (endOfQuoted(buf, 0) < 0 && this.i < this.lines.length) {
        buf += ' ' + (this.lines[this.i]?.raw.trim() ?? '');
        this.i += 1;
      }
      const end = endOfQuoted(buf, 0);
      if (end < 0) fail(l, 'unterminated quote');
      if (buf.slice(end).trim() !== '') fail(l, 'text after a quoted scalar');
      return readQuoted(buf.slice(0, end));
    }
    while (more() && !splitKey(this.lines[this.i]?.text ?? '')) {
      buf += ' ' + (this.lines[this.i]?.text ?? '');
      this.i += 1;
    }
    return resolvePlain(buf.trim());
  }
  blockScalar(head: string, l: Line, parent: number): string {
    const m = /^([|>])([+-]?)(\d?)$/.exec(head.trim()) ?? /^([|>])(\d?)([+-]?)$/.exec(head.trim());
    if (!m) fail(l, `block scalar header ${head}`);
    const chomp = head.includes('-') ? '-' : head.includes('+') ? '+' : '';
    const body: string[] = [];
    let indent = -1;
    while (this.i < this.lines.length) {
      const raw = this.lines[this.i]?.raw ?? '';
      const ind = raw.length - raw.trimStart().length;
      if (raw.trim() !== '' && (ind <= parent || (indent >= 0 && ind < indent))) break;
      if (raw.trim() !== '' && indent < 0) indent = ind;
      body.push(raw);
      this.i += 1;
    }
    const lines = body.map((r) => (indent < 0 ? '' : r.slice(indent)));
    let text =
      m[1] === '|'
        ? lines.join('\n')
        : lines.reduce(
            (acc, cur, k) => acc + (k === 0 ? cur : cur === '' || lines[k - 1] === '' ? `\n${cur}` : ` ${cur}`),
            '',
          );
    text = text.replace(/\n*$/, '');
    if (chomp === '+') return text + '\n';
    return chomp === '-' || text === '' ? text : text + '\n';
  }
}

function flowClosed(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i += 1) {
    const c = s[i];
    if (c === '"' || c === "'") {
      const e = endOfQuoted(s, i);
      if (e < 0) return false;
      i = e - 1;
      continue;
    }
    if (c === '[' || c === '{') depth += 1;
    if (c === ']' || c === '}') depth -= 1;
  }
  return depth <= 0;
}

function splitLines(text: string): Line[] {
  const out: Line[] = [];
  let docs = 0;
  text
    .replace(/^\uFEFF/, '')
    .replace(/\r\n?/g, '\n')
    .split('\n')
    .forEach((raw, k) => {
      if (/^%/.test(raw)) return;
      if (/^(---|\.\.\.)(\s|$)/.test(raw)) {
        docs += raw.startsWith('---') ? 1 : 0;
        if (docs > 1) fail({ indent: 0, text: raw, raw, no: k + 1 }, 'several documents');
        raw = raw.slice(3);
      }
      const lead = /^[ \t]*/.exec(raw)?.[0] ?? '';
      const text2 = stripComment(raw.slice(lead.length));
      if (lead.includes('\t') && text2 !== '') fail({ indent: 0, text: raw, raw, no: k + 1 }, 'tab in indentation');
      out.push({ indent: lead.length, text: text2, raw, no: k + 1 });
    });
  return out;
}

/** Parses one YAML document of the supported subset. An empty document is null. */
export function parseYaml(text: string): YamlValue {
  const p = new BlockParser(splitLines(text));
  const v = p.node(0);
  const rest = p.peek();
  if (rest) fail(rest, 'unexpected content');
  return v;
}
