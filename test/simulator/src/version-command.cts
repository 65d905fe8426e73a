/** `hermes --version` / `-V` / `version` (§11). */
import type { SimContext } from './context.cjs';
import { getGenerationInfo } from './generations.cjs';

export function renderVersion(ctx: SimContext): string {
  const info = getGenerationInfo(ctx.state.generation);
  const behind = ctx.state.updateTo ? ctx.state.updateCommits ?? 42 : 0;
  return [
    `Hermes Agent v${info.version} (${info.releaseDate})`,
    `Project: ${ctx.installDir}`,
    'Python: 3.11.13',
    'OpenAI SDK: 2.8.1',
    behind > 0 ? `Update available: ${behind} commits behind — run 'hermes update'` : 'Up to date',
  ].join('\n') + '\n';
}
