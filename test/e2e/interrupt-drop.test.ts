// Interruptions (the SSH connection dropped) at every step boundary and in the middle of each file write, then one re-run:
// .env never truncated, no other key lost or reordered (bytes compared), one unit, no temp files, the lock
// released, a 101 probe. The suite itself is in test/support/interrupt.ts.
import { describeInterruptions } from '../support/interrupt.js';

describeInterruptions('drop');
