// Table tests for the listener parsers (formats from test-hosts.md §5) and bindFitsMode.
import { describe, expect, it } from 'vitest';
import {
  type Listener,
  bindFitsMode,
  parseLsofListeners,
  parsePortScriptBlocks,
  parsePortScriptOutput,
  parseProcNetTcp,
  parseSsListeners,
  renderPortScript,
} from '../../src/probe/port.js';
import { decodeProcAddress } from '../../src/probe/listeners.js';

const lsof = (t: string | undefined, n: string): string =>
  `p19527\ncnode\nf19\n${t ? `t${t}\n` : ''}n${n}\nTST=LISTEN\n`;

describe('parseLsofListeners (-Fpctn)', () => {
  const rows: Array<[string, string, Pick<Listener, 'address' | 'family'>]> = [
    ['127.0.0.1', lsof('IPv4', '127.0.0.1:9119'), { address: '127.0.0.1', family: 4 }],
    ['0.0.0.0 (IPv4 *)', lsof('IPv4', '*:9119'), { address: '0.0.0.0', family: 4 }],
    ['dual-stack (IPv6 *)', lsof('IPv6', '*:9119'), { address: '::', family: 6 }],
    ['[::] v6only (IPv6 *)', lsof('IPv6', '*:9119'), { address: '::', family: 6 }],
    ['::1', lsof('IPv6', '[::1]:9119'), { address: '::1', family: 6 }],
    ['tailnet IP', lsof('IPv4', '100.64.1.2:9119'), { address: '100.64.1.2', family: 4 }],
    ['* without a t field', lsof(undefined, '*:9119'), { address: '*', family: 'any' }],
  ];
  for (const [name, out, want] of rows) {
    it(name, () => {
      expect(parseLsofListeners(out)).toEqual([{ ...want, port: 9119, pid: 19527, command: 'node', source: 'lsof' }]);
    });
  }
  it('several processes and files; connected sockets (->) are skipped; pid resets per process', () => {
    const out =
      'p10\ncnode\nf19\ntIPv4\nn127.0.0.1:9119\nf20\ntIPv6\nn[::1]:9119\np22\ncpython3\nf3\ntIPv4\nn10.0.0.5:9119->10.0.0.9:5000\nf4\ntIPv4\nn*:9119\n';
    expect(parseLsofListeners(out)).toEqual([
      { address: '127.0.0.1', family: 4, port: 9119, pid: 10, command: 'node', source: 'lsof' },
      { address: '::1', family: 6, port: 9119, pid: 10, command: 'node', source: 'lsof' },
      { address: '0.0.0.0', family: 4, port: 9119, pid: 22, command: 'python3', source: 'lsof' },
    ]);
  });
  it('nothing listening: lsof prints nothing', () => {
    expect(parseLsofListeners('')).toEqual([]);
  });
});

describe('parseSsListeners (ss -Hltnp)', () => {
  const users = 'users:(("node",pid=19527,fd=19))';
  const rows: Array<[string, string, Omit<Listener, 'source' | 'port'>]> = [
    [
      '127.0.0.1',
      `LISTEN 0      511        127.0.0.1:9119       0.0.0.0:*    ${users}`,
      { address: '127.0.0.1', family: 4, pid: 19527, command: 'node' },
    ],
    [
      '0.0.0.0',
      `LISTEN 0      511          0.0.0.0:9119       0.0.0.0:*    ${users}`,
      { address: '0.0.0.0', family: 4, pid: 19527, command: 'node' },
    ],
    [
      'dual-stack *',
      `LISTEN 0      511                *:9119             *:*    ${users}`,
      { address: '*', family: 'any', pid: 19527, command: 'node' },
    ],
    [
      '[::] v6only',
      `LISTEN 0      511             [::]:9119          [::]:*    ${users}`,
      { address: '::', family: 6, pid: 19527, command: 'node' },
    ],
    [
      '[::1]',
      `LISTEN 0      511            [::1]:9119          [::]:*    ${users}`,
      { address: '::1', family: 6, pid: 19527, command: 'node' },
    ],
    [
      "missing users:(…) (another user's socket)",
      'LISTEN 0      4096       127.0.0.1:9119       0.0.0.0:*',
      { address: '127.0.0.1', family: 4 },
    ],
    [
      'interface-scoped',
      `LISTEN 0 511 127.0.0.1%lo:9119 0.0.0.0:* ${users}`,
      { address: '127.0.0.1', family: 4, pid: 19527, command: 'node' },
    ],
    [
      'tailnet IPv6',
      `LISTEN 0 511 [fd7a:115c:a1e0::1]:9119 [::]:* ${users}`,
      { address: 'fd7a:115c:a1e0::1', family: 6, pid: 19527, command: 'node' },
    ],
  ];
  for (const [name, line, want] of rows) {
    it(name, () => {
      expect(parseSsListeners(`${line}\n`)).toEqual([{ ...want, port: 9119, source: 'ss' }]);
    });
  }
  it('first of several users; header line of an ss without -H is skipped', () => {
    const out =
      'State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nLISTEN 0 511 0.0.0.0:9119 0.0.0.0:* users:(("node",pid=7,fd=19),("node",pid=8,fd=19))\n';
    expect(parseSsListeners(out)).toEqual([
      { address: '0.0.0.0', family: 4, port: 9119, pid: 7, command: 'node', source: 'ss' },
    ]);
  });
  it('nothing listening: ss prints nothing', () => {
    expect(parseSsListeners('')).toEqual([]);
  });
});

const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   2: 00000000:239F 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 310733 1 00000000edca1d48 100 0 0 10 0
   3: 0100007F:239F 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 310732 1 000000007c8ef204 100 0 0 10 0
   4: 0100007F:239F 0100007F:C350 01 00000000:00000000 00:00000000 00000000  1000        0 0 1 000000007c8ef204 100 0 0 10 0
   5: 0201400A:239F 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 555 1 000000007c8ef204 100 0 0 10 0
   6: 0100007F:23A0 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 556 1 000000007c8ef204 100 0 0 10 0
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:239F 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 310734 1 0000000044381eb4 100 0 0 10 0
   2: 00000000000000000000000001000000:239F 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 310735 1 00000000c54c862b 100 0 0 10 0
`;

describe('parseProcNetTcp', () => {
  it('LISTEN rows (0A) on :239F only, addresses decoded, inodes kept', () => {
    expect(parseProcNetTcp(TCP, TCP6, 9119)).toEqual([
      { address: '0.0.0.0', family: 4, port: 9119, inode: 310733, source: 'proc' },
      { address: '127.0.0.1', family: 4, port: 9119, inode: 310732, source: 'proc' },
      { address: '10.64.1.2', family: 4, port: 9119, inode: 555, source: 'proc' },
      { address: '::', family: 6, port: 9119, inode: 310734, source: 'proc' },
      { address: '::1', family: 6, port: 9119, inode: 310735, source: 'proc' },
    ]);
    expect(parseProcNetTcp(TCP, TCP6, 9120)).toEqual([
      { address: '127.0.0.1', family: 4, port: 9120, inode: 556, source: 'proc' },
    ]);
  });
  const addrs: Array<[string, string | undefined]> = [
    ['0100007F', '127.0.0.1'],
    ['00000000', '0.0.0.0'],
    ['0201400A', '10.64.1.2'],
    ['02014064', '100.64.1.2'],
    ['00000000000000000000000001000000', '::1'],
    ['0000000000000000FFFF00000100007F', '::ffff:127.0.0.1'],
    ['5C117AFD0000E0A10000000001000000', 'fd7a:115c:a1e0::1'],
    ['XYZ', undefined],
    ['0100', undefined],
  ];
  for (const [hex, want] of addrs)
    it(`decodeProcAddress ${hex} → ${want}`, () => expect(decodeProcAddress(hex)).toBe(want));
});

describe('parsePortScriptOutput', () => {
  const block = (name: string, text: string, rc = 0): string =>
    `@@hs-port begin ${name}\n${text}@@hs-port end ${name} rc=${rc}\n`;
  it('lsof answered', () => {
    const out = block('lsof', lsof('IPv4', '127.0.0.1:9119'));
    expect(parsePortScriptOutput(out, 9119)).toEqual([
      { address: '127.0.0.1', family: 4, port: 9119, pid: 19527, command: 'node', source: 'lsof' },
    ]);
  });
  it('lsof missing, ss without users (root-owned listener seen by a normal user)', () => {
    const out = `@@hs-port missing lsof\n${block('ss', 'LISTEN 0 4096 127.0.0.1:9119 0.0.0.0:*\n')}`;
    expect(parsePortScriptBlocks(out).missing).toEqual(['lsof']);
    expect(parsePortScriptOutput(out, 9119)).toEqual([{ address: '127.0.0.1', family: 4, port: 9119, source: 'ss' }]);
  });
  it('lsof rc 1 empty, ss empty, /proc rows joined with pids by inode', () => {
    const rows = TCP.split('\n').slice(2, 3).join('\n');
    const out =
      block('lsof', '', 1) +
      block('ss', '') +
      block('proc-tcp', `${rows}\n`) +
      block('proc-tcp6', '') +
      block('proc-pids', '4242 310732 node\n77 999 other\n');
    expect(parsePortScriptOutput(out, 9119)).toEqual([
      { address: '127.0.0.1', family: 4, port: 9119, inode: 310732, pid: 4242, command: 'node', source: 'proc' },
    ]);
  });
  it('other ports are filtered out; no source answered → []', () => {
    expect(parsePortScriptOutput(block('ss', 'LISTEN 0 511 127.0.0.1:9120 0.0.0.0:*\n'), 9119)).toEqual([]);
    expect(
      parsePortScriptOutput('@@hs-port missing lsof\n@@hs-port missing ss\n@@hs-port missing proc\n', 9119),
    ).toEqual([]);
  });
  it('renderPortScript embeds the port and its hex form; rejects bad ports', () => {
    const s = renderPortScript(9119);
    expect(s).toContain('-iTCP:9119');
    expect(s).toContain('sport = :9119');
    expect(s).toContain('*:239F:0A');
    expect(s).toContain('HS_PORT_SOURCES');
    expect(() => renderPortScript(0)).toThrow();
    expect(() => renderPortScript(70000)).toThrow();
  });
});

describe('bindFitsMode', () => {
  const L = (address: string, family: Listener['family'] = address.includes(':') ? 6 : 4): Listener => ({
    address,
    family,
    port: 9119,
    pid: 1,
    source: 'ss',
  });
  const rows: Array<[string, Listener[], string, boolean, RegExp]> = [
    ['loopback wanted, loopback bound', [L('127.0.0.1')], '127.0.0.1', true, /listening on 127\.0\.0\.1:9119/],
    ['localhost wanted, ::1 bound', [L('::1')], 'localhost', true, /\[::1\]/],
    [
      'tailnet wanted, loopback bound',
      [L('127.0.0.1')],
      '100.64.1.2',
      false,
      /wanted 100\.64\.1\.2 but listening on 127\.0\.0\.1:9119.*loopback only/,
    ],
    ['tailnet wanted, tailnet bound', [L('100.64.1.2')], '100.64.1.2', true, /100\.64\.1\.2:9119/],
    ['0.0.0.0 wanted, 0.0.0.0 bound', [L('0.0.0.0')], '0.0.0.0', true, /0\.0\.0\.0/],
    ['0.0.0.0 wanted, dual-stack * bound', [L('*', 'any')], '0.0.0.0', true, /\*/],
    [':: wanted, [::] bound', [L('::')], '::', true, /\[::\]/],
    ['loopback wanted, wildcard bound', [L('0.0.0.0')], '127.0.0.1', false, /all interfaces/],
    ['tailnet wanted, wildcard bound', [L('0.0.0.0')], '100.64.1.2', false, /broader than asked/],
    ['two listeners, one matching', [L('127.0.0.1'), L('100.64.1.2')], '100.64.1.2', true, /also on 127\.0\.0\.1/],
    ['nothing listening', [], '127.0.0.1', false, /nothing is listening/],
    ['IPv6 compressed forms compare equal', [L('fd7a:115c:a1e0:0:0:0:0:1')], 'fd7a:115c:a1e0::1', true, /listening/],
  ];
  for (const [name, ls, bind, ok, detail] of rows) {
    it(name, () => {
      const r = bindFitsMode(ls, { bind });
      expect(r.ok).toBe(ok);
      expect(r.detail).toMatch(detail);
    });
  }
});
