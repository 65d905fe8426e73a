// renderPortScript run locally with `sh -c` (lsof, ss-only and proc-only paths) against the simulator and
// plain loopback/wildcard listeners; parsePortScriptOutput must find the real pid and bind address.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Running,
  type Sim,
  createSim,
  getFreePort,
  removeSim,
  startHermes,
} from '../simulator/helpers/harness.js';
import {
  type Listener,
  bindFitsMode,
  checkedPort,
  parsePortScriptBlocks,
  parsePortScriptOutput,
  renderPortScript,
} from '../../src/probe/port.js';

function runSh(
  script: string,
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function listenersVia(sources: string, port: number): Promise<{ listeners: Listener[]; out: string }> {
  const r = await runSh(renderPortScript(port), { HS_PORT_SOURCES: sources });
  expect(r.code).toBe(0);
  return { listeners: parsePortScriptOutput(r.stdout, port), out: r.stdout };
}

const SOURCES = [
  ['lsof', 'lsof'],
  ['ss', 'ss'],
  ['proc', 'proc'],
] as const;

describe('port script against the simulator (G2, loopback bind)', () => {
  let sim: Sim;
  let run: Running;
  beforeAll(async () => {
    sim = await createSim({ generation: 'G2' });
    run = await startHermes(sim, ['dashboard', '--port', '0', '--isolated'], {
      HERMES_DASHBOARD_SESSION_TOKEN: 'port-test-token',
    });
  });
  afterAll(async () => {
    await run.stop();
    removeSim(sim);
  });

  for (const [sources, expected] of SOURCES) {
    it(`HS_PORT_SOURCES=${sources}: 127.0.0.1:<port> with the dashboard's pid, answered by ${expected}`, async () => {
      const { listeners, out } = await listenersVia(sources, run.port);
      const blocks = parsePortScriptBlocks(out).blocks.map((b) => b.name);
      expect(blocks.every((b) => b.startsWith(expected))).toBe(true);
      expect(listeners).toEqual([
        expect.objectContaining({
          address: '127.0.0.1',
          family: 4,
          port: run.port,
          pid: run.proc.pid,
          source: expected,
        }),
      ]);
      expect(listeners[0]?.command).toMatch(/node/);
      expect(bindFitsMode(listeners, { bind: '127.0.0.1' }).ok).toBe(true);
      const tailnet = bindFitsMode(listeners, { bind: '100.64.1.2' });
      expect(tailnet.ok).toBe(false);
      expect(tailnet.detail).toMatch(/loopback only/);
    });
  }

  it('default order answers with lsof first and stops there', async () => {
    const r = await runSh(renderPortScript(run.port));
    const { blocks } = parsePortScriptBlocks(r.stdout);
    expect(blocks.map((b) => b.name)).toEqual(['lsof']);
    expect(parsePortScriptOutput(r.stdout, run.port)[0]?.pid).toBe(run.proc.pid);
  });

  it.each(SOURCES.map(([s]) => s))(
    'the recorded port (check without --port), HS_PORT_SOURCES=%s: read from the state file, announced, else the fallback',
    async (sources) => {
      const home = mkdtempSync('/var/tmp/hs-port-home-');
      mkdirSync(join(home, '.hermes'));
      writeFileSync(
        join(home, '.hermes', '.hermes-setup-state.json'),
        `${JSON.stringify({ schema: 1, bind: '127.0.0.1', port: run.port, envKeys: ['X'] }, null, 2)}\n`,
      );
      const r = await runSh(renderPortScript({ recordedOr: 9 }), { HOME: home, HS_PORT_SOURCES: sources });
      expect(checkedPort(r.stdout)).toBe(run.port);
      expect(parsePortScriptOutput(r.stdout, 9)).toEqual([
        expect.objectContaining({ address: '127.0.0.1', port: run.port, pid: run.proc.pid, source: sources }),
      ]);
      rmSync(join(home, '.hermes', '.hermes-setup-state.json'));
      const none = await runSh(renderPortScript({ recordedOr: run.port }), { HOME: home, HS_PORT_SOURCES: sources });
      expect(checkedPort(none.stdout)).toBe(run.port);
      expect(parsePortScriptOutput(none.stdout, 9)[0]?.pid).toBe(run.proc.pid);
      rmSync(home, { recursive: true, force: true });
    },
  );

  it('nothing listening: lsof rc 1 and ss empty fall through to /proc, result empty', async () => {
    const port = await getFreePort();
    const r = await runSh(renderPortScript(port));
    const { blocks } = parsePortScriptBlocks(r.stdout);
    expect(blocks.map((b) => b.name)).toEqual(['lsof', 'ss', 'proc-tcp', 'proc-tcp6', 'proc-pids']);
    expect(blocks[0]?.rc).toBe(1);
    expect(blocks[1]?.rc).toBe(0);
    expect(parsePortScriptOutput(r.stdout, port)).toEqual([]);
    expect(bindFitsMode([], { bind: '127.0.0.1' })).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/nothing is listening/),
    });
  });
});

describe('port script on live listeners of each kind (test-hosts.md §5)', () => {
  const servers: net.Server[] = [];
  const ports: Record<string, number> = {};
  const KINDS: Array<[string, net.ListenOptions]> = [
    ['v4any', { host: '0.0.0.0' }],
    ['dual', {}],
    ['v6only', { host: '::', ipv6Only: true }],
    ['v6loop', { host: '::1' }],
  ];
  beforeAll(async () => {
    for (const [name, opts] of KINDS) {
      const srv = net.createServer();
      await new Promise<void>((resolve) => srv.listen({ ...opts, port: 0 }, resolve));
      servers.push(srv);
      ports[name] = (srv.address() as net.AddressInfo).port;
    }
  });
  afterAll(() => {
    for (const s of servers) s.close();
  });

  const EXPECT: Record<string, Record<string, Pick<Listener, 'address' | 'family'>>> = {
    lsof: {
      v4any: { address: '0.0.0.0', family: 4 },
      dual: { address: '::', family: 6 },
      v6only: { address: '::', family: 6 },
      v6loop: { address: '::1', family: 6 },
    },
    ss: {
      v4any: { address: '0.0.0.0', family: 4 },
      dual: { address: '*', family: 'any' },
      v6only: { address: '::', family: 6 },
      v6loop: { address: '::1', family: 6 },
    },
    proc: {
      v4any: { address: '0.0.0.0', family: 4 },
      dual: { address: '::', family: 6 },
      v6only: { address: '::', family: 6 },
      v6loop: { address: '::1', family: 6 },
    },
  };
  for (const [sources] of SOURCES) {
    it(`${sources}: bind address and family of 0.0.0.0, dual-stack, [::] v6only and ::1 listeners`, async () => {
      for (const [name] of KINDS) {
        const port = ports[name] ?? 0;
        const { listeners } = await listenersVia(sources, port);
        expect(listeners, `${sources} ${name}`).toEqual([
          expect.objectContaining({ ...EXPECT[sources]?.[name], port, pid: process.pid }),
        ]);
      }
      const v4 = (await listenersVia(sources, ports['v4any'] ?? 0)).listeners;
      expect(bindFitsMode(v4, { bind: '0.0.0.0' }).ok).toBe(true);
      expect(bindFitsMode(v4, { bind: '127.0.0.1' })).toMatchObject({
        ok: false,
        detail: expect.stringMatching(/all interfaces/),
      });
    });
  }
});
