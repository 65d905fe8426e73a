// Check: choose the access mode and bind address, and say why in one line (nothing is written).
import { decideAccessMode, type ModeDecision } from '../hermes/access-mode.js';
import type { ConvergeInputs } from '../converge/inputs.js';
import type { Check } from './step.js';

export function decideMode(i: ConvergeInputs): ModeDecision {
  const b = i.build;
  if (!b) throw new Error('internal: the mode is decided after the Hermes build is known');
  const ts = i.facts.tailscale;
  return decideAccessMode({
    requested: i.opts.mode,
    generation: b.generation,
    version: b.version,
    bind: i.opts.bind,
    tailscaleState: ts.installed
      ? ts.daemonRunning
        ? (ts.backendState ?? 'unknown')
        : 'not running'
      : 'not installed',
    ...(ts.backendState === 'Running' && ts.ipv4 ? { tailnetIp: ts.ipv4 } : {}),
    ...(i.opts.repair ? { recorded: true } : {}),
  });
}

export const modeCheck: Check<ModeDecision> = {
  kind: 'check',
  id: 'mode',
  title: 'Choose the access mode',
  run: (_io, i) => decideMode(i),
  implies: (decision) => ({ decision }),
  detail: (d, i) => `${d.mode} on ${d.bind}:${i.opts.port} — ${d.reason}`,
};
