// Line edits of ~/.hermes/.env for the env step: set or drop one key, a BOM that hides one of our keys, and the
// values a diff of the file must never show.
import { keyBehindBom } from '../facts/env-text.js';
import { parseDotenv, readDotenvValue, removeDotenvKey, upsertDotenv } from '../render/env-file.js';
import { BASIC_HASH_KEY, BASIC_PLAIN_KEY, BASIC_SECRET_KEY, BASIC_USER_KEY, TOKEN_KEY } from '../secrets.js';

export function setKey(text: string, key: string, value: string): string {
  const e = upsertDotenv(text, key, value);
  return e.changed ? e.text : text;
}

export function dropKey(text: string, key: string): string {
  const e = removeDotenvKey(text, key);
  return e.changed ? e.text : text;
}

export function upsertAll(text: string, pairs: Array<[string, string]>): string {
  return pairs.reduce((t, [k, v]) => setKey(t, k, v), text);
}

const OUR_KEYS = [TOKEN_KEY, BASIC_USER_KEY, BASIC_HASH_KEY, BASIC_SECRET_KEY] as const;

/** The keys and values python-dotenv reads after the first binding. */
function restOf(text: string): string {
  return JSON.stringify(
    parseDotenv(text)
      .slice(1)
      .filter((b) => b.key !== null)
      .map((b) => [b.key, b.value]),
  );
}

/**
 * A UTF-8 BOM is part of the first key's name for python-dotenv (docs/hermes-contract.md#c5). Before one of our keys
 * it hides the pin: drop it, when that changes nothing else python-dotenv reads. Before anyone else's key it stays
 * (their key's name is theirs); ours are then pinned on lines of their own.
 */
export function fixBom(text: string, notes: string[], warnings: string[]): string {
  if (!text.startsWith('\uFEFF')) return text;
  const key = keyBehindBom(text, OUR_KEYS);
  if (key && restOf(text) === restOf(text.slice(1))) {
    notes.push(
      `dropped the UTF-8 BOM before ${key} on line 1 (python-dotenv read the key as \\ufeff${key}, so Hermes did not see it)`,
    );
    return text.slice(1);
  }
  const first = parseDotenv(text)[0];
  if (first?.key && first.value !== null) {
    warnings.push(
      `~/.hermes/.env starts with a UTF-8 BOM: python-dotenv reads its first key as "\\ufeff${first.key.slice(1)}" (left as it is; hermes-setup pins its own keys on lines of their own)`,
    );
  }
  return text;
}

/** Values of our keys hidden behind a BOM: secrets too, though no reader saw them (redacted from diffs). */
export function hiddenValues(text: string): string[] {
  const key = keyBehindBom(text, OUR_KEYS);
  const v = key ? parseDotenv(text.slice(1))[0]?.value : undefined;
  return v ? [v] : [];
}

/** A plaintext basic-auth password and secret found in .env: never shown in a diff. */
export function plainValues(text: string): string[] {
  return [BASIC_PLAIN_KEY, BASIC_SECRET_KEY].map((k) => readDotenvValue(text, k) ?? '').filter((v) => v.length >= 4);
}
