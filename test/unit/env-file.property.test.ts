// Property test of the .env editor over 1,200 generated files of mixed python-dotenv syntax,
// checked byte-for-byte against an independently built expectation and against real python-dotenv.
import { describe, expect, it } from 'vitest';
import { parseDotenv, readDotenvValue, upsertDotenv } from '../../src/render/env-file.js';
import { hasDotenvOracle, loadWithPythonDotenv } from '../support/dotenv-oracle.js';

const KEY = 'HERMES_DASHBOARD_SESSION_TOKEN';
const N = 1200;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Seg = { text: string; token: boolean; indent: string };

function pick<T>(r: () => number, xs: T[]): T {
  return xs[Math.floor(r() * xs.length)]!;
}

function otherSegment(r: () => number, i: number, eol: string): string {
  const k = `${pick(r, ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'HERMES_HOME', 'FOO', 'X_TOKEN', 'café_KEY'])}${i}`;
  const forms = [
    () => `# comment ${i} with = and "quotes" and 'single'`,
    () => '',
    () => '   \t',
    () => `${k}=plain-value-${i}`,
    () => `${k}=value with spaces # and a comment`,
    () => `${k}=a#not-a-comment`,
    () => `export ${k}=exported${i}`,
    () => `  ${k} = 'single \\'escaped\\' and \\\\ back' # c`,
    () => `${k}="double \\"esc\\" \\n newline \\t tab ü"`,
    () => `${k}="multi${eol}line ${KEY}=inside-quotes${eol}end"`,
    () => `${k}=\${OTHER_VAR}/path`,
    () => `${k}`,
    () => `${k}=`,
    () => `'${k}'=quoted-key`,
    () => `=broken line ${i}`,
    () => `${k}=${'x'.repeat(Math.floor(r() * 300))}`,
  ];
  return pick(r, forms)();
}

function tokenSegment(r: () => number): { body: string; indent: string } {
  const old = `old-${Math.floor(r() * 1e9).toString(36)}`;
  const indent = pick(r, ['', '', '  ', '\t']);
  const body = pick(r, [
    `${KEY}=${old}`,
    `export ${KEY}=${old}`,
    `${KEY}="${old}"`,
    `${KEY} = '${old}'   # pinned by hand`,
    `${KEY}=`,
  ]);
  return { body, indent };
}

function generate(seed: number): { text: string; segs: Seg[]; eolFor: string[]; finalNewline: boolean } {
  const r = rng(seed);
  const crlf = r() < 0.3;
  const segs: Seg[] = [];
  const eolFor: string[] = [];
  const n = Math.floor(r() * 14);
  for (let i = 0; i < n; i++) {
    const eol = crlf ? '\r\n' : r() < 0.05 ? '\r\n' : '\n';
    const roll = r();
    if (roll < 0.15) {
      const t = tokenSegment(r);
      segs.push({ text: t.indent + t.body, token: true, indent: t.indent });
    } else {
      segs.push({ text: otherSegment(r, i, eol), token: false, indent: '' });
    }
    eolFor.push(eol);
  }
  const finalNewline = r() < 0.8;
  const text = segs.map((s, i) => s.text + (i < segs.length - 1 || finalNewline ? eolFor[i] : '')).join('');
  return { text, segs, eolFor, finalNewline };
}

function expected(gen: ReturnType<typeof generate>, token: string): string {
  const { segs, eolFor, text } = gen;
  const firstTok = segs.findIndex((s) => s.token);
  if (firstTok < 0) {
    const eol = /\r\n/.test(text) ? '\r\n' : '\n';
    const base = text === '' || /[\r\n]$/.test(text) ? text : text + eol;
    return `${base}${KEY}=${token}${eol}`;
  }
  return segs
    .map((s, i) => {
      const term = i < segs.length - 1 || gen.finalNewline ? eolFor[i]! : '';
      if (!s.token) return s.text + term;
      return i === firstTok ? `${KEY}=${token}${term}` : '';
    })
    .join('');
}

function lastWins(text: string): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const b of parseDotenv(text)) if (b.key !== null) out[b.key] = b.value;
  return out;
}

describe('.env upsert property (python-dotenv semantics)', () => {
  const cases = Array.from({ length: N }, (_, i) => generate(1000 + i));
  const token = 'Zq3_-abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';

  it(`changes only the token's lines in ${N} generated files, and a second upsert is a no-op`, () => {
    for (const [i, gen] of cases.entries()) {
      const edit = upsertDotenv(gen.text, KEY, token);
      const result = edit.changed ? edit.text : gen.text;
      expect(result, `seed ${1000 + i}: ${JSON.stringify(gen.text)}`).toBe(expected(gen, token));
      expect(readDotenvValue(result, KEY), `seed ${1000 + i}`).toBe(token);
      expect(upsertDotenv(result, KEY, token), `seed ${1000 + i}`).toEqual({ changed: false });
    }
  });

  it('reads every file exactly as real python-dotenv loads it, before and after the edit', () => {
    expect(hasDotenvOracle(), 'python3-dotenv must be installed (apt-get install python3-dotenv)').toBe(true);
    const texts = cases.flatMap((g) => {
      const e = upsertDotenv(g.text, KEY, token);
      return [g.text, e.changed ? e.text : g.text];
    });
    const oracle = loadWithPythonDotenv(texts);
    texts.forEach((t, i) => expect(lastWins(t), `text #${i}: ${JSON.stringify(t).slice(0, 200)}`).toEqual(oracle[i]));
  });

  it('other keys keep their values and order after the edit', () => {
    for (const gen of cases) {
      const e = upsertDotenv(gen.text, KEY, token);
      if (!e.changed) continue;
      const keys = (t: string) =>
        parseDotenv(t)
          .filter((b) => b.key && b.key !== KEY)
          .map((b) => `${b.key}=${b.value}`);
      expect(keys(e.text)).toEqual(keys(gen.text));
    }
  });
});
