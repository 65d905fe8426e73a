// Interruptions (SIGKILL of the CLI): at every step boundary and in the middle of each file write the first run is cut;
// one re-run then ends in exactly the right state: .env never truncated, no other key lost or reordered (bytes
// compared), one unit, no temp files, the lock released, a 101 probe.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootLinuxHost, type LinuxHost } from '../hosts/linux-host.js';
import { READ_ONLY_POINTS, WRITE_POINTS, WRITES, expectConverged, resetHost, runInterrupted } from '../support/interrupt.js';
import { snapshotTrees } from '../support/snapshot.js';
import { prepareLinuxHost, type PreparedHost } from '../support/prepare-host.js';

let h: LinuxHost;
let p: PreparedHost;
beforeAll(async () => {
  h = await bootLinuxHost();
  p = await prepareLinuxHost(h, { generation: 'G2' });
}, 240_000);
afterAll(async () => h?.teardown());

describe('kill before anything is written: the host is untouched', () => {
  it.each(READ_ONLY_POINTS)('%s', async (point) => {
    await resetHost(h);
    const before = await snapshotTrees(p.ssh);
    const code = await runInterrupted(p, `${point}:kill`);
    expect(code).not.toBe(0);
    expect(await snapshotTrees(p.ssh)).toBe(before);
    expect((await p.ssh('ls -A ~/.hermes')).stdout).not.toMatch(/\.hermes-setup\.lock/);
  });
});

describe('kill at step boundaries after the lock, then re-run', () => {
  it.each(WRITE_POINTS)('%s', async (point) => {
    await resetHost(h);
    const code = await runInterrupted(p, `${point}:kill`);

    expect(code, 'the interrupted run must not report success').not.toBe(0);
    await expectConverged(p, point);
  });
});

describe('kill in the middle of a file write, then re-run', () => {
  it.each(WRITES)('%s', async (file) => {
    await resetHost(h);
    const code = await runInterrupted(p, `write:${file}:kill`);
    expect(code).not.toBe(0);
    const env = (await p.ssh('cat ~/.hermes/.env')).stdout;
    expect(env.startsWith('# my keys\r\nOPENAI_API_KEY=sk-test-123\r\n'), '.env never truncated').toBe(true);
    await expectConverged(p, file);
  });
});
