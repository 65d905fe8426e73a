// Address classifiers: loopback, tailnet, private (RFC 1918 / RFC 4193, not link-local), wildcard.
import { describe, expect, it } from 'vitest';
import { isLoopback, isPrivate, isTailnet, isWildcard } from '../../src/probe/port.js';
import { canonicalAddress, parseIpv6 } from '../../src/probe/address.js';

type Row = [string, { loopback: boolean; tailnet: boolean; private: boolean; wildcard: boolean }];
const f = false;
const t = true;
const ROWS: Row[] = [
  ['127.0.0.1', { loopback: t, tailnet: f, private: f, wildcard: f }],
  ['127.10.0.1', { loopback: t, tailnet: f, private: f, wildcard: f }],
  ['localhost', { loopback: t, tailnet: f, private: f, wildcard: f }],
  ['::1', { loopback: t, tailnet: f, private: f, wildcard: f }],
  ['[::1]', { loopback: t, tailnet: f, private: f, wildcard: f }],
  ['0:0:0:0:0:0:0:1', { loopback: t, tailnet: f, private: f, wildcard: f }],
  ['::ffff:127.0.0.1', { loopback: t, tailnet: f, private: f, wildcard: f }],
  ['0.0.0.0', { loopback: f, tailnet: f, private: f, wildcard: t }],
  ['::', { loopback: f, tailnet: f, private: f, wildcard: t }],
  ['[::]', { loopback: f, tailnet: f, private: f, wildcard: t }],
  ['*', { loopback: f, tailnet: f, private: f, wildcard: t }],
  ['100.64.0.1', { loopback: f, tailnet: t, private: f, wildcard: f }],
  ['100.127.255.254', { loopback: f, tailnet: t, private: f, wildcard: f }],
  ['100.128.0.1', { loopback: f, tailnet: f, private: f, wildcard: f }],
  ['100.63.255.255', { loopback: f, tailnet: f, private: f, wildcard: f }],
  ['fd7a:115c:a1e0::1', { loopback: f, tailnet: t, private: t, wildcard: f }],
  ['fd7a:115c:a1e0:ab12:4843:cd96:6258:b240', { loopback: f, tailnet: t, private: t, wildcard: f }],
  ['fd7a:115c:a1e1::1', { loopback: f, tailnet: f, private: t, wildcard: f }],
  ['10.1.2.3', { loopback: f, tailnet: f, private: t, wildcard: f }],
  ['172.16.0.1', { loopback: f, tailnet: f, private: t, wildcard: f }],
  ['172.31.255.1', { loopback: f, tailnet: f, private: t, wildcard: f }],
  ['172.32.0.1', { loopback: f, tailnet: f, private: f, wildcard: f }],
  ['192.168.1.10', { loopback: f, tailnet: f, private: t, wildcard: f }],
  ['fc00::5', { loopback: f, tailnet: f, private: t, wildcard: f }],
  ['169.254.1.1', { loopback: f, tailnet: f, private: f, wildcard: f }],
  ['fe80::1%eth0', { loopback: f, tailnet: f, private: f, wildcard: f }],
  ['8.8.8.8', { loopback: f, tailnet: f, private: f, wildcard: f }],
  ['2001:db8::1', { loopback: f, tailnet: f, private: f, wildcard: f }],
  ['box.tail1234.ts.net', { loopback: f, tailnet: f, private: f, wildcard: f }],
];

describe('address classifiers', () => {
  for (const [addr, want] of ROWS) {
    it(addr, () => {
      expect({
        loopback: isLoopback(addr),
        tailnet: isTailnet(addr),
        private: isPrivate(addr),
        wildcard: isWildcard(addr),
      }).toEqual(want);
    });
  }
  it('parseIpv6 / canonicalAddress', () => {
    expect(parseIpv6('fd7a:115c:a1e0::1')).toEqual([0xfd7a, 0x115c, 0xa1e0, 0, 0, 0, 0, 1]);
    expect(parseIpv6('::ffff:10.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001]);
    expect(parseIpv6('10.0.0.1')).toBeUndefined();
    expect(canonicalAddress('[FD7A:115C:A1E0:0:0:0:0:1]')).toBe('fd7a:115c:a1e0::1');
    expect(canonicalAddress('0:0:0:0:0:ffff:7f00:1')).toBe('::ffff:127.0.0.1');
    expect(canonicalAddress('127.0.0.1')).toBe('127.0.0.1');
  });
});
