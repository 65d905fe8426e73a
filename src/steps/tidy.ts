// Step: remove temp files an interrupted run left behind (.hermes-setup.XXXXXX next to the files it writes).
// Runs under the lock, so no other run can be writing them.
import { remoteCommandError } from '../errors.js';
import { quote } from '../transport/shell.js';
import type { ChangeStep } from './step.js';

export const tidyStep: ChangeStep<string[], string[]> = {
  kind: 'change',
  id: 'tidy',
  title: 'Remove leftovers of interrupted runs',
  skip: (i) => (i.opts.dryRun ? 'dry run' : undefined),
  read: (_io, i) => i.facts.tempFiles.filter((p) => /\/\.hermes-setup\.[A-Za-z0-9]{6,}$/.test(p)),
  plan: (files) => ({
    ...(files.length ? { actions: files } : {}),
    describe: `remove ${files.length} temp file${files.length === 1 ? '' : 's'} from an interrupted run`,
    okDetail: 'no leftovers',
  }),
  async apply({ remote }, files) {
    const r = await remote.exec(`rm -f -- ${files.map(quote).join(' ')}`);
    if (r.code !== 0) throw remoteCommandError('E_TIDY', `removing ${files.join(', ')}`, r, 'remove them by hand');
  },
};
