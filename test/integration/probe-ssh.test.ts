// The probes over a real SSH connection (loopback OpenSSH sshd, non-root user): the WebSocket handshake and the
// ws-ticket login travel through ssh2 forwardOut, the port script through remote.exec. The simulator runs as
// root, so the non-root SSH user sees its listener the way test-hosts.md §5 describes (ss without users:(…)).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshRemote } from '../../src/transport/ssh-remote.js';
import { type Sshd, startSshd } from '../hosts/sshd.js';
import {
  type Running,
  type Sim,
  createSim,
  getFreePort,
  removeSim,
  startHermes,
} from '../simulator/helpers/harness.js';
import { BASIC_PASSWORD, BASIC_USER, basicAuthEnv } from '../simulator/helpers/gated.js';
import type { Dial } from '../../src/probe/dial.js';
import { fetchWsTicket } from '../../src/probe/password-login.js';
import { parsePortScriptBlocks, parsePortScriptOutput, renderPortScript } from '../../src/probe/port.js';
import { probeWebSocket } from '../../src/probe/ws-probe.js';

const PIN = 'probe-over-ssh-token';
let sshd: Sshd;
let home: string;
let remote: SshRemote;
let dial: Dial;
let sim: Sim;
let loop: Running;
let gated: Running;

beforeAll(async () => {
  sshd = await startSshd({ user: 'hs-probe' });
  home = mkdtempSync('/var/tmp/hs-probe-home-');
  mkdirSync(join(home, '.ssh'), { mode: 0o700 });
  writeFileSync(join(home, '.ssh/known_hosts'), `${sshd.knownHostsLine}\n`);
  remote = await SshRemote.connect({
    host: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    auth: { home, explicit: [sshd.keyPath], fromConfig: [] },
    hostKeys: { knownHostsPath: join(home, '.ssh/known_hosts'), acceptNew: false },
  });
  dial = (host, port) => remote.dial(host, port);
  sim = await createSim({ generation: 'G2' });
  loop = await startHermes(sim, ['dashboard', '--port', '0', '--isolated'], { HERMES_DASHBOARD_SESSION_TOKEN: PIN });
  gated = await startHermes(sim, ['dashboard', '--port', '0', '--isolated', '--host', '0.0.0.0'], {
    HERMES_DASHBOARD_SESSION_TOKEN: PIN,
    ...basicAuthEnv(),
  });
});

afterAll(async () => {
  await loop?.stop();
  await gated?.stop();
  if (sim) removeSim(sim);
  await remote?.close();
  await sshd?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('probes through ssh2 forwardOut', () => {
  it('101 + gateway.ready, as the Desktop app would see it through a tunnel', async () => {
    const r = await probeWebSocket({ dial, host: '127.0.0.1', port: loop.port, token: PIN });
    expect(r).toMatchObject({ ok: true, status: 101, firstFrame: { params: { type: 'gateway.ready' } } });
  });

  it('wrong token → 403; closed port → refused', async () => {
    expect(await probeWebSocket({ dial, host: '127.0.0.1', port: loop.port, token: 'nope-nope' })).toMatchObject({
      ok: false,
      kind: 'http',
      status: 403,
    });
    expect(await probeWebSocket({ dial, host: '127.0.0.1', port: await getFreePort(), token: PIN })).toMatchObject({
      ok: false,
      kind: 'refused',
    });
  });

  it('gated bind: ticket login and ?ticket= probe over the tunnel', async () => {
    const t = await fetchWsTicket({
      dial,
      host: '127.0.0.1',
      port: gated.port,
      username: BASIC_USER,
      password: BASIC_PASSWORD,
    });
    if (!t.ok) throw new Error(t.detail);
    expect(await probeWebSocket({ dial, host: '127.0.0.1', port: gated.port, ticket: t.ticket })).toMatchObject({
      ok: true,
      status: 101,
    });
  });
});

describe('port script via remote.exec as a non-root user (root-owned listener)', () => {
  it('lsof sees nothing (rc 1), ss answers without users:(…), so no pid', async () => {
    const r = await remote.exec(renderPortScript(loop.port));
    expect(r.code).toBe(0);
    const names = parsePortScriptBlocks(r.stdout).blocks.map((b) => `${b.name}:${b.rc}`);
    expect(names.slice(0, 2)).toEqual(['lsof:1', 'ss:0']);
    expect(parsePortScriptOutput(r.stdout, loop.port)).toEqual([
      { address: '127.0.0.1', family: 4, port: loop.port, source: 'ss' },
    ]);
  });

  it("proc-only path finds the gated 0.0.0.0 listener but cannot read root's fds", async () => {
    const r = await remote.exec(`HS_PORT_SOURCES=proc\n${renderPortScript(gated.port)}`);
    const listeners = parsePortScriptOutput(r.stdout, gated.port);
    expect(listeners).toHaveLength(1);
    expect(listeners[0]).toMatchObject({ address: '0.0.0.0', family: 4, port: gated.port, source: 'proc' });
    expect(listeners[0]?.pid).toBeUndefined();
  });
});
