/** Generations G0–G3 (§1.2): the coarse behaviour classes; `builds.cts` refines them by date. */
export type Generation = 'G0' | 'G1' | 'G2' | 'G3';

export function isGeneration(value: unknown): value is Generation {
  return value === 'G0' || value === 'G1' || value === 'G2' || value === 'G3';
}

export function rankGeneration(gen: Generation): number {
  return Number(gen.slice(1));
}

/** §1.1 7726ce304 (2026-06-21, G2+): --insecure is a no-op, public binds need a provider. */
export function hasFailClosedBind(gen: Generation): boolean {
  return rankGeneration(gen) >= 2;
}

/** §1.2 G3 (<=0.21.x): headless serve, host singleton, public_url gate, ssh flags, update restarts dashboards. */
export function isServeEra(gen: Generation): boolean {
  return gen === 'G3';
}

/** §1.1 3380563d9 (2026-06-13; the G1 builds are dated before it, so G2+): gated /api/status omits paths. */
export function omitsGatedStatusFields(gen: Generation): boolean {
  return rankGeneration(gen) >= 2;
}
