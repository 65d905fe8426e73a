// A line-preserving editor for python-dotenv files (~/.hermes/.env). Pure: text in, text out.
// The parser is a port of python-dotenv's parser.py (same regexes, same binding boundaries), so a
// value reads here exactly as Hermes reads it. Edits touch only the bindings of the edited key.

export interface EnvBinding {
  key: string | null;
  value: string | null;
  /** Span of the whole binding in the text, including leading blank lines (python-dotenv's "original"). */
  start: number;
  /** Where the binding's own line starts (after leading whitespace/blank lines). */
  lineStart: number;
  end: number;
  error: boolean;
}

// Python's str.isspace() set (re.UNICODE \s), which differs from JavaScript's \s (BOM, \x1c-\x1f).
const WS = '\\t\\n\\v\\f\\r \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const HWS = '\\t\\v\\f \\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const y = (src: string): RegExp => new RegExp(src, 'uy');

const RE = {
  multilineWs: y(`[${WS}]*`),
  ws: y(`[${HWS}]*`),
  exportKw: y(`(?:export[${HWS}]+)?`),
  singleQuotedKey: y(`'([^']+)'`),
  unquotedKey: y(`([^=#${WS}]+)`),
  equal: y(`(=[${HWS}]*)`),
  singleQuotedValue: y(`'((?:\\\\'|[^'])*)'`),
  doubleQuotedValue: y(`"((?:\\\\"|[^"])*)"`),
  unquotedValue: y(`([^\\r\\n]*)`),
  comment: y(`(?:[${HWS}]*#[^\\r\\n]*)?`),
  endOfLine: y(`[${HWS}]*(?:\\r\\n|\\n|\\r|$)`),
  restOfLine: y(`[^\\r\\n]*(?:\\r|\\n|\\r\\n)?`),
};
const UNQUOTED_COMMENT = new RegExp(`[${WS}]+#[^\\n]*`, 'u');

class ParseFail extends Error {}

class Reader {
  pos = 0;
  constructor(readonly s: string) {}
  peek(): string {
    return this.s.slice(this.pos, this.pos + 1);
  }
  read(re: RegExp): string[] {
    re.lastIndex = this.pos;
    const m = re.exec(this.s);
    if (!m) throw new ParseFail();
    this.pos = re.lastIndex;
    return m.slice(1).map((g) => g ?? '');
  }
}

const ESCAPES: Record<string, string> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/** Python reads the file with universal newlines, so CR LF and CR inside quoted values arrive as LF. */
function universalNewlines(s: string): string {
  return s.replace(/\r\n?/g, '\n');
}

function rstripPy(s: string): string {
  return s.replace(new RegExp(`[${WS}]+$`, 'u'), '');
}

function parseValue(r: Reader): string {
  const c = r.peek();
  if (c === "'") return universalNewlines(r.read(RE.singleQuotedValue)[0]!).replace(/\\[\\']/g, (m) => m[1]!);
  if (c === '"')
    return universalNewlines(r.read(RE.doubleQuotedValue)[0]!).replace(/\\[\\'"abfnrtv]/g, (m) => ESCAPES[m[1]!]!);
  if (c === '' || c === '\n' || c === '\r') return '';
  return rstripPy(r.read(RE.unquotedValue)[0]!.replace(UNQUOTED_COMMENT, ''));
}

function parseBinding(r: Reader): EnvBinding {
  const start = r.pos;
  let lineStart = start;
  try {
    r.read(RE.multilineWs);
    lineStart = r.pos;
    if (r.pos >= r.s.length) return { key: null, value: null, start, lineStart, end: r.pos, error: false };
    r.read(RE.exportKw);
    let key: string | null = null;
    if (r.peek() !== '#') key = r.peek() === "'" ? r.read(RE.singleQuotedKey)[0]! : r.read(RE.unquotedKey)[0]!;
    r.read(RE.ws);
    let value: string | null = null;
    if (r.peek() === '=') {
      r.read(RE.equal);
      value = parseValue(r);
    }
    r.read(RE.comment);
    r.read(RE.endOfLine);
    return { key, value, start, lineStart, end: r.pos, error: false };
  } catch (err) {
    if (!(err instanceof ParseFail)) throw err;
    r.read(RE.restOfLine);
    return { key: null, value: null, start, lineStart, end: r.pos, error: true };
  }
}

export function parseDotenv(text: string): EnvBinding[] {
  const r = new Reader(text);
  const out: EnvBinding[] = [];
  while (r.pos < text.length) out.push(parseBinding(r));
  return out;
}

/** The value python-dotenv would load for `key` (last binding wins), without ${VAR} interpolation. */
export function readDotenvValue(text: string, key: string): string | undefined {
  let value: string | undefined;
  for (const b of parseDotenv(text)) if (b.key === key && b.value !== null) value = b.value;
  return value;
}

/** Quote like Hermes's own writer (config._quote_env_value): only when needed. */
export function renderDotenvValue(value: string): string {
  if (/[\r\n]/.test(value)) throw new Error('multi-line values are not supported');
  if (!/[#"']|^\s|\s$/.test(value) && value !== '') return value;
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export type EnvEdit = { changed: false } | { changed: true; text: string; action: 'replaced' | 'appended' | 'removed' };

export function detectEol(text: string): '\r\n' | '\n' {
  return /\r\n/.test(text) ? '\r\n' : '\n';
}

/** Start of the binding's physical line: back over its indentation, never past a line break. */
function cutStart(text: string, b: EnvBinding): number {
  let i = b.lineStart;
  while (i > b.start && (text[i - 1] === ' ' || text[i - 1] === '\t')) i--;
  return i;
}

function lineTerminator(text: string, b: EnvBinding): string {
  const m = /(\r\n|\n|\r)$/.exec(text.slice(b.lineStart, b.end));
  return m ? m[1]! : '';
}

function assertKey(key: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) throw new Error(`invalid .env key: ${key}`);
}

/** Sets `key` to `value`: replaces the first binding of the key, drops later duplicates, or appends. */
export function upsertDotenv(text: string, key: string, value: string): EnvEdit {
  assertKey(key);
  const mine = parseDotenv(text).filter((b) => b.key === key);
  const first = mine[0];
  if (first && mine.length === 1 && first.value === value) return { changed: false };
  const line = `${key}=${renderDotenvValue(value)}`;
  if (!first) {
    const eol = detectEol(text);
    const base = text === '' || /[\r\n]$/.test(text) ? text : text + eol;
    return { changed: true, text: `${base}${line}${eol}`, action: 'appended' };
  }
  let outText = '';
  let cursor = 0;
  mine.forEach((b, i) => {
    outText += text.slice(cursor, cutStart(text, b));
    if (i === 0) outText += line + lineTerminator(text, b);
    cursor = b.end;
  });
  outText += text.slice(cursor);
  return { changed: true, text: outText, action: 'replaced' };
}

/** Removes every binding of `key` (used by uninstall --unpin-token). */
export function removeDotenvKey(text: string, key: string): EnvEdit {
  assertKey(key);
  const mine = parseDotenv(text).filter((b) => b.key === key);
  if (mine.length === 0) return { changed: false };
  let outText = '';
  let cursor = 0;
  for (const b of mine) {
    outText += text.slice(cursor, cutStart(text, b));
    cursor = b.end;
  }
  outText += text.slice(cursor);
  return { changed: true, text: outText, action: 'removed' };
}
