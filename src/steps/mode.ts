// Step: choose the access mode and bind address, and say why in one line (no changes).
import { decideAccessMode, type ModeDecision } from '../hermes/access-mode.js';
import type { Step } from './context.js';

export const modeStep: Step<ModeDecision, never> = {
  id: 'mode',
  title: 'Choose the access mode',
  read(c) {
    const b = c.build!;
    const ts = c.facts.tailscale;
    const d = decideAccessMode({
      requested: c.opts.mode, generation: b.generation, version: b.version, bind: c.opts.bind,
      tailscaleState: ts.installed ? (ts.daemonRunning ? ts.backendState ?? 'unknown' : 'not running') : 'not installed',
      ...(ts.backendState === 'Running' && ts.ipv4 ? { tailnetIp: ts.ipv4 } : {}),
    });
    c.decision = d;
    return d;
  },
  plan: () => undefined,
  describe: () => '',
  apply: async () => undefined,
  okDetail: (d, c) => `${d.mode} on ${d.bind}:${c.opts.port} — ${d.reason}`,
};
