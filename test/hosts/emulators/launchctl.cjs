#!/usr/bin/env node
'use strict';
// launchctl emulator client. Forwards argv to the per-host launchd emulator (launchd-emu.cjs) over a
// Unix socket and reproduces its stdout/stderr/exit status. Self-contained: node >= 18, no deps.
const net = require('net');

const SOCK = process.env.LAUNCHD_EMU_SOCK || '/var/db/com.apple.xpc.launchd/emu.sock';

const req = {
  argv: process.argv.slice(2),
  uid: process.getuid(),
  gid: process.getgid(),
  cwd: process.cwd(),
  ssh: Boolean(process.env.SSH_CONNECTION),
};

const chunks = [];
const sock = net.createConnection(SOCK);
sock.on('connect', () => sock.end(JSON.stringify(req) + '\n'));
sock.on('data', (d) => chunks.push(d));
sock.on('error', () => {
  process.stderr.write('launchctl: failed to contact launchd (emulator not running?)\n');
  process.exitCode = 1;
});
sock.on('close', () => {
  if (process.exitCode === 1 && chunks.length === 0) return;
  let res;
  try {
    res = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    process.stderr.write('launchctl: bad response from launchd\n');
    process.exitCode = 118;
    return;
  }
  if (res.stdout) process.stdout.write(res.stdout);
  if (res.stderr) process.stderr.write(res.stderr);
  process.exitCode = res.code;
});
