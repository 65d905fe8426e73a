// Plan table for the .env step: only our keys' lines change, other bytes stay; what the plan pins and implies.
import { describe, expect, it } from 'vitest';
import { foldInputs } from '../../src/converge/inputs.js';
import { readDotenvValue } from '../../src/render/env-file.js';
import { BASIC_HASH_KEY, BASIC_SECRET_KEY, BASIC_USER_KEY, TOKEN_KEY, hashPassword } from '../../src/secrets.js';
import { planEnv, type EnvObserved } from '../../src/steps/env.js';
import { encodeEnv, readEnvText } from '../../src/facts/env-text.js';
import { loadBytesAsHermes } from '../support/dotenv-oracle.js';
import { file, inputs, linuxFacts, TAILNET_IP, TOKEN } from '../support/fixtures.js';

const obs = (text: string, over: Partial<EnvObserved> = {}): EnvObserved => ({
  text,
  exists: text !== '',
  fileMode: 0o600,
  dirMode: 0o700,
  dirExists: true,
  ...over,
});
const token = (i = inputs(linuxFacts(), { decision: { mode: 'tunnel', bind: '127.0.0.1', reason: '' } })) => i;
const password = (opts = {}) =>
  inputs(linuxFacts(), { decision: { mode: 'password', bind: TAILNET_IP, reason: '' }, opts });

describe('planEnv', () => {
  it('a missing .env gets the generated token, 0600, and ~/.hermes 0700', () => {
    const p = planEnv(obs('', { exists: false, dirExists: false }), token());
    expect(p.actions).toMatchObject({ contentChanged: true, fixDirMode: true, fixFileMode: false });
    expect(p.actions!.after).toBe(`${TOKEN_KEY}=${'G'.repeat(43)}\n`);
    expect(p.describe).toBe('update .env, chmod 700 ~/.hermes, new token');
    expect(p.implies).toMatchObject({ secrets: { token: 'G'.repeat(43) }, changed: { env: true } });
    expect(p.implies?.files?.[0]).toMatchObject({ path: '~/.hermes/.env', before: '', mode: 0o600 });
  });

  it('a strong pinned token is kept: nothing to do', () => {
    const p = planEnv(obs(`OPENAI_API_KEY=sk-1\n${TOKEN_KEY}=${TOKEN}\n`), token());
    expect(p.actions).toBeUndefined();
    expect(p.implies?.secrets?.token).toBe(TOKEN);
    expect(p.implies?.changed?.env).toBe(false);
  });

  it.each([
    ['a weak token is replaced', `${TOKEN_KEY}=short\n`, {}, 'replaced a weak token'],
    [
      '--rotate-token replaces a strong one',
      `${TOKEN_KEY}=${TOKEN}\n`,
      { rotateToken: true },
      'rotated token (--rotate-token)',
    ],
  ])('%s', (_n, text, opts, note) => {
    const p = planEnv(
      obs(text),
      inputs(linuxFacts(), { opts, decision: { mode: 'tunnel', bind: '127.0.0.1', reason: '' } }),
    );
    expect(p.describe).toContain(note);
    expect(readDotenvValue(p.actions!.after, TOKEN_KEY)).toBe('G'.repeat(43));
  });

  it("a strong token a hand-made unit set is pinned when .env has none (moved out of the unit); .env's own wins otherwise", () => {
    const unitToken = 'U'.repeat(43);
    const p = planEnv(obs('A=1\n', { serviceToken: unitToken }), token());
    expect(readDotenvValue(p.actions!.after, TOKEN_KEY)).toBe(unitToken);
    expect(p.describe).toContain('pinned the token the service file set (moved out of it)');
    expect(p.implies?.redact).toContain(unitToken);
    expect(planEnv(obs(`${TOKEN_KEY}=${TOKEN}\n`, { serviceToken: unitToken }), token()).implies?.secrets?.token).toBe(
      TOKEN,
    );
    expect(readDotenvValue(planEnv(obs('', { serviceToken: 'weak' }), token()).actions!.after, TOKEN_KEY)).toBe(
      'G'.repeat(43),
    );
  });

  it('other lines keep their bytes: comments, CRLF, export, quotes, no final newline', () => {
    const text = '# mine\r\nexport A="x y"\r\nB=\'z\'\r\nC=1';
    const after = planEnv(obs(text), token()).actions!.after;
    expect(after.startsWith(text)).toBe(true);
    expect(after.slice(text.length)).toBe(`\r\n${TOKEN_KEY}=${'G'.repeat(43)}\r\n`);
  });

  it('only the modes are wrong: chmod, no rewrite', () => {
    const p = planEnv(obs(`${TOKEN_KEY}=${TOKEN}\n`, { fileMode: 0o644 }), token());
    expect(p.actions).toMatchObject({ contentChanged: false, fixFileMode: true });
    expect(p.implies?.files).toEqual([]);
  });

  it('password mode on a fresh .env pins user, hash and secret, and keeps the new password here', () => {
    const p = planEnv(obs(''), password());
    const after = p.actions!.after;
    expect(readDotenvValue(after, BASIC_USER_KEY)).toBe('hermes');
    expect(readDotenvValue(after, BASIC_HASH_KEY)).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(readDotenvValue(after, BASIC_SECRET_KEY)).toBe('S'.repeat(43));
    expect(p.actions!.newPassword).toBe('generated-password');
    expect(p.implies?.redact).toContain('generated-password');
  });

  it('password mode keeps a matching login and learns its password from the local file', () => {
    const hash = hashPassword('pw-on-this-machine');
    const text = `${TOKEN_KEY}=${TOKEN}\n${BASIC_USER_KEY}=hermes\n${BASIC_HASH_KEY}=${hash}\n${BASIC_SECRET_KEY}=${'S'.repeat(43)}\n`;
    const p = planEnv(obs(text, { localPassword: 'pw-on-this-machine' }), password());
    expect(p.actions).toBeUndefined();
    expect(p.implies?.secrets?.password).toEqual({ username: 'hermes', hash, password: 'pw-on-this-machine' });
    const wrong = planEnv(obs(text, { localPassword: 'other' }), password());
    expect(wrong.implies?.secrets?.password?.password).toBeUndefined();
  });

  it('leaving password mode drops only the basic-auth keys this tool pinned', () => {
    const text = `${TOKEN_KEY}=${TOKEN}\n${BASIC_USER_KEY}=hermes\n${BASIC_HASH_KEY}=h\n${BASIC_SECRET_KEY}=s\nKEEP=1\n`;
    const state = { envKeys: [TOKEN_KEY, BASIC_USER_KEY, BASIC_HASH_KEY, BASIC_SECRET_KEY] } as never;
    const i = foldInputs(token(), { state });
    expect(planEnv(obs(text), i).actions!.after).toBe(`${TOKEN_KEY}=${TOKEN}\nKEEP=1\n`);
    expect(planEnv(obs(text), token()).actions).toBeUndefined();
  });
});

describe('planEnv: .env bytes exactly as python-dotenv reads them (docs/hermes-contract.md#c5)', () => {
  const BOM = '\uFEFF';
  /** Plan over the file's bytes as the env step reads them; the bytes it would write; what Hermes reads before/after. */
  function run(bytes: Buffer, i = token()) {
    const env = readEnvText({ type: 'file', mode: 0o600, size: bytes.length, content: bytes });
    const p = planEnv(obs(env.text, { encoding: env.encoding }), i);
    const out = p.actions ? encodeEnv(p.actions.after, p.actions.encoding) : bytes;
    const [before, after] = loadBytesAsHermes([bytes, out]);
    return { p, out, before: before!, after: after! };
  }

  it('a token on the first line behind a BOM is not pinned for Hermes: the BOM is dropped, the token kept, and it says so', () => {
    const r = run(Buffer.from(`${BOM}${TOKEN_KEY}=${TOKEN}\nOPENAI_API_KEY=sk-1\n`));
    expect(r.before[TOKEN_KEY]).toBeUndefined();
    expect(r.before[`${BOM}${TOKEN_KEY}`]).toBe(TOKEN);
    expect(r.after).toEqual({ [TOKEN_KEY]: TOKEN, OPENAI_API_KEY: 'sk-1' });
    expect(r.out.toString()).toBe(`${TOKEN_KEY}=${TOKEN}\nOPENAI_API_KEY=sk-1\n`);
    expect(r.p.describe).toContain(`dropped the UTF-8 BOM before ${TOKEN_KEY} on line 1`);
    expect(r.p.implies?.secrets?.token).toBe(TOKEN);
  });

  it('a weak token behind a BOM: BOM dropped, token replaced, the hidden value redacted from diffs', () => {
    const r = run(Buffer.from(`${BOM}${TOKEN_KEY}=weak-but-secret\n`));
    expect(r.after).toEqual({ [TOKEN_KEY]: 'G'.repeat(43) });
    expect(r.p.implies?.redact).toContain('weak-but-secret');
  });

  it("a BOM before someone else's key stays (their key keeps its name as python-dotenv sees it); ours is pinned on its own line", () => {
    const r = run(Buffer.from(`${BOM}OPENAI_API_KEY=sk-1\r\nB=2\r\n`));
    expect(r.out.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    expect(r.after).toEqual({ ...r.before, [TOKEN_KEY]: 'G'.repeat(43) });
    expect(r.after[`${BOM}OPENAI_API_KEY`]).toBe('sk-1');
    expect(r.p.implies?.warnings?.join()).toMatch(
      /starts with a UTF-8 BOM: python-dotenv reads its first key as "\\ufeffOPENAI_API_KEY" \(left as it is/,
    );
  });

  it('a BOM before our key is kept when dropping it would change how a later line reads', () => {
    const r = run(Buffer.from(`${BOM}export ${TOKEN_KEY}="a\nb"\nC=3\n`));
    expect(r.out.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    for (const [k, v] of Object.entries(r.before)) expect(r.after[k]).toBe(v);
    expect(r.after[TOKEN_KEY]).toBe('G'.repeat(43));
  });

  it('a blank first line or a comment behind a BOM is left alone', () => {
    for (const text of [`${BOM}# mine\n${TOKEN_KEY}=${TOKEN}\n`, `${BOM}\n${TOKEN_KEY}=${TOKEN}\n`]) {
      const r = run(Buffer.from(text));
      expect(r.p.actions).toBeUndefined();
      expect(r.before[TOKEN_KEY]).toBe(TOKEN);
    }
  });

  it('latin-1 (Hermes retries it): edited byte for byte, every other byte kept, and it says so', () => {
    const bytes = Buffer.concat([
      Buffer.from('NAME=Caf'),
      Buffer.from([0xe9]),
      Buffer.from(`\n${TOKEN_KEY}=weak\nZ=`),
      Buffer.from([0xa0, 0x31]),
      Buffer.from('\n'),
    ]);
    const r = run(bytes);
    expect(readEnvText(file('x')).encoding).toBe('utf-8');
    expect(r.p.actions?.encoding).toBe('latin-1');
    expect(r.p.describe).toContain('.env is latin-1: edited byte for byte');
    expect(r.after).toEqual({ ...r.before, [TOKEN_KEY]: 'G'.repeat(43) });
    expect(r.out.toString('latin1')).toBe(
      bytes.toString('latin1').replace(`${TOKEN_KEY}=weak`, `${TOKEN_KEY}=${'G'.repeat(43)}`),
    );
  });

  it('a value latin-1 cannot hold is refused with the conversion command', () => {
    expect(() => encodeEnv('U=\u4e2d\n', 'latin-1')).toThrow(/E_ENV_ENCODING|latin-1 \(not UTF-8\)/);
  });
});
