// What the service should run, from the converge inputs: the dashboard's argv and environment. Pure.
import type { ConvergeInputs } from '../converge/inputs.js';
import { buildDashboardArgv } from '../hermes/dashboard-argv.js';
import type { ServiceSpec } from '../render/service-spec.js';

export function dirOf(path: string): string {
  return path.replace(/\/[^/]+$/, '');
}

/**
 * The service's PATH: the adapter's list, deduplicated, with the directories of this host's node/npm (found by the
 * facts script, e.g. nvm, Volta, ~/.hermes/node) in front when the list lacks them, so the dashboard's npm build runs.
 */
export function servicePath(base: string, nodeDirs: readonly string[]): string {
  const parts = base.split(':').filter(Boolean);
  const all = [...nodeDirs.filter((d) => !parts.includes(d)), ...parts];
  return all.filter((d, n) => all.indexOf(d) === n).join(':');
}

/** The service spec for this host; each adapter gives the PATH its service manager needs. */
export function desiredSpec(i: ConvergeInputs, path: (hermesDir: string) => string, user?: string): ServiceSpec {
  const f = i.facts;
  const h = f.hermes;
  if (!h || !i.build || !i.decision)
    throw new Error('internal: the service is planned after hermes, build and mode are known');
  return {
    programArguments: buildDashboardArgv({
      hermesPath: h.path,
      mode: i.decision.mode,
      bind: i.decision.bind,
      port: i.opts.port,
      caps: i.build.caps,
      skipBuild: !f.npm,
    }),
    hermesHome: `${f.home}/.hermes`,
    home: f.home,
    logDir: `${f.home}/.hermes/logs`,
    mode: i.decision.mode,
    path: servicePath(path(dirOf(h.path)), f.node?.dirs ?? []),
    ...(user ? { user } : {}),
  };
}
