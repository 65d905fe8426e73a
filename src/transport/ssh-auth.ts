// Which credentials to offer: ssh-agent first (as OpenSSH does), then identity files
// (--identity, else IdentityFile from ~/.ssh/config, else the default key names).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { AnyAuthMethod } from 'ssh2';
import { usageError } from '../errors.js';

export interface AuthInputs {
  user: string;
  home: string;
  /** --identity: must exist and be readable. */
  explicit?: string[];
  /** IdentityFile from ~/.ssh/config: skipped silently when missing, like OpenSSH. */
  fromConfig: string[];
  agentSocket?: string;
}

export interface AuthPlan {
  methods: AnyAuthMethod[];
  /** Human notes on keys that could not be offered (e.g. passphrase-locked). */
  notes: string[];
}

const DEFAULT_KEYS = ['id_ed25519', 'id_ecdsa', 'id_rsa'];

async function readKey(path: string, required: boolean): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (err) {
    if (!required) return undefined;
    const code = (err as NodeJS.ErrnoException).code;
    throw usageError(
      'E_IDENTITY_UNREADABLE',
      `cannot read identity file ${path} (${code})`,
      code === 'EACCES' ? `fix its permissions (chmod 600 ${path})` : 'check the path given to --identity',
    );
  }
}

export async function planAuth(input: AuthInputs): Promise<AuthPlan> {
  const methods: AnyAuthMethod[] = [];
  const notes: string[] = [];
  if (input.agentSocket) methods.push({ type: 'agent', username: input.user, agent: input.agentSocket });
  const explicit = input.explicit ?? [];
  const paths = explicit.length
    ? explicit
    : input.fromConfig.length
      ? input.fromConfig
      : DEFAULT_KEYS.map((k) => join(input.home, '.ssh', k));
  for (const path of paths) {
    const data = await readKey(path, explicit.length > 0);
    if (!data) continue;
    const parsed = ssh2.utils.parseKey(data);
    if (parsed instanceof Error) {
      notes.push(
        /passphrase|encrypted/i.test(parsed.message)
          ? `${path} is passphrase-protected (add it to ssh-agent: ssh-add ${path})`
          : `${path} is not a usable private key (${parsed.message})`,
      );
      continue;
    }
    methods.push({ type: 'publickey', username: input.user, key: data });
  }
  return { methods, notes };
}
