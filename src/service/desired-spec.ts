// What the service should run, from the converge inputs: the dashboard's argv and environment. Pure.
import type { ConvergeInputs } from '../converge/inputs.js';
import { buildDashboardArgv } from '../hermes/dashboard-argv.js';
import type { ServiceSpec } from '../render/service-spec.js';

export function dirOf(path: string): string {
  return path.replace(/\/[^/]+$/, '');
}

/** The service spec for this host; each adapter gives the PATH its service manager needs. */
export function desiredSpec(i: ConvergeInputs, path: (hermesDir: string) => string, user?: string): ServiceSpec {
  const f = i.facts;
  const h = f.hermes;
  if (!h || !i.build || !i.decision) throw new Error('internal: the service is planned after hermes, build and mode are known');
  return {
    programArguments: buildDashboardArgv({ hermesPath: h.path, mode: i.decision.mode, bind: i.decision.bind, port: i.opts.port, caps: i.build.caps, skipBuild: !f.npm }),
    hermesHome: `${f.home}/.hermes`, home: f.home, logDir: `${f.home}/.hermes/logs`, mode: i.decision.mode, path: path(dirOf(h.path)), ...(user ? { user } : {}),
  };
}
