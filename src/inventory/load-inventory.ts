// Reads --inventory FILE: TOML (.toml, or content that parses as TOML) or an Ansible INI inventory.
import { readFile } from 'node:fs/promises';
import { usageError } from '../errors.js';
import type { Inventory } from './inventory.js';

/** TOML when the file name ends in .toml, or when it has a [hosts…]/[defaults]/[groups…] table; else Ansible INI. */
export function looksLikeToml(file: string, text: string): boolean {
  if (/\.toml$/i.test(file)) return true;
  if (/\.(ini|cfg|hosts)$/i.test(file) || /(^|\/)hosts$/.test(file)) return false;
  return /^\s*\[(hosts|defaults|groups)(\.|\])/m.test(text);
}

export async function parseInventoryText(text: string, file: string): Promise<Inventory> {
  if (looksLikeToml(file, text)) return (await import('./toml-inventory.js')).parseTomlInventory(text, file);
  return (await import('./ini-inventory.js')).parseIniInventory(text, file);
}

export async function loadInventory(file: string): Promise<Inventory> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw usageError(
      'E_INVENTORY',
      `cannot read inventory ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      'check the path given to --inventory',
    );
  }
  return parseInventoryText(text, file);
}
