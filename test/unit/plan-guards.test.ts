// Plan tables for the strays step and the preflight's preconditions.
import { describe, expect, it } from 'vitest';
import { checkPreconditions } from '../../src/converge/preconditions.js';
import { planStrays } from '../../src/steps/strays.js';
import { inputs, linuxFacts } from '../support/fixtures.js';

describe('planStrays', () => {
  const dash = (pid: number) => ({
    pid,
    command: '/usr/bin/node /home/deploy/.local/bin/hermes dashboard --port 9119',
    address: '127.0.0.1',
  });
  it.each([
    ['a free port', [], undefined],
    ['held by the service itself', [dash(42)], undefined],
    ['a stray dashboard next to the service', [dash(42), dash(43)], [43]],
    [
      'a python -m hermes_cli.main serve',
      [{ pid: 44, command: '/v/bin/python -m hermes_cli.main serve --port 9119', address: '0.0.0.0' }],
      [44],
    ],
  ])('%s', (_n, holders, kill) => {
    const p = planStrays({ holders, ownPid: 42 }, 9119);
    expect(p?.map((h) => h.pid)).toEqual(kill);
  });

  it.each([
    [
      'a foreign process',
      [{ pid: 50, command: 'python3 -m http.server 9119', address: '0.0.0.0' }],
      /pid 50 \(python3 -m http.server 9119\), which is not a Hermes dashboard/,
    ],
    [
      'a process of another user (no pid)',
      [{ command: '', address: '0.0.0.0' }],
      /a process of another user on 0.0.0.0/,
    ],
  ])('refuses %s and names it', (_n, holders, msg) => {
    expect(() => planStrays({ holders, ownPid: 42 }, 9119)).toThrow(msg);
  });
});

describe('checkPreconditions', () => {
  const dec = (bind: string) => ({ decision: { mode: 'password' as const, bind, reason: '' } });
  it.each([
    ['tailnet bind', '100.64.1.2', {}, undefined],
    ['loopback bind', '127.0.0.1', {}, undefined],
    ['private LAN bind', '10.0.0.5', {}, undefined],
    ['a public address', '203.0.113.7', {}, /E_PUBLIC_BIND|would expose it on a public address/],
    ['a public address with --allow-public', '203.0.113.7', { allowPublic: true }, undefined],
    ['--bind all with a public interface', '0.0.0.0', {}, /also listen on the public address 198.51.100.2/],
  ])('%s', (_n, bind, opts, err) => {
    const i = inputs(linuxFacts({ ifAddrs: ['127.0.0.1', '198.51.100.2'] }), { ...dec(bind), opts });
    if (err) expect(() => checkPreconditions(i, 1)).toThrow(err);
    else expect(checkPreconditions(i, 1)).toEqual([]);
  });

  it('a Funnel on the port is a warning, never a refusal', () => {
    const i = inputs(
      linuxFacts({
        funnel:
          '{"AllowFunnel":{"box.ts.net:443":true},"Web":{"box.ts.net:443":{"Handlers":{"/":{"Proxy":"http://127.0.0.1:9119"}}}}}',
      }),
      dec('100.64.1.2'),
    );
    expect(checkPreconditions(i, 0)[0]).toMatch(/Funnel already publishes port 9119/);
  });

  it('writability and free space matter only when something will change', () => {
    const ro = inputs(linuxFacts({ writable: false, writableDir: '/home/deploy/.hermes' }), dec('100.64.1.2'));
    expect(checkPreconditions(ro, 0)).toEqual([]);
    expect(() => checkPreconditions(ro, 2)).toThrow(/not writable by deploy/);
    expect(() => checkPreconditions(inputs(linuxFacts({ freeKb: 10 }), dec('100.64.1.2')), 1)).toThrow(
      /only 10 KiB free/,
    );
  });
});
