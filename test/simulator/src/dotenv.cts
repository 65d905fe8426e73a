/** python-dotenv compatible parser (load_dotenv with interpolate=True). */
const KEY_RE = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

const DOUBLE_ESCAPES: Record<string, string> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
};

interface Binding {
  key: string;
  value: string | null;
  interpolate: boolean;
}

function decodeDouble(raw: string): string {
  return raw.replace(/\\(.)/g, (m, c: string) => DOUBLE_ESCAPES[c] ?? m);
}

function readQuoted(src: string, pos: number, quote: string): { value: string; end: number } | null {
  let i = pos + 1;
  while (i < src.length) {
    const ch = src[i];
    if (ch === '\\' && i + 1 < src.length) { i += 2; continue; }
    if (ch === quote) break;
    i += 1;
  }
  if (i >= src.length) return null;
  const body = src.slice(pos + 1, i);
  const value = quote === '"' ? decodeDouble(body) : body.replace(/\\([\\'])/g, '$1');
  return { value, end: i + 1 };
}

function skipToLineEnd(src: string, pos: number): number {
  const nl = src.indexOf('\n', pos);
  return nl === -1 ? src.length : nl + 1;
}

function readValue(src: string, pos: number): { value: string; end: number; quote: string } {
  let i = pos;
  while (src[i] === ' ' || src[i] === '\t') i += 1;
  const ch = src[i];
  if (ch === '"' || ch === "'") {
    const quoted = readQuoted(src, i, ch);
    if (quoted) return { value: quoted.value, end: skipToLineEnd(src, quoted.end), quote: ch };
  }
  const end = skipToLineEnd(src, i);
  let line = src.slice(i, end).replace(/\r?\n$/, '').replace(/\r$/, '');
  const hash = line.search(/\s#/);
  if (hash !== -1) line = line.slice(0, hash);
  return { value: line.trim(), end, quote: '' };
}

function parseBindings(src: string): Binding[] {
  const out: Binding[] = [];
  let pos = 0;
  while (pos < src.length) {
    const lineEnd = skipToLineEnd(src, pos);
    const line = src.slice(pos, lineEnd);
    const m = /^[ \t]*(?:export[ \t]+)?([^=\s#]+)[ \t]*(=)?/.exec(line);
    const trimmed = line.trim();
    if (!m || trimmed === '' || trimmed.startsWith('#') || !KEY_RE.test(m[1] ?? '')) { pos = lineEnd; continue; }
    const key = m[1] ?? '';
    if (!m[2]) { out.push({ key, value: null, interpolate: false }); pos = lineEnd; continue; }
    const v = readValue(src, pos + m[0].length);
    out.push({ key, value: v.value, interpolate: v.quote !== "'" });
    pos = v.end;
  }
  return out;
}

function interpolate(value: string, scope: NodeJS.ProcessEnv): string {
  return value.replace(/\$\{([^}:]+)(?::-([^}]*))?\}/g, (_m, name: string, dflt: string | undefined) => {
    const v = scope[name];
    return v !== undefined && v !== '' ? v : (dflt ?? '');
  });
}

/** Returns the key/value pairs python-dotenv would set (override=True semantics for ${} lookups). */
export function parseDotenv(text: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const src = text.replace(/^\uFEFF/, '').replace(/\r\n/g, '\n').replace(/\r/g, '\n');
  const result: Record<string, string> = {};
  for (const b of parseBindings(src)) {
    if (b.value === null) continue;
    // override=True: earlier values from this file win over the environment for interpolation.
    const scope = { ...env, ...result };
    result[b.key] = b.interpolate ? interpolate(b.value, scope) : b.value;
  }
  return result;
}

/** load_dotenv(path, override=True): values beat the process environment. */
export function loadDotenvInto(text: string, env: NodeJS.ProcessEnv): void {
  const parsed = parseDotenv(text, env);
  for (const [k, v] of Object.entries(parsed)) env[k] = v;
}
