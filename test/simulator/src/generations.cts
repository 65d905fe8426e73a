/** Generation table: which upstream behaviour each simulated install reproduces. */
export type Generation = 'G0' | 'G1' | 'G2' | 'G3';

export interface GenerationInfo {
  version: string;
  releaseDate: string;
  configVersion: number;
}

const TABLE: Record<Generation, GenerationInfo> = {
  G0: { version: '0.15.2', releaseDate: '2026.5.28', configVersion: 21 },
  G1: { version: '0.16.2', releaseDate: '2026.6.10', configVersion: 22 },
  G2: { version: '0.18.0', releaseDate: '2026.7.1', configVersion: 23 },
  G3: { version: '0.21.3', releaseDate: '2026.9.14', configVersion: 26 },
};

export function isGeneration(value: unknown): value is Generation {
  return value === 'G0' || value === 'G1' || value === 'G2' || value === 'G3';
}

export function getGenerationInfo(gen: Generation): GenerationInfo {
  return TABLE[gen];
}

export function rankGeneration(gen: Generation): number {
  return Number(gen.slice(1));
}

/** G2+ (after 2026-06-21): --insecure is a no-op, public binds need a provider. */
export function hasFailClosedBind(gen: Generation): boolean {
  return rankGeneration(gen) >= 2;
}

/** G3 (<=0.21.x): headless serve, host singleton, public_url gate, ssh flags. */
export function isServeEra(gen: Generation): boolean {
  return gen === 'G3';
}

/** G0 only: embedded chat needs --tui or HERMES_DASHBOARD_TUI=1. */
export function needsTuiForChat(gen: Generation): boolean {
  return gen === 'G0';
}

/** Since 2026-06-13 (G1 is dated 2026.6.10, so G2+): gated /api/status omits paths. */
export function omitsGatedStatusFields(gen: Generation): boolean {
  return rankGeneration(gen) >= 2;
}
