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
  const stdout = execFileSync('/usr/bin/python3', ['-c', SCRIPT], { input: JSON.stringify(texts), maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(stdout.toString('utf8')) as Array<Record<string, string | null>>;
}
