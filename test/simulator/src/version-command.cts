/** `hermes --version` / `-V` / `version` (§11): five lines; the first carries version and release date. */
import { getProductNames, resolveVersion } from './builds.cjs';
import type { SimContext } from './context.cjs';

export function renderVersion(ctx: SimContext): string {
  const behind = ctx.state.updateTo ? (ctx.state.updateCommits ?? 42) : 0;
  // §18.6: 0.21.5 builds read the version from install-stamp.json and print 0.0.0 without one.
  const version = resolveVersion(ctx.build, ctx.installDir);
  return (
    [
      `${getProductNames(ctx.build).title} v${version} (${ctx.build.releaseDate})`,
      `Project: ${ctx.installDir}`,
      'Python: 3.11.13',
      'OpenAI SDK: 2.8.1',
      behind > 0
        ? `Update available: ${behind} commits behind — run '${getProductNames(ctx.build).cli} update'`
        : 'Up to date',
    ].join('\n') + '\n'
  );
}
