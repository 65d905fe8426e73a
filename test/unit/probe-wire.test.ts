// Pure wire pieces: HTTP head/body parsing, WebSocket handshake checks and frames, redaction, dial errors.
import { describe, expect, it } from 'vitest';
import { ProbeFailure, classifyDialError } from '../../src/probe/dial.js';
import {
  type ResponseHead, bodyParser, formatHostHeader, getHeader, getHeaders, parseChunkedBody, parseResponseHead, renderRequest,
} from '../../src/probe/http-raw.js';
import { buildCookieHeader } from '../../src/probe/password-login.js';
import { redactSecrets } from '../../src/probe/redact.js';
import { checkHandshake, computeAccept, encodeClientFrame, encodeCloseFrame, parseFrame, parseMessage } from '../../src/probe/ws-frame.js';
import { buildProbePath, isGatewayReady } from '../../src/probe/ws-probe.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');
const serverFrame = (opcode: number, payload: string, fin = true): Buffer => {
  const p = Buffer.from(payload);
  const head = p.length < 126 ? Buffer.from([(fin ? 0x80 : 0) | opcode, p.length]) : Buffer.from([(fin ? 0x80 : 0) | opcode, 126, p.length >> 8, p.length & 0xff]);
  return Buffer.concat([head, p]);
};

describe('HTTP head and body', () => {
  it('status line, headers in order, repeated Set-Cookie kept apart', () => {
    const raw = b('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nSet-Cookie: hermes_session_at=AAA; Max-Age=900; HttpOnly\r\nset-cookie: hermes_session_rt=BBB; Max-Age=86400\r\nContent-Length: 2\r\n\r\n{}');
    const out = parseResponseHead(raw, false);
    expect(out?.value).toMatchObject({ httpVersion: '1.1', status: 200, reason: 'OK' });
    expect(out?.consumed).toBe(raw.length - 2);
    const head = out?.value as ResponseHead;
    expect(getHeaders(head.headers, 'SET-COOKIE')).toEqual(['hermes_session_at=AAA; Max-Age=900; HttpOnly', 'hermes_session_rt=BBB; Max-Age=86400']);
    expect(getHeader(head.headers, 'content-length')).toBe('2');
    expect(buildCookieHeader(getHeaders(head.headers, 'set-cookie'))).toEqual({ header: 'hermes_session_at=AAA; hermes_session_rt=BBB', values: ['AAA', 'BBB'] });
  });
  it('waits for the blank line; a status line without a reason is fine', () => {
    expect(parseResponseHead(b('HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n'), false)).toBeUndefined();
    expect(parseResponseHead(b('HTTP/1.1 101\r\n\r\n'), false)?.value).toMatchObject({ status: 101, reason: '' });
  });
  it('garbage is a protocol failure (e.g. an SSH banner or TLS on the port)', () => {
    expect(() => parseResponseHead(b('SSH-2.0-OpenSSH_9.2p1\r\n'), false)).toThrow(ProbeFailure);
    expect(() => parseResponseHead(b('HTTP/1.1 abc\r\n\r\n'), false)).toThrow(/not an HTTP response/);
  });
  const head = (status: number, headers: Array<[string, string]>): ResponseHead => ({ httpVersion: '1.1', status, reason: '', headers });
  it('Content-Length body', () => {
    const p = bodyParser(head(200, [['Content-Length', '5']]), 'GET');
    expect(p(b('hel'), false)).toBeUndefined();
    expect(p(b('hello+extra'), false)).toEqual({ value: b('hello'), consumed: 5 });
  });
  it('body until close, and no body for HEAD/204/304/101', () => {
    const p = bodyParser(head(200, []), 'GET');
    expect(p(b('partial'), false)).toBeUndefined();
    expect(p(b('all of it'), true)?.value.toString()).toBe('all of it');
    for (const [s, m] of [[204, 'GET'], [304, 'GET'], [200, 'HEAD'], [101, 'GET']] as const) {
      expect(bodyParser(head(s, []), m)(b('x'), false)).toEqual({ value: Buffer.alloc(0), consumed: 0 });
    }
  });
  it('chunked body with extensions and trailers', () => {
    const raw = b('4;x=y\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\nNEXT');
    expect(parseChunkedBody(raw.subarray(0, 20), false)).toBeUndefined();
    expect(parseChunkedBody(raw, false)).toEqual({ value: b('Wikipedia'), consumed: raw.length - 4 });
    expect(bodyParser(head(200, [['Transfer-Encoding', 'chunked']]), 'GET')(b('0\r\n\r\n'), false)).toEqual({ value: Buffer.alloc(0), consumed: 5 });
  });
  it('renderRequest: Host first, Content-Length added for a body, no header injection', () => {
    expect(renderRequest('POST', '/x', '127.0.0.1:9119', [['A', '1']], '{}').toString()).toBe('POST /x HTTP/1.1\r\nHost: 127.0.0.1:9119\r\nA: 1\r\nContent-Length: 2\r\n\r\n{}');
    expect(() => renderRequest('GET', '/', 'h', [['X', 'a\r\nEvil: 1']])).toThrow(/line break/);
    expect(formatHostHeader('::1', 9119)).toBe('[::1]:9119');
    expect(formatHostHeader('127.0.0.1', 9119)).toBe('127.0.0.1:9119');
  });
});

describe('WebSocket handshake and frames', () => {
  const key = 'dGhlIHNhbXBsZSBub25jZQ==';
  const good: Array<[string, string]> = [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Accept', 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=']];
  const h = (headers: Array<[string, string]>, status = 101): ResponseHead => ({ httpVersion: '1.1', status, reason: '', headers });
  it('RFC 6455 sample Accept', () => expect(computeAccept(key)).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo='));
  const rows: Array<[string, ResponseHead, RegExp | undefined]> = [
    ['valid', h(good), undefined],
    ['case-insensitive Upgrade, Connection list', h([['upgrade', 'WebSocket'], ['connection', 'keep-alive, Upgrade'], good[2] as [string, string]]), undefined],
    ['not 101', h(good, 200), /status 200/],
    ['bad Upgrade', h([['Upgrade', 'h2c'], good[1] as [string, string], good[2] as [string, string]]), /invalid Upgrade/],
    ['Connection without upgrade', h([good[0] as [string, string], ['Connection', 'keep-alive'], good[2] as [string, string]]), /Connection header/],
    ['wrong Accept', h([good[0] as [string, string], good[1] as [string, string], ['Sec-WebSocket-Accept', 'AAAA']]), /Sec-WebSocket-Accept: AAAA/],
    ['missing Accept', h(good.slice(0, 2)), /\(missing\)/],
    ['unrequested subprotocol', h([...good, ['Sec-WebSocket-Protocol', 'chat']]), /subprotocol/],
    ['unrequested extension', h([...good, ['Sec-WebSocket-Extensions', 'permessage-deflate']]), /extensions/],
  ];
  for (const [name, head, want] of rows) {
    it(`checkHandshake: ${name}`, () => {
      const r = checkHandshake(head, key);
      if (want) expect(r).toMatch(want); else expect(r).toBeUndefined();
    });
  }
  it('parseMessage: text, 16-bit length, fragments joined, pings skipped, close, masked server frame', () => {
    const ready = JSON.stringify({ jsonrpc: '2.0', method: 'event', params: { type: 'gateway.ready', payload: { v: 'x'.repeat(200) } } });
    expect(parseMessage(serverFrame(1, ready), false)?.value).toEqual({ type: 'text', text: ready });
    expect(parseMessage(serverFrame(1, ready).subarray(0, 50), false)).toBeUndefined();
    const frag = Buffer.concat([serverFrame(9, 'ping'), serverFrame(1, '{"a"', false), serverFrame(0, ':1}')]);
    expect(parseMessage(frag, false)).toEqual({ value: { type: 'text', text: '{"a":1}' }, consumed: frag.length });
    const close = Buffer.concat([Buffer.from([0x88, 6, 0x0f, 0xa3]), Buffer.from('nope')]);
    expect(parseMessage(close, false)?.value).toEqual({ type: 'close', code: 4003, reason: 'nope' });
    expect(() => parseMessage(encodeClientFrame(1, Buffer.from('hi')), false)).toThrow(/masked/);
  });
  it('client frames are masked and round-trip; close carries the code', () => {
    const payload = Buffer.from('x'.repeat(300));
    const f = parseFrame(encodeClientFrame(1, payload, Buffer.from([1, 2, 3, 4])), false)?.value;
    expect(f).toMatchObject({ fin: true, opcode: 1, masked: true });
    expect(f?.payload.equals(payload)).toBe(true);
    const c = parseFrame(encodeCloseFrame(1000), false)?.value;
    expect(c?.opcode).toBe(8);
    expect(c?.payload.readUInt16BE(0)).toBe(1000);
  });
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
});

describe('redaction and dial errors', () => {
  it('redactSecrets hides token=/ticket= values and literal secrets', () => {
    expect(redactSecrets('GET /api/ws?token=abc123&x=1 ticket=zz')).toBe('GET /api/ws?token=***&x=1 ticket=***');
    expect(redactSecrets('cookie hermes_session_at=SECRETVAL; pw hunter2!', ['SECRETVAL', 'hunter2!'])).toBe('cookie hermes_session_at=***; pw ***');
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
    ['SshRemote wrapper code ECONNRESET, text says no route', Object.assign(new Error('connect to 10.9.9.9:9119 from u@h failed: (SSH) Channel open failure: No route to host'), { code: 'ECONNRESET' }), 'unreachable'],
    ['SshRemote wrapper code ECONNREFUSED', Object.assign(new Error('connect to 127.0.0.1:1 from u@h failed: (SSH) Channel open failure: Connection refused'), { code: 'ECONNREFUSED' }), 'refused'],
  ];
  for (const [name, err, kind] of rows) it(`classifyDialError ${name}`, () => expect(classifyDialError(err)).toBe(kind));
});
