// The floor for a no-op re-run: one SSH connect + one exec + one WebSocket probe, with the same library
// (node-ssh/ssh2), the same TCP_NODELAY socket the tool dials, and the same probe code, in one fresh node process.
// Prints the in-process ms (from after the imports) as JSON; bench/rerun also times the whole process from outside.
// usage: node bench/floor.mjs <user@host> <key> <probe-host> <probe-port> [--facts] (token on stdin)
// --facts: the one exec is the tool's own facts script instead of `true` (separates environment cost from overhead).
import { readFileSync } from 'node:fs';
import { Socket } from 'node:net';
import { NodeSSH } from 'node-ssh';
import { probeWebSocket } from '../dist/probe/ws-probe.js';
import { renderFactsScript } from '../dist/facts/facts-script.js';

const t0 = performance.now();
const [target, key, probeHost, probePort] = process.argv.slice(2);
const [username, host] = target.split('@');
const token = readFileSync(0, 'utf8').trim();
const sock = new Socket();
sock.setNoDelay(true);
await new Promise((res, rej) => {
  sock.once('connect', res);
  sock.once('error', rej);
  sock.connect({ host, port: 22 });
});
const ssh = new NodeSSH();
await ssh.connect({ sock, host, username, privateKey: readFileSync(key, 'utf8'), hostVerifier: () => true });
const r = process.argv.includes('--facts')
  ? await ssh.execCommand('sh -s', { stdin: renderFactsScript(Number(probePort)) })
  : await ssh.execCommand('true');
const dial = (h, p) =>
  new Promise((res, rej) => ssh.connection.forwardOut('127.0.0.1', 0, h, p, (e, s) => (e ? rej(e) : res(s))));
const probe = await probeWebSocket({ dial, host: probeHost, port: Number(probePort), token });
ssh.dispose();
console.log(JSON.stringify({ ms: performance.now() - t0, exec: r.code, probe: probe.ok ? 101 : probe.kind }));
