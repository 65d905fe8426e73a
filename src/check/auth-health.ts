// Password mode's traps on the host, for `check` and `doctor` (docs/hermes-contract.md#c6): `basic` in
// plugins.disabled, a plaintext password that overrides the pinned hash, a secret under 16 bytes, and a config-side
// plaintext password. Pure: facts in, issues out (a file that cannot be read yields no issue here).
import { readEnvText } from '../facts/env-text.js';
import type { Facts } from '../facts/parse-facts.js';
import { readConfigAuth } from '../hermes/config-yaml.js';
import { readDotenvValue } from '../render/env-file.js';
import { BASIC_PLAIN_KEY, BASIC_SECRET_KEY, secretTooShort } from '../secrets.js';

export interface AuthIssue {
  id: 'basic-disabled' | 'plaintext-password' | 'short-secret' | 'config-password';
  /** What is on the host. */
  detail: string;
  /** What Hermes does because of it. */
  cause: string;
}

function envText(f: Facts): string {
  try {
    return readEnvText(f.env).text;
  } catch {
    return '';
  }
}

export function authIssues(f: Facts): AuthIssue[] {
  const out: AuthIssue[] = [];
  const config = readConfigAuth(f.configYaml.content?.toString('utf8') ?? '');
  if (config.ok && config.auth.basicDisabled) {
    out.push({
      id: 'basic-disabled',
      detail: 'basic is listed in plugins.disabled in ~/.hermes/config.yaml',
      cause:
        'Hermes then ignores the basic-auth login ("no auth providers are registered") and exits 1 on the tailnet bind: a crash loop under Restart=always',
    });
  }
  const env = envText(f);
  if ((readDotenvValue(env, BASIC_PLAIN_KEY) ?? '').trim() !== '') {
    out.push({
      id: 'plaintext-password',
      detail: `~/.hermes/.env has a plaintext ${BASIC_PLAIN_KEY} line`,
      cause:
        'a non-empty plaintext password overrides the hash hermes-setup pins, so the sign-in with the stored password gets 401',
    });
  }
  const secret = readDotenvValue(env, BASIC_SECRET_KEY);
  const short = secret ? secretTooShort(secret) : undefined;
  if (short) {
    out.push({
      id: 'short-secret',
      detail: `${BASIC_SECRET_KEY} in ~/.hermes/.env is too short (${short})`,
      cause:
        'the basic-auth provider needs a secret of at least 16 bytes; with a shorter one it is not registered and the dashboard exits 1',
    });
  }
  if (config.ok && config.auth.plainPassword) {
    out.push({
      id: 'config-password',
      detail: '~/.hermes/config.yaml sets a plaintext dashboard.basic_auth.password',
      cause:
        'a plaintext password may take the place of the hash hermes-setup pins, so the sign-in with the stored password gets 401',
    });
  }
  return out;
}
