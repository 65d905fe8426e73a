// Step: remove temp files an interrupted run left behind (.hermes-setup.XXXXXX next to the files it writes).
// Runs under the lock, so no other run can be writing them.
import { quote } from '../transport/shell.js';
import { stepError } from '../errors.js';
import type { Step } from './context.js';

export const tidyStep: Step<string[], string[]> = {
  id: 'tidy',
  title: 'Remove leftovers of interrupted runs',
  skip: (c) => (c.opts.dryRun ? 'dry run' : undefined),
  read: (c) => c.facts.tempFiles.filter((p) => /\/\.hermes-setup\.[A-Za-z0-9]{6,}$/.test(p)),
  plan: (files) => (files.length ? files : undefined),
  describe: (files) => `remove ${files.length} temp file(s) from an interrupted run`,
  async apply(c, files) {
    const r = await c.remote.exec(`rm -f -- ${files.map(quote).join(' ')}`);
    if (r.code !== 0) throw stepError('E_TIDY', `cannot remove ${files.join(', ')}: ${r.stderr.trim()}`, 'remove them by hand');
  },
  okDetail: () => 'no leftovers',
};
