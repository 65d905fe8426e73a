// Pure pieces of the probe: how a failed handshake or exchange is worded (the `ws` package and node:http do the
// parsing; these name what they refused), the probe path, gateway.ready, cookies, the ticket body, redaction and
// dial-error classification.
import type { IncomingHttpHeaders } from 'node:http';
import { describe, expect, it } from 'vitest';
import { formatHostHeader } from '../../src/probe/address.js';
import { ProbeFailure, classifyDialError } from '../../src/probe/dial.js';
import { toWireFailure } from '../../src/probe/http-request.js';
import { buildCookieHeader, parseTicketBody } from '../../src/probe/password-login.js';
import { redactSecrets } from '../../src/probe/redact.js';
import { handshakeProblem } from '../../src/probe/ws-handshake.js';
import { buildProbePath, isGatewayReady } from '../../src/probe/ws-probe.js';

describe('a 101 that is not a valid handshake, named', () => {
  const good: IncomingHttpHeaders = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': 'AAAA' };
  const rows: Array<[string, IncomingHttpHeaders, string, string]> = [
    ['Upgrade h2c', { ...good, upgrade: 'h2c' }, '', 'invalid Upgrade header: h2c'],
    ['Upgrade missing', { connection: 'Upgrade' }, '', 'invalid Upgrade header: (missing)'],
    [
      'Connection keep-alive',
      { ...good, connection: 'keep-alive' },
      '',
      'Connection header lacks "upgrade": keep-alive',
    ],
    ['Connection missing', { upgrade: 'websocket' }, '', 'Connection header lacks "upgrade": (missing)'],
    [
      'Connection list with Upgrade, wrong Accept',
      { ...good, connection: 'keep-alive, Upgrade' },
      'Invalid Sec-WebSocket-Accept header',
      'invalid Sec-WebSocket-Accept: AAAA',
    ],
    [
      'Accept missing',
      { upgrade: 'WebSocket', connection: 'upgrade' },
      'Invalid Sec-WebSocket-Accept header',
      'invalid Sec-WebSocket-Accept: (missing)',
    ],
    [
      'subprotocol',
      { ...good, 'sec-websocket-protocol': 'chat' },
      'Server sent a subprotocol but none was requested',
      'server sent a subprotocol (chat) but none was requested',
    ],
    [
      'extension',
      { ...good, 'sec-websocket-extensions': 'permessage-deflate' },
      'Server sent a Sec-WebSocket-Extensions header but no extension was requested',
      'server sent extensions (permessage-deflate) but none were requested',
    ],
    ['anything else ws refuses', good, 'Something new', 'Something new'],
  ];
  for (const [name, headers, wsMessage, want] of rows)
    it(name, () => expect(handshakeProblem(headers, wsMessage)).toBe(want));
});

describe('a failed exchange, worded by what was awaited', () => {
  const parseError = (code: string, raw: string, bytesParsed = 0): Error =>
    Object.assign(new Error(`Parse Error: ${code}`), { code, rawPacket: Buffer.from(raw, 'latin1'), bytesParsed });
  const rows: Array<[string, unknown, { kind: string; message: string; code?: string }]> = [
    [
      'an SSH banner',
      parseError('HPE_INVALID_CONSTANT', 'SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n'),
      { kind: 'protocol', message: 'not an HTTP response (starts with "SSH-2.0-OpenSSH_9.2p1 Debian-2\\r\\n")' },
    ],
    [
      'only the first 40 bytes are shown',
      parseError('HPE_INVALID_CONSTANT', 'x'.repeat(100)),
      { kind: 'protocol', message: `not an HTTP response (starts with "${'x'.repeat(40)}")` },
    ],
    [
      'a bad header later in the head',
      parseError('HPE_INVALID_HEADER_TOKEN', 'HTTP/1.1 200 OK\r\nno colon\r\n', 17),
      { kind: 'protocol', message: 'malformed HTTP response (Parse Error: HPE_INVALID_HEADER_TOKEN)' },
    ],
    [
      "node's socket hang up",
      Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      { kind: 'reset', message: 'connection closed before the response status line', code: 'ECONNRESET' },
    ],
    [
      'a real reset keeps its cause',
      Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }),
      {
        kind: 'reset',
        message: 'connection closed before the response status line: read ECONNRESET',
        code: 'ECONNRESET',
      },
    ],
    [
      'an ssh2 channel error',
      new Error('(SSH) Channel open failure: Connection refused'),
      {
        kind: 'refused',
        message: 'connection closed before the response status line: (SSH) Channel open failure: Connection refused',
      },
    ],
    [
      'a ProbeFailure passes through',
      new ProbeFailure('timeout', 'timed out after 5 ms waiting for x', 'ETIMEDOUT'),
      { kind: 'timeout', message: 'timed out after 5 ms waiting for x', code: 'ETIMEDOUT' },
    ],
  ];
  for (const [name, err, want] of rows)
    it(name, () => expect(toWireFailure(err, 'the response status line')).toMatchObject(want));
});

describe('probe path, gateway.ready, Host, cookies, ticket body', () => {
  it('isGatewayReady accepts method or params.type', () => {
    expect(isGatewayReady({ jsonrpc: '2.0', method: 'event', params: { type: 'gateway.ready' } })).toBe(true);
    expect(isGatewayReady({ jsonrpc: '2.0', method: 'gateway.ready', params: {} })).toBe(true);
    expect(isGatewayReady({ jsonrpc: '2.0', method: 'event', params: { type: 'session.update' } })).toBe(false);
    expect(isGatewayReady('gateway.ready')).toBe(false);
    expect(isGatewayReady(null)).toBe(false);
  });
  it('buildProbePath encodes credentials', () => {
    expect(buildProbePath('/api/ws', 'a b&c')).toBe('/api/ws?token=a%20b%26c');
    expect(buildProbePath('/api/events?channel=ui', undefined, 't1')).toBe('/api/events?channel=ui&ticket=t1');
    expect(buildProbePath('/api/ws')).toBe('/api/ws');
  });
  it('formatHostHeader brackets IPv6 literals', () => {
    expect(formatHostHeader('::1', 9119)).toBe('[::1]:9119');
    expect(formatHostHeader('[::1]', 9119)).toBe('[::1]:9119');
    expect(formatHostHeader('127.0.0.1', 9119)).toBe('127.0.0.1:9119');
  });
  it('buildCookieHeader keeps name=value pairs and drops attributes', () => {
    expect(
      buildCookieHeader([
        'hermes_session_at=AAA; Max-Age=900; HttpOnly',
        'hermes_session_rt=BBB; Max-Age=86400',
        'junk',
      ]),
    ).toEqual({ header: 'hermes_session_at=AAA; hermes_session_rt=BBB', values: ['AAA', 'BBB'] });
    expect(buildCookieHeader([])).toEqual({ header: '', values: [] });
  });
  it('parseTicketBody reads ttl_seconds (the contract) or expires_in (the simulator)', () => {
    expect(parseTicketBody('{"ticket":"t1","ttl_seconds":30}')).toEqual({ ticket: 't1', ttl: 30 });
    expect(parseTicketBody('{"ticket":"t2","expires_in":30}')).toEqual({ ticket: 't2', ttl: 30 });
    expect(parseTicketBody('{"ticket":"t3"}')).toEqual({ ticket: 't3', ttl: undefined });
    expect(parseTicketBody('null')).toEqual({});
    expect(parseTicketBody('not json')).toEqual({});
  });
});

describe('redaction and dial errors', () => {
  it('redactSecrets hides token=/ticket= values and literal secrets', () => {
    expect(redactSecrets('GET /api/ws?token=abc123&x=1 ticket=zz')).toBe('GET /api/ws?token=***&x=1 ticket=***');
    expect(redactSecrets('cookie hermes_session_at=SECRETVAL; pw hunter2!', ['SECRETVAL', 'hunter2!'])).toBe(
      'cookie hermes_session_at=***; pw ***',
    );
    expect(redactSecrets('a b&c in url a%20b%26c', ['a b&c'])).toBe('*** in url ***');
  });
  const rows: Array<[string, unknown, string]> = [
    ['ECONNREFUSED', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }), 'refused'],
    ['ETIMEDOUT', Object.assign(new Error('x'), { code: 'ETIMEDOUT' }), 'timeout'],
    ['ECONNRESET', Object.assign(new Error('x'), { code: 'ECONNRESET' }), 'reset'],
    ['EHOSTUNREACH', Object.assign(new Error('x'), { code: 'EHOSTUNREACH' }), 'unreachable'],
    ['ssh2 refused', new Error('(SSH) Channel open failure: Connection refused'), 'refused'],
    ['ssh2 timed out', new Error('(SSH) Channel open failure: Connection timed out'), 'timeout'],
    ['ssh2 prohibited', new Error('(SSH) Channel open failure: administratively prohibited'), 'unreachable'],
    [
      'SshRemote wrapper code ECONNRESET, text says no route',
      Object.assign(
        new Error('connect to 10.9.9.9:9119 from u@h failed: (SSH) Channel open failure: No route to host'),
        { code: 'ECONNRESET' },
      ),
      'unreachable',
    ],
    [
      'SshRemote wrapper code ECONNREFUSED',
      Object.assign(
        new Error('connect to 127.0.0.1:1 from u@h failed: (SSH) Channel open failure: Connection refused'),
        { code: 'ECONNREFUSED' },
      ),
      'refused',
    ],
  ];
  for (const [name, err, kind] of rows)
    it(`classifyDialError ${name}`, () => expect(classifyDialError(err)).toBe(kind));
});
