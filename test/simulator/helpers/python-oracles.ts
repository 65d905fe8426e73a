/**
 * Real Python libraries as oracles for the simulator's ports: python-dotenv (Debian python3-dotenv) read the way
 * Hermes loads `.env` (§5.1: UTF-8, latin-1 retry; §5.3: NUL bytes stripped first), and PyYAML `safe_load`.
 */
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSimulatorBuilt } from '../install.js';

const DOTENV_SCRIPT = `
import base64, json, logging, os, sys, tempfile
logging.disable(logging.CRITICAL)
from dotenv import dotenv_values
out = []
with tempfile.TemporaryDirectory() as d:
    p = os.path.join(d, '.env')
    for b64 in json.load(sys.stdin):
        with open(p, 'wb') as f:
            f.write(base64.b64decode(b64).replace(b'\\0', b''))
        try:
            out.append(dotenv_values(p, encoding='utf-8'))
        except UnicodeDecodeError:
            out.append(dotenv_values(p, encoding='latin-1'))
json.dump(out, sys.stdout)
`;

/** `dotenv_values` of each byte string, with interpolation against exactly `env`. */
export function loadWithPythonDotenv(
  files: Buffer[],
  env: Record<string, string>,
): Array<Record<string, string | null>> {
  const stdout = execFileSync('/usr/bin/python3', ['-c', DOTENV_SCRIPT], {
    input: JSON.stringify(files.map((b) => b.toString('base64'))),
    env,
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.toString('utf8')) as Array<Record<string, string | null>>;
}

const YAML_SCRIPT = `
import json, sys, yaml
out = []
for text in json.load(sys.stdin):
    try:
        out.append({'ok': yaml.safe_load(text)})
    except yaml.YAMLError as e:
        out.append({'error': str(e).splitlines()[0]})
json.dump(out, sys.stdout, default=str)
`;

export function loadWithPyYaml(texts: string[]): Array<{ ok?: unknown; error?: string }> {
  const stdout = execFileSync('/usr/bin/python3', ['-c', YAML_SCRIPT], {
    input: JSON.stringify(texts),
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout.toString('utf8')) as Array<{ ok?: unknown; error?: string }>;
}

/** A compiled simulator module (`dist/<name>.cjs`), for checking ports function by function. */
export function requireSimModule<T>(name: string): T {
  ensureSimulatorBuilt();
  const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist', `${name}.cjs`);
  return createRequire(import.meta.url)(dist) as T;
}
