// The inventory model shared by the TOML and Ansible INI readers: hosts with per-host overrides, and groups.
import { usageError, type HermesSetupError } from '../errors.js';

export interface HostOverrides {
  user?: string;
  port?: number;
  identity?: string;
  mode?: 'auto' | 'token' | 'password' | 'tunnel';
  bind?: string;
  daemon?: boolean;
}

export interface InventoryHost extends HostOverrides {
  /** The name used in output, --limit and the recap. */
  name: string;
  /** What to connect to (default: the name, which may be an ~/.ssh/config alias). */
  address: string;
}

export interface Inventory {
  hosts: InventoryHost[];
  /** Group name → host names (children already expanded). */
  groups: Map<string, string[]>;
}

export const MODES = ['auto', 'token', 'password', 'tunnel'] as const;

/** `file:line:col: message` with exit code 2. */
export function inventoryError(
  file: string,
  line: number,
  column: number,
  message: string,
  hint: string,
): HermesSetupError {
  return usageError('E_INVENTORY', `${file}:${line}:${column}: ${message}`, hint);
}

/** Expands group children (cycles are an error), returning group → hosts in inventory order. */
export function expandGroups(
  direct: Map<string, string[]>,
  children: Map<string, string[]>,
  onCycle: (group: string) => never,
): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const visit = (g: string, path: string[]): string[] => {
    if (path.includes(g)) onCycle(g);
    const hit = out.get(g);
    if (hit) return hit;
    const members = [...(direct.get(g) ?? [])];
    for (const child of children.get(g) ?? [])
      for (const h of visit(child, [...path, g])) if (!members.includes(h)) members.push(h);
    out.set(g, members);
    return members;
  };
  for (const g of new Set([...direct.keys(), ...children.keys()])) visit(g, []);
  return out;
}
