/**
 * `~/.hermes/config.yaml` as far as the simulator reads it: `plugins.disabled` (§18.1 registration),
 * `dashboard.basic_auth` (§18.1) and `dashboard.public_url` (§3). Read with `yaml-lite.cts` (README "YAML subset").
 */
import fs from 'node:fs';
import path from 'node:path';
import { type YamlValue, YamlUnsupported, parseYaml, resolvePlain } from './yaml-lite.cjs';

export type ConfigMap = { [k: string]: YamlValue };

export class ConfigUnreadable extends Error {}

export function getConfigPath(hermesHome: string): string {
  return path.join(hermesHome, 'config.yaml');
}

/** The parsed mapping; `{}` when the file is missing or empty. Throws ConfigUnreadable outside the subset. */
export function readConfig(hermesHome: string): ConfigMap {
  const file = getConfigPath(hermesHome);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  let value: YamlValue;
  try {
    value = parseYaml(text);
  } catch (err) {
    if (err instanceof YamlUnsupported)
      throw new ConfigUnreadable(
        `hermes-sim: ${file}: ${err.message} (outside the simulator's YAML subset, see test/simulator/README.md)`,
      );
    throw err;
  }
  return isMap(value) ? value : {};
}

export function isMap(v: YamlValue | undefined): v is ConfigMap {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `cfg_get(cfg, "a", "b")`: nested lookup, undefined when any level is missing or not a mapping. */
export function getIn(cfg: ConfigMap, ...keys: string[]): YamlValue | undefined {
  let cur: YamlValue | undefined = cfg;
  for (const k of keys) {
    if (!isMap(cur)) return undefined;
    cur = cur[k];
  }
  return cur;
}

/** Names listed in `plugins.disabled` (a list; anything else counts as empty). */
export function readDisabledPlugins(cfg: ConfigMap): string[] {
  const v = getIn(cfg, 'plugins', 'disabled');
  return Array.isArray(v) ? v.filter((x) => x !== null).map(String) : [];
}

const PLAIN_SAFE = /^[A-Za-z0-9_./@][A-Za-z0-9_./@:+ -]*$/;

function dumpScalar(v: string | number | boolean | null): string {
  if (v === null) return 'null';
  if (typeof v === 'boolean' || typeof v === 'number') return String(v);
  const s = v;
  if (PLAIN_SAFE.test(s) && !/: |:$| #|\s$/.test(s) && typeof resolvePlain(s) === 'string') return s;
  if (/[\n\r\t\x00-\x1f]/.test(s)) return JSON.stringify(s);
  return `'${s.replace(/'/g, "''")}'`;
}

function dumpNode(v: YamlValue, indent: string): string[] {
  if (Array.isArray(v)) {
    if (v.length === 0) return ['[]'];
    return v.flatMap((item) => {
      const nested = (Array.isArray(item) && item.length > 0) || (isMap(item) && Object.keys(item).length > 0);
      if (!nested) return [`${indent}- ${dumpNode(item, indent).join(' ')}`];
      const inner = dumpNode(item, `${indent}  `);
      return [`${indent}- ${(inner[0] ?? '').slice(indent.length + 2)}`, ...inner.slice(1)];
    });
  }
  if (isMap(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) return ['{}'];
    return keys.flatMap((k) => {
      const child = v[k] ?? null;
      const nested = (Array.isArray(child) && child.length > 0) || (isMap(child) && Object.keys(child).length > 0);
      if (!nested) return [`${indent}${dumpScalar(k)}: ${dumpNode(child, indent).join(' ')}`];
      return [`${indent}${dumpScalar(k)}:`, ...dumpNode(child, Array.isArray(child) ? indent : `${indent}  `)];
    });
  }
  return [dumpScalar(v)];
}

/**
 * Block-style dump like PyYAML `safe_dump(sort_keys=False)` (indentless sequences, comments lost). Upstream's own
 * writer was not checked: this is what the simulated `hermes plugins enable` writes (README assumption).
 */
export function dumpYaml(cfg: ConfigMap): string {
  return dumpNode(cfg, '').join('\n') + '\n';
}

export function writeConfig(hermesHome: string, cfg: ConfigMap): void {
  const file = getConfigPath(hermesHome);
  fs.mkdirSync(hermesHome, { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, dumpYaml(cfg), { mode: 0o600 });
  fs.renameSync(tmp, file);
}
