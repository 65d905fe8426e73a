// The command line the service runs (docs/hermes-contract.md#c2, #c3, #c14). Pure.
import type { AccessMode } from '../constants.js';
import type { HermesCapabilities } from './version.js';

export interface ArgvInputs {
  hermesPath: string;
  mode: AccessMode;
  bind: string;
  port: number;
  caps: HermesCapabilities;
  /** The host has no npm: serve the existing web_dist. */
  skipBuild: boolean;
}

export function buildDashboardArgv(i: ArgvInputs): string[] {
  const argv = [i.hermesPath, 'dashboard', '--host', i.bind, '--port', String(i.port), '--no-open'];
  if (i.mode === 'token' && i.caps.insecureDisablesGate) argv.push('--insecure');
  if (i.caps.isolated) argv.push('--isolated');
  if (i.skipBuild && i.caps.skipBuild) argv.push('--skip-build');
  // Builds of 06-02/06-03 need --tui for chat; builds right after reject it; later ones hide it: pass it exactly
  // when `dashboard --help` lists it (docs/hermes-contract.md#c3).
  if (i.caps.tuiListed) argv.push('--tui');
  return argv;
}
