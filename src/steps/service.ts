// Step: the dashboard service, through the adapter of this host's init system (src/service/).
import { serviceManagerFor } from '../service/service-manager.js';
import type { ServiceManager } from '../service/service-types.js';
import type { ChangeStep, Plan } from './step.js';

type Inner = ChangeStep<unknown, unknown>;
interface Observed {
  step: Inner;
  observed: unknown;
}
interface Actions {
  step: Inner;
  actions: unknown;
}

const stepOf = (m: ServiceManager): Inner => m.step as Inner;

export const serviceStep: ChangeStep<Observed, Actions> = {
  kind: 'change',
  id: 'service',
  title: 'Install the service',
  async read(io, i) {
    const step = stepOf(await serviceManagerFor(i.facts));
    return { step, observed: await step.read(io, i) };
  },
  plan({ step, observed }, i): Plan<Actions> {
    const { actions, ...p } = step.plan(observed, i);
    return { ...p, ...(actions !== undefined ? { actions: { step, actions } } : {}) };
  },
  apply: (io, a, i) => a.step.apply(io, a.actions, i),
  verify: async (io, a, i) => a.step.verify?.(io, a.actions, i),
};
