/**
 * `hermes plugins enable|disable|list` — only what §18.1 names: upstream's start-up hint says "remove `basic` from
 * `plugins.disabled` (or `hermes plugins enable basic`)". Output wording and the rewrite style are assumptions (README).
 */
import { UsageError } from './args.cjs';
import { getProductNames } from './builds.cjs';
import { type ConfigMap, isMap, readConfig, readDisabledPlugins, writeConfig } from './config-yaml.cjs';
import type { SimContext } from './context.cjs';

/** Bundled plugin names the simulator knows (upstream `plugins/dashboard_auth/*`). */
const KNOWN = ['basic', 'nous', 'drain', 'google', 'ldap', 'remote_user', 'self_hosted', 'kanban_api'];

function setDisabled(cfg: ConfigMap, names: string[]): ConfigMap {
  const plugins = isMap(cfg['plugins']) ? { ...cfg['plugins'] } : {};
  plugins['disabled'] = names;
  return { ...cfg, plugins };
}

export function runPlugins(ctx: SimContext, argv: string[]): number {
  const cli = getProductNames(ctx.build).cli;
  const usage = `usage: ${cli} plugins [-h] {list,enable,disable} ...`;
  const [action, name] = argv;
  if (action === 'list') {
    const disabled = new Set(readDisabledPlugins(readConfig(ctx.hermesHome)));
    for (const p of KNOWN) process.stdout.write(`  ${p.padEnd(14)} ${disabled.has(p) ? 'disabled' : 'enabled'}\n`);
    return 0;
  }
  if (action !== 'enable' && action !== 'disable') {
    throw new UsageError(
      usage,
      `${cli} plugins`,
      `argument action: invalid choice: '${action ?? ''}' (choose from 'list', 'enable', 'disable')`,
    );
  }
  if (!name) throw new UsageError(usage, `${cli} plugins ${action}`, 'the following arguments are required: name');
  if (!KNOWN.includes(name)) {
    process.stderr.write(`✗ Plugin '${name}' not found\n`);
    return 1;
  }
  const cfg = readConfig(ctx.hermesHome);
  const disabled = readDisabledPlugins(cfg);
  const isDisabled = disabled.includes(name);
  if ((action === 'enable') !== isDisabled) {
    process.stdout.write(`Plugin '${name}' is already ${action}d.\n`);
    return 0;
  }
  const next = action === 'enable' ? disabled.filter((p) => p !== name) : [...disabled, name];
  writeConfig(ctx.hermesHome, setDisabled(cfg, next));
  process.stdout.write(`✓ Plugin '${name}' ${action}d.\n`);
  return 0;
}
