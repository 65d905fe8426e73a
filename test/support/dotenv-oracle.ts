// Real python-dotenv (Debian's python3-dotenv) as an oracle: loads each text from a real file,
// exactly as Hermes does (a path, universal newlines, UTF-8), with interpolation off.
import { execFileSync } from 'node:child_process';

const SCRIPT = `
import json, logging, os, sys, tempfile
logging.disable(logging.CRITICAL)
from dotenv import dotenv_values
texts = json.load(sys.stdin)
out = []
with tempfile.TemporaryDirectory() as d:
    p = os.path.join(d, '.env')
    for t in texts:
        with open(p, 'w', encoding='utf-8', newline='') as f:
            f.write(t)
        out.append(dotenv_values(p, interpolate=False, encoding='utf-8'))
json.dump(out, sys.stdout)
`;

export function hasDotenvOracle(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import dotenv'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function loadWithPythonDotenv(texts: string[]): Array<Record<string, string | null>> {
  const stdout = execFileSync('/usr/bin/python3', ['-c', SCRIPT], {
    input: JSON.stringify(texts),
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout.toString('utf8')) as Array<Record<string, string | null>>;
}

const BYTES_SCRIPT = `
import base64, json, logging, os, sys, tempfile
logging.disable(logging.CRITICAL)
from dotenv import dotenv_values
out = []
with tempfile.TemporaryDirectory() as d:
    p = os.path.join(d, '.env')
    for b in json.load(sys.stdin):
        with open(p, 'wb') as f:
            f.write(base64.b64decode(b))
        try:
            out.append(dotenv_values(p, interpolate=False, encoding='utf-8'))
        except UnicodeDecodeError:
            out.append(dotenv_values(p, interpolate=False, encoding='latin-1'))
json.dump(out, sys.stdout)
`;

/** The file's bytes loaded as Hermes loads them (docs/hermes-contract.md#c5): UTF-8, retried as latin-1. */
export function loadBytesAsHermes(files: Buffer[]): Array<Record<string, string | null>> {
  const stdout = execFileSync('/usr/bin/python3', ['-c', BYTES_SCRIPT], {
    input: JSON.stringify(files.map((b) => b.toString('base64'))),
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(stdout.toString('utf8')) as Array<Record<string, string | null>>;
}
