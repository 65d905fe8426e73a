/**
 * python-dotenv, ported rule for rule (`dotenv/parser.py`, `dotenv/variables.py`, `resolve_variables`) so the
 * simulator reads `.env` bytes exactly as Hermes does (§5.1, §5.2, §18.5). Checked against the real library in
 * `contract-dotenv.test.ts`.
 */

// Python's `\s` (str.isspace) — unlike JavaScript's `\s` it does NOT contain U+FEFF, so a UTF-8 BOM stays part of the
// first key (§18.5); it does contain \x1c-\x1f and \x85.
const WS = '\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WS_NO_NL = '\\t\\v\\f\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const sticky = (src: string): RegExp => new RegExp(src, 'uy');
const RE = {
  multilineWhitespace: sticky(`[${WS}]*`),
  whitespace: sticky(`[${WS_NO_NL}]*`),
  export: sticky(`(?:export[${WS_NO_NL}]+)?`),
  singleQuotedKey: sticky("'([^']+)'"),
  unquotedKey: sticky(`([^=#${WS}]+)`),
  equalSign: sticky(`(=[${WS_NO_NL}]*)`),
  singleQuotedValue: sticky("'((?:\\\\'|[^'])*)'"),
  doubleQuotedValue: sticky('"((?:\\\\"|[^"])*)"'),
  unquotedValue: sticky('([^\\r\\n]*)'),
  comment: sticky(`(?:[${WS_NO_NL}]*#[^\\r\\n]*)?`),
  endOfLine: sticky(`[${WS_NO_NL}]*(?:\\r\\n|\\n|\\r|$)`),
  restOfLine: sticky('[^\\r\\n]*(?:\\r|\\n|\\r\\n)?'),
};
const INLINE_COMMENT = new RegExp(`[${WS}]+#[^\\n]*`, 'gu');
const TRAILING_WS = new RegExp(`[${WS}]+$`, 'u');
const DOUBLE_ESCAPES = /\\[\\'"abfnrtv]/g;
const SINGLE_ESCAPES = /\\[\\']/g;
const ESCAPE_VALUES: Record<string, string> = {
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
const POSIX_VARIABLE = /\$\{([^}:]*)(?::-([^}]*))?\}/g;

class ParseError extends Error {}

class Reader {
  pos = 0;
  constructor(readonly text: string) {}
  hasNext(): boolean {
    return this.pos < this.text.length;
  }
  peek(n: number): string {
    return this.text.slice(this.pos, this.pos + n);
  }
  read(re: RegExp): string[] {
    re.lastIndex = this.pos;
    const m = re.exec(this.text);
    if (!m) throw new ParseError('pattern not found');
    this.pos += m[0].length;
    return m.slice(1).map((g) => g ?? '');
  }
}

export interface Binding {
  key: string;
  value: string | null;
}

function parseKey(r: Reader): string | null {
  const ch = r.peek(1);
  if (ch === '#') return null;
  return (ch === "'" ? r.read(RE.singleQuotedKey) : r.read(RE.unquotedKey))[0] ?? '';
}

function parseValue(r: Reader): string {
  const ch = r.peek(1);
  if (ch === "'")
    return (r.read(RE.singleQuotedValue)[0] ?? '').replace(SINGLE_ESCAPES, (m) => ESCAPE_VALUES[m[1] ?? ''] ?? m);
  if (ch === '"')
    return (r.read(RE.doubleQuotedValue)[0] ?? '').replace(DOUBLE_ESCAPES, (m) => ESCAPE_VALUES[m[1] ?? ''] ?? m);
  if (ch === '' || ch === '\n' || ch === '\r') return '';
  const part = r.read(RE.unquotedValue)[0] ?? '';
  return part.replace(INLINE_COMMENT, '').replace(TRAILING_WS, '');
}

/** One `parse_binding`: null for blank/comment/error stretches. */
function parseBinding(r: Reader): Binding | null {
  const start = r.pos;
  try {
    r.read(RE.multilineWhitespace);
    if (!r.hasNext()) return null;
    r.read(RE.export);
    const key = parseKey(r);
    r.read(RE.whitespace);
    let value: string | null = null;
    if (r.peek(1) === '=') {
      r.read(RE.equalSign);
      value = parseValue(r);
    }
    r.read(RE.comment);
    r.read(RE.endOfLine);
    return key === null ? null : { key, value };
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    r.pos = Math.max(r.pos, start);
    r.read(RE.restOfLine);
    return null;
  }
}

/**
 * `open(path, encoding=…)` in text mode: universal newlines turn `\r\n` and lone `\r` into `\n` before the parser
 * sees the text. A BOM is NOT removed (the codec is `utf-8`, not `utf-8-sig`).
 */
export function parseDotenvBindings(text: string): Binding[] {
  const r = new Reader(text.replace(/\r\n?/g, '\n'));
  const out: Binding[] = [];
  while (r.hasNext()) {
    const b = parseBinding(r);
    if (b) out.push(b);
  }
  return out;
}

function interpolate(value: string, scope: Record<string, string | null | undefined>): string {
  return value.replace(POSIX_VARIABLE, (_m, name: string, dflt: string | undefined) => {
    const v = Object.prototype.hasOwnProperty.call(scope, name) ? scope[name] : (dflt ?? '');
    return v ?? '';
  });
}

/** `dotenv_values(path)` with interpolation and override=True scoping (`resolve_variables`). */
export function parseDotenv(text: string, env: NodeJS.ProcessEnv): Record<string, string | null> {
  const result: Record<string, string | null> = {};
  for (const b of parseDotenvBindings(text)) {
    result[b.key] = b.value === null ? null : interpolate(b.value, { ...env, ...result });
  }
  return result;
}

/** `load_dotenv(path, override=True)`: every non-None value replaces the process environment's. */
export function loadDotenvInto(text: string, env: NodeJS.ProcessEnv): void {
  for (const [k, v] of Object.entries(parseDotenv(text, env))) if (v !== null) env[k] = v;
}

/**
 * §5.1 / §18.5: the bytes of a `.env` as Hermes decodes them — strict UTF-8 keeping a BOM (`ignoreBOM`), retried as
 * latin-1 on a decode error; NUL bytes stripped (§5.3 sanitiser). Null when unreadable.
 */
export function decodeEnvBytes(buf: Buffer): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(buf);
  } catch {
    text = buf.toString('latin1');
  }
  return text.replace(/\0/g, '');
}
