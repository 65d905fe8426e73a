/** §5.1, §5.2, §18.5: the simulator reads `.env` bytes exactly as python-dotenv does (checked against the real library). */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sim, createSim, removeSim, startHermes } from './helpers/harness.js';
import { request } from './helpers/http-client.js';
import { loadWithPythonDotenv, requireSimModule } from './helpers/python-oracles.js';

interface DotenvModule {
  decodeEnvBytes(buf: Buffer): string;
  parseDotenv(text: string, env: Record<string, string>): Record<string, string | null>;
}
const dotenv = requireSimModule<DotenvModule>('dotenv');
const ENV = { PATH: '/usr/bin:/bin', HOME: '/home/oracle', A_SET: 'from-env', EMPTY_SET: '' };
const simRead = (b: Buffer): Record<string, string | null> => dotenv.parseDotenv(dotenv.decodeEnvBytes(b), ENV);

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const CASES: [string, Buffer][] = [
  ['BOM before the first key', Buffer.concat([BOM, Buffer.from('HERMES_DASHBOARD_SESSION_TOKEN=tok\nB=2\n')])],
  ['BOM before a comment line', Buffer.concat([BOM, Buffer.from('# pinned\nHERMES_DASHBOARD_SESSION_TOKEN=tok\n')])],
  ['CRLF line endings', Buffer.from('A=1\r\nB="two"\r\n# c\r\nC=3 # c\r\n')],
  ['lone CR line endings', Buffer.from('A=1\rB=2\r')],
  ['latin-1 retry on invalid UTF-8', Buffer.from([...Buffer.from('A=caf'), 0xe9, ...Buffer.from('\nB=ok\n')])],
  ['BOM bytes read as latin-1 when the file is not UTF-8', Buffer.from([...BOM, ...Buffer.from('A=x'), 0xff, 0x0a])],
  ['single quotes still interpolate', Buffer.from("A='x${HOME}y'\nB='it\\'s'\n")],
  ['double-quote escapes', Buffer.from('A="l1\\nl2\\t\\\\\\"q\\x41"\n')],
  ['export prefix and a key named export', Buffer.from('  export  K=v\nexport=1\n')],
  ['inline comments', Buffer.from('A=a b  # c\nB=tok#nc\nC="q" # c\nD= x \n')],
  ['key without value, empty value', Buffer.from('A\nB=\nC=""\n')],
  ['multi-line double-quoted value', Buffer.from('C="multi\nline"\nD=after\n')],
  [
    'defaults and environment lookups',
    Buffer.from('A=${UNSET_X:-def}\nB=${EMPTY_SET:-def}\nC=${A_SET}\nD=${A}-${B}\n'),
  ],
  ['quoted key, spaces around =', Buffer.from("'Q K'=v\nK2 = v2\n=novalue\nK3=v3\n")],
  ['unicode whitespace and separators', Buffer.from('\u00a0A=1\nB=x\u2028y\nC=\u3000z\u3000\n')],
  ['NUL bytes stripped before parsing', Buffer.from('A=1\0\nB\0=2\n')],
  ['last assignment wins', Buffer.from('T=one\nT=two\n')],
  ['unterminated quote is a parse error for that line only', Buffer.from('A="open\nB=2\n')],
  ['control characters as whitespace', Buffer.from('\x1cA=1\x1f\nB=\x0bv\x0b\n')],
];

describe('§5.2 / §18.5 python-dotenv byte semantics (oracle: python3-dotenv)', () => {
  const oracle = loadWithPythonDotenv(
    CASES.map(([, b]) => b),
    ENV,
  );
  CASES.forEach(([name, bytes], i) => {
    it(`§18.5 ${name}`, () => {
      expect(simRead(bytes)).toEqual(oracle[i]);
    });
  });
  it('§18.5 a UTF-8 BOM becomes part of the first key name (\\ufeffHERMES_…)', () => {
    const got = simRead(CASES[0]![1]);
    expect(Object.keys(got)[0]).toBe('\ufeffHERMES_DASHBOARD_SESSION_TOKEN');
    expect('HERMES_DASHBOARD_SESSION_TOKEN' in got).toBe(false);
  });
  it('§5.2 400 random files over a hostile alphabet read the same as python-dotenv', () => {
    const alphabet = [
      'A',
      'B',
      '_',
      '=',
      ' ',
      '\t',
      '\n',
      '\r',
      '#',
      '"',
      "'",
      '\\',
      '$',
      '{',
      '}',
      ':-',
      'export ',
      'é',
      '\u00a0',
      '\ufeff',
      'x',
      '1',
    ];
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const files = Array.from({ length: 400 }, () =>
      Buffer.from(Array.from({ length: 5 + rnd(40) }, () => alphabet[rnd(alphabet.length)]).join('')),
    );
    const expected = loadWithPythonDotenv(files, ENV);
    const mismatches = files
      .map((f, i) => ({ f: JSON.stringify(f.toString()), sim: simRead(f), py: expected[i] }))
      .filter((m) => JSON.stringify(m.sim) !== JSON.stringify(m.py));
    expect(mismatches.slice(0, 3)).toEqual([]);
  });
});

describe('§18.5 what Hermes serves for such files (running simulator)', () => {
  let s: Sim;
  beforeAll(async () => {
    s = await createSim({ generation: 'G2' });
  });
  afterAll(() => removeSim(s));
  async function servedToken(bytes: Buffer): Promise<string> {
    fs.mkdirSync(path.join(s.home, '.hermes'), { recursive: true });
    fs.writeFileSync(path.join(s.home, '.hermes', '.env'), bytes);
    const run = await startHermes(s, ['dashboard', '--port', '0']);
    try {
      const m = /window\.__HERMES_SESSION_TOKEN__ = "([^"]*)"/.exec((await request(run.port, '/')).body);
      return m?.[1] ?? '';
    } finally {
      await run.stop();
    }
  }
  it('§18.5 a token on the first line behind a BOM is not pinned: Hermes serves a random token', async () => {
    const token = await servedToken(
      Buffer.concat([BOM, Buffer.from('HERMES_DASHBOARD_SESSION_TOKEN=pinned-behind-bom\n')]),
    );
    expect(token).not.toBe('pinned-behind-bom');
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
  it('§18.5 the same token on a later line behind a BOM is pinned; CRLF is fine', async () => {
    expect(
      await servedToken(Buffer.concat([BOM, Buffer.from('# c\r\nHERMES_DASHBOARD_SESSION_TOKEN=pinned-crlf\r\n')])),
    ).toBe('pinned-crlf');
  });
  it('§5.1 a file that is not valid UTF-8 is read as latin-1 (the token is still pinned)', async () => {
    expect(
      await servedToken(
        Buffer.from([...Buffer.from('NOTE=caf'), 0xe9, ...Buffer.from('\nHERMES_DASHBOARD_SESSION_TOKEN=latin1-ok\n')]),
      ),
    ).toBe('latin1-ok');
  });
});
