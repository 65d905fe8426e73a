// Password mode's traps (docs/hermes-contract.md#c6), planned without a host: config.yaml's plugins.disabled and
// dashboard.basic_auth (edited node by node, checked against PyYAML), a plaintext password line in .env, a secret
// shorter than 16 bytes under either reading of upstream's decoder.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { foldInputs } from '../../src/converge/inputs.js';
import { enableBasicAuth, readConfigAuth } from '../../src/hermes/config-yaml.js';
import { readDotenvValue } from '../../src/render/env-file.js';
import {
  BASIC_HASH_KEY,
  BASIC_PLAIN_KEY,
  BASIC_SECRET_KEY,
  BASIC_USER_KEY,
  TOKEN_KEY,
  decodePyBase64,
  decodePyHex,
  hashPassword,
  secretTooShort,
} from '../../src/secrets.js';
import { planConfig } from '../../src/steps/config.js';
import { planEnv, type EnvObserved } from '../../src/steps/env.js';
import { file, inputs, linuxFacts, TAILNET_IP, TOKEN } from '../support/fixtures.js';

const password = () => inputs(linuxFacts(), { decision: { mode: 'password', bind: TAILNET_IP, reason: '' } });
const token = () => inputs(linuxFacts(), { decision: { mode: 'token', bind: TAILNET_IP, reason: '' } });

/** PyYAML's safe_load, as Hermes loads config.yaml. */
function pyyaml(texts: string[]): unknown[] {
  const out = execFileSync(
    '/usr/bin/python3',
    ['-c', 'import json,sys,yaml\nprint(json.dumps([yaml.safe_load(t) for t in json.load(sys.stdin)], default=str))'],
    { input: JSON.stringify(texts) },
  );
  return JSON.parse(out.toString()) as unknown[];
}

/** [name, config.yaml, the edited file]: every byte outside the removed nodes stays. */
const CONFIGS: Array<[string, string, string]> = [
  [
    'block list, comments kept',
    '# my config\nmodel:\n  default: gpt  # mine\nplugins:\n  disabled:\n    - nous\n    - basic   # written by hermes setup 0.17\n  enabled: []\n',
    '# my config\nmodel:\n  default: gpt  # mine\nplugins:\n  disabled:\n    - nous\n  enabled: []\n',
  ],
  [
    'indentless list, only basic',
    'plugins:\n  disabled:\n  - basic\ndisplay:\n  skin: mono\n',
    'plugins:\n  disabled: []\ndisplay:\n  skin: mono\n',
  ],
  ['flow list first', 'plugins:\n  disabled: [basic, nous]\n', 'plugins:\n  disabled: [nous]\n'],
  ['flow list last', 'plugins:\n  disabled: [nous, basic]\n', 'plugins:\n  disabled: [nous]\n'],
  ['flow mapping', 'plugins: {disabled: [basic]}\n', 'plugins: {disabled: []}\n'],
  [
    'quoted item, CRLF',
    'plugins:\r\n  disabled:\r\n    - "basic"\r\n    - nous\r\n',
    'plugins:\r\n  disabled:\r\n    - nous\r\n',
  ],
  [
    'a config-side plaintext password next to a username',
    'dashboard:\n  basic_auth:\n    username: ann\n    password: hunter2\n    secret: x\n',
    'dashboard:\n  basic_auth:\n    username: ann\n    secret: x\n',
  ],
  [
    'both',
    'plugins:\n  disabled:\n    - basic\ndashboard:\n  basic_auth:\n    password: hunter2\n',
    'plugins:\n  disabled: []\ndashboard:\n  basic_auth: {}\n',
  ],
];

describe('enableBasicAuth: only those nodes change; PyYAML reads the old data minus basic and the plaintext password', () => {
  it.each(CONFIGS)('%s', (_n, text, edited) => {
    const r = enableBasicAuth(text);
    if ('reason' in r) throw new Error(r.reason);
    expect(r.after).toBe(edited);
    const [before, after] = pyyaml([text, r.after]) as Array<Record<string, Record<string, unknown>>>;
    const want = structuredClone(before!);
    if (Array.isArray(want['plugins']?.['disabled']))
      want['plugins']['disabled'] = (want['plugins']['disabled'] as string[]).filter((x) => x !== 'basic');
    const auth = want['dashboard']?.['basic_auth'] as Record<string, unknown> | undefined;
    if (auth) delete auth['password'];
    expect(after).toEqual(want);
    expect(readConfigAuth(r.after)).toMatchObject({ ok: true, auth: { basicDisabled: false, plainPassword: false } });
  });

  it.each<[string, string, RegExp]>([
    ['an alias', 'a: &x [basic]\nplugins:\n  disabled: *x\n', /not a plain list/],
    ['not YAML', 'plugins: [basic\n', /does not parse as YAML/],
  ])('refuses %s', (_n, text, why) => {
    expect(enableBasicAuth(text)).toMatchObject({ reason: expect.stringMatching(why) });
  });
});

describe('planConfig (password mode)', () => {
  it('basic in plugins.disabled: edit, back up, restart; the diff is planned', () => {
    const text = CONFIGS[0]![1];
    const p = planConfig({ file: file(text, 0o644) }, password());
    expect(p.actions).toMatchObject({ before: text, mode: 0o644, removed: ['basic from plugins.disabled'] });
    expect(p.describe).toBe(
      'remove basic from plugins.disabled in ~/.hermes/config.yaml (backup ~/.hermes/config.yaml.hermes-setup.bak)',
    );
    expect(p.implies?.changed).toEqual({ config: true });
    expect(p.implies?.files?.[0]).toMatchObject({ path: '~/.hermes/config.yaml', before: text });
  });

  it.each<[string, Parameters<typeof planConfig>[0], string]>([
    ['no config.yaml', { file: file(undefined) }, 'no ~/.hermes/config.yaml: nothing disables the basic-auth provider'],
    [
      'a config that does not disable basic',
      { file: file('plugins:\n  disabled: [nous]\n') },
      'the basic-auth provider is enabled',
    ],
  ])('%s: nothing to do', (_n, o, detail) => {
    const p = planConfig(o, password());
    expect(p.actions).toBeUndefined();
    expect(p.okDetail).toBe(detail);
  });

  it('token mode never touches config.yaml', () => {
    expect(planConfig({ file: file(CONFIGS[0]![1]) }, token()).actions).toBeUndefined();
  });

  it.each<[string, Parameters<typeof planConfig>[0]]>([
    [
      'a symlinked config',
      {
        file: {
          type: 'symlink',
          target: '/dotfiles/hermes.yaml',
          content: Buffer.from('plugins:\n  disabled: [basic]\n'),
        },
      },
    ],
    ['an alias', { file: file('a: &x [basic]\nplugins:\n  disabled: *x\n') }],
  ])('%s is refused with the exact fix, before anything is written', (_n, o) => {
    expect(() => planConfig(o, password())).toThrow(
      expect.objectContaining({
        code: 'E_CONFIG_YAML',
        exitCode: 2,
        hint: expect.stringContaining('remove `basic` from plugins.disabled'),
      }),
    );
  });

  it('config-side basic_auth keys are shadowed by the .env pins: said in one line; the plaintext password is removed and redacted', () => {
    const p = planConfig({ file: file(CONFIGS[6]![1]) }, password());
    expect(p.implies?.warnings).toEqual([
      expect.stringMatching(
        /sets dashboard\.basic_auth username, secret: the values hermes-setup pins in ~\/\.hermes\/\.env win key by key/,
      ),
    ]);
    expect(p.actions?.removed).toEqual(['the plaintext dashboard.basic_auth.password']);
    expect(p.implies?.redact).toContain('hunter2');
  });
});

const obs = (text: string): EnvObserved => ({ text, exists: true, fileMode: 0o600, dirMode: 0o700, dirExists: true });
const pinned = (extra: string) =>
  `${TOKEN_KEY}=${TOKEN}\n${BASIC_USER_KEY}=hermes\n${BASIC_HASH_KEY}=${hashPassword('pw', Buffer.alloc(16, 1))}\n${extra}`;

describe('planEnv (password mode): a plaintext password line and a short secret', () => {
  it('a plaintext password line is removed (it overrides the hash: 401), said in one line, its value redacted', () => {
    const p = planEnv(
      obs(pinned(`${BASIC_SECRET_KEY}=${'S'.repeat(43)}\n${BASIC_PLAIN_KEY}=hunter2-plain\n`)),
      password(),
    );
    expect(readDotenvValue(p.actions!.after, BASIC_PLAIN_KEY)).toBeUndefined();
    expect(p.describe).toContain(
      `removed a plaintext ${BASIC_PLAIN_KEY} line (it overrides the hash: login would get 401)`,
    );
    expect(p.implies?.redact).toContain('hunter2-plain');
    expect(p.implies?.changed?.env).toBe(true);
  });

  it('an empty plaintext line does not override anything and is left alone', () => {
    const text = pinned(`${BASIC_SECRET_KEY}=${'S'.repeat(43)}\n${BASIC_PLAIN_KEY}=\n`);
    expect(planEnv(obs(text), password()).actions).toBeUndefined();
  });

  it('token mode leaves basic-auth lines alone', () => {
    const text = `${TOKEN_KEY}=${TOKEN}\n${BASIC_PLAIN_KEY}=x\n`;
    expect(planEnv(obs(text), foldInputs(token(), {})).actions).toBeUndefined();
  });

  it.each<[string, string, boolean]>([
    ['8 raw bytes', 'short-ok', true],
    ['20 base64 characters decode to 15 bytes', 'AAAAAAAAAAAAAAAAAAAA', true],
    ['16 letters decode as base64 to 12 bytes (the stricter reading)', 'abcdefghijklmnop', true],
    ['30 hex digits = 15 bytes', 'ab'.repeat(15), true],
    ['32 hex digits = 16 bytes', 'ab'.repeat(16), false],
    ['24 base64 characters = 18 bytes', 'QUJDREVGR0hJSktMTU5PUFFS', false],
    ["a 43-character url-safe secret (hermes-setup's own)", 'S'.repeat(43), false],
    ['a long passphrase with spaces', 'correct horse battery staple', false],
  ])('%s → replaced: %s', (_n, secret, replaced) => {
    expect(secretTooShort(secret) !== undefined).toBe(replaced);
    const p = planEnv(obs(pinned(`${BASIC_SECRET_KEY}=${secret}\n`)), password());
    expect(readDotenvValue(p.actions?.after ?? pinned(`${BASIC_SECRET_KEY}=${secret}\n`), BASIC_SECRET_KEY)).toBe(
      replaced ? 'S'.repeat(43) : secret,
    );
    if (replaced)
      expect(p.describe).toMatch(
        /replaced a basic-auth secret too short for Hermes \(\d+ bytes? as (base64|hex|raw), fewer than 16\)/,
      );
  });

  it('the Python decoders match Python (base64.b64decode without validation, bytes.fromhex)', () => {
    const samples = ['QUJD', 'QUJ', 'QU==', 'Q===', 'QU=x=', 'Q-U_J.D', 'abcdefghijklmnop', 'ab cd', 'abc', 'zz', ''];
    const py = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          `import base64,binascii,json,sys
def b(s):
    try: return base64.b64decode(s).hex()
    except (binascii.Error, ValueError): return None
def h(s):
    try: return bytes.fromhex(s).hex()
    except ValueError: return None
print(json.dumps([[b(s), h(s)] for s in json.load(sys.stdin)]))`,
        ],
        { input: JSON.stringify(samples) },
      ).toString(),
    ) as Array<[string | null, string | null]>;
    expect(
      samples.map((s) => [decodePyBase64(s)?.toString('hex') ?? null, decodePyHex(s)?.toString('hex') ?? null]),
    ).toEqual(py);
  });
});
