/** The YAML subset the simulator reads config.yaml with (README "YAML subset"), checked against PyYAML safe_load. */
import { describe, expect, it } from 'vitest';
import { loadWithPyYaml, requireSimModule } from './helpers/python-oracles.js';

interface YamlModule {
  parseYaml(text: string): unknown;
}
interface ConfigModule {
  dumpYaml(cfg: Record<string, unknown>): string;
}
const yaml = requireSimModule<YamlModule>('yaml-lite');
const config = requireSimModule<ConfigModule>('config-yaml');

const CASES: [string, string][] = [
  [
    'PyYAML dump style (indentless sequences)',
    'plugins:\n  disabled:\n  - basic\n  - foo\ndashboard:\n  public_url: https://box.tail1234.ts.net\n  basic_auth:\n    username: admin\n    password_hash: scrypt$16384$8$1$c2FsdA==$a2V5\n',
  ],
  [
    'indented sequences, comments, blank lines',
    '# Hermes config\nplugins:  # plugin switches\n\n    disabled:\n      - basic   # written by hermes setup 0.17\n      - "nous"\nmodel: {provider: openrouter}  # trailing\n',
  ],
  [
    'flow mapping and sequence',
    "plugins: {disabled: [basic, 'kanban_api'], enabled: []}\ndashboard: {public_url: 'http://127.0.0.1:9119'}\n",
  ],
  ['flow sequence over several lines', 'plugins:\n  disabled: [\n    basic,\n    other\n  ]\nafter: 1\n'],
  [
    'scalars: null, booleans (YAML 1.1), numbers, quotes',
    "a: ~\nb:\nc: yes\nd: Off\ne: 12\nf: -3.5\ng: '0123'\nh: \"x # not a comment\"\ni: 'it''s'\nj: \"tab\\tnew\\nline\"\nk: x#y\n",
  ],
  ['block scalars', 'prompt: |\n  line one\n  line two\n\nfolded: >-\n  a\n  b\nnext: z\n'],
  ['multi-line plain scalar', 'description: this is\n  a long\n  plain text\nother: 1\n'],
  ['sequence of mappings', 'providers:\n- name: a\n  weight: 1\n- name: b\n  tags: [x, y]\n'],
  ['document start marker and quoted keys', '---\n\'plugins\':\n  "disabled": [basic]\n'],
  [
    'disabled as a string, an empty list and null',
    'one:\n  disabled: basic\ntwo:\n  disabled: []\nthree:\n  disabled:\n',
  ],
  ['empty document', '# nothing here\n'],
];

describe('config.yaml subset (oracle: PyYAML safe_load)', () => {
  const oracle = loadWithPyYaml(CASES.map(([, t]) => t));
  CASES.forEach(([name, text], i) => {
    it(`§18.1 config.yaml: ${name}`, () => {
      expect(oracle[i]?.error).toBeUndefined();
      expect(yaml.parseYaml(text)).toEqual(oracle[i]?.ok ?? null);
    });
  });
  it('anchors, aliases and several documents are refused loudly, never misread', () => {
    for (const text of ['a: &x 1\nb: *x\n', '---\na: 1\n---\nb: 2\n', 'a:\n\t- tab\n']) {
      expect(() => yaml.parseYaml(text)).toThrow(/line|documents|tab/);
    }
  });
  it('the dump written by `hermes plugins enable` reads back identically in PyYAML', () => {
    const cfg = {
      plugins: { disabled: ['nous'], enabled: [] },
      dashboard: {
        public_url: 'https://x.ts.net',
        basic_auth: { username: 'admin', password_hash: 'scrypt$16384$8$1$a+/b==$c=' },
      },
      flags: [true, null, 3, 'yes', 'a: b', ' lead'],
    };
    const [back] = loadWithPyYaml([config.dumpYaml(cfg)]);
    expect(back?.ok).toEqual(cfg);
  });
});
