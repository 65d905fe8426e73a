// Plan table for the .env step: only our keys' lines change, other bytes stay; what the plan pins and implies.
import { describe, expect, it } from 'vitest';
import { foldInputs } from '../../src/converge/inputs.js';
import { readDotenvValue } from '../../src/render/env-file.js';
import { BASIC_HASH_KEY, BASIC_SECRET_KEY, BASIC_USER_KEY, TOKEN_KEY, hashPassword } from '../../src/secrets.js';
import { planEnv, type EnvObserved } from '../../src/steps/env.js';
import { inputs, linuxFacts, TAILNET_IP, TOKEN } from '../support/fixtures.js';

const obs = (text: string, over: Partial<EnvObserved> = {}): EnvObserved => ({ text, exists: text !== '', fileMode: 0o600, dirMode: 0o700, dirExists: true, ...over });
const token = (i = inputs(linuxFacts(), { decision: { mode: 'tunnel', bind: '127.0.0.1', reason: '' } })) => i;
const password = (opts = {}) => inputs(linuxFacts(), { decision: { mode: 'password', bind: TAILNET_IP, reason: '' }, opts });

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
    ['--rotate-token replaces a strong one', `${TOKEN_KEY}=${TOKEN}\n`, { rotateToken: true }, 'rotated token (--rotate-token)'],
  ])('%s', (_n, text, opts, note) => {
    const p = planEnv(obs(text), inputs(linuxFacts(), { opts, decision: { mode: 'tunnel', bind: '127.0.0.1', reason: '' } }));
    expect(p.describe).toContain(note);
    expect(readDotenvValue(p.actions!.after, TOKEN_KEY)).toBe('G'.repeat(43));
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
