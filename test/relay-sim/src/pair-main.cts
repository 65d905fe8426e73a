/** `hermes pair` (the relay plugin's command, §16.1): mints a code through the local relay and prints the QR payload. */
import http from 'node:http';
import { loadConfig } from './config.cjs';

const USAGE = 'usage: hermes pair [-h] [--ttl TTL] [--mode {auto,lan,tailscale,public}] [--public-url PUBLIC_URL] [--register-code CODE] [--json]';

interface Args { ttl?: number; mode: string; publicUrl?: string; registerCode?: string; json: boolean; help: boolean }

class Usage extends Error {}

function parseArgs(argv: string[]): Args {
  const a: Args = { mode: 'auto', json: false, help: false };
  for (let i = 0; i < argv.length; i += 1) {
    const tok = argv[i] ?? '';
    const [flag, inline] = tok.startsWith('--') && tok.includes('=') ? [tok.slice(0, tok.indexOf('=')), tok.slice(tok.indexOf('=') + 1)] : [tok, undefined];
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Usage(`argument ${flag}: expected one argument`);
      return v;
    };
    if (flag === '-h' || flag === '--help') a.help = true;
    else if (flag === '--json') a.json = true;
    else if (flag === '--ttl') { const n = Number(value()); if (!Number.isInteger(n) || n < 0) throw new Usage(`argument --ttl: invalid int value`); a.ttl = n; }
    else if (flag === '--mode') { a.mode = value(); if (!['auto', 'lan', 'tailscale', 'public'].includes(a.mode)) throw new Usage(`argument --mode: invalid choice: '${a.mode}' (choose from 'auto', 'lan', 'tailscale', 'public')`); }
    else if (flag === '--public-url') a.publicUrl = value();
    else if (flag === '--register-code') a.registerCode = value();
    else throw new Usage(`unrecognized arguments: ${tok}`);
  }
  if (a.mode === 'public' && !a.publicUrl) throw new Usage('--mode public requires --public-url');
  return a;
}

function post(path: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const cfg = loadConfig();
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: cfg.port, path, method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let json: Record<string, unknown> = {};
        try { json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>; } catch { /* keep {} */ }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

async function run(a: Args): Promise<number> {
  if (a.registerCode) {
    const r = await post('/pairing/register', { code: a.registerCode, ...(a.ttl !== undefined ? { ttl_seconds: a.ttl } : {}) });
    if (r.status !== 200) { process.stderr.write(`Error: ${String(r.json['error'] ?? `HTTP ${r.status}`)}\n`); return 1; }
    process.stdout.write(`Registered pairing code ${String(r.json['code'])}\n`);
    return 0;
  }
  const r = await post('/pairing/mint', { mode: a.mode, ...(a.publicUrl ? { public_url: a.publicUrl } : {}), ...(a.ttl !== undefined ? { ttl_seconds: a.ttl } : {}) });
  if (r.status !== 200) { process.stderr.write(`Error: ${String(r.json['error'] ?? `HTTP ${r.status}`)}\n`); return 1; }
  const expires = Number(r.json['expires_at']);
  const left = expires - Math.floor(Date.now() / 1000);
  if (a.json) {
    process.stdout.write(`${JSON.stringify(r.json['qr_payload'])}\n`);
    process.stderr.write(`Pairing code ${String(r.json['code'])} expires at ${expires} (in ${left}s)\n`);
    return 0;
  }
  process.stdout.write([`Pairing code: ${String(r.json['code'])}`, `Expires in:   ${Math.round(left / 60)} min (single use)`,
    `Relay:        ${String(r.json['relay_url'])}`, `Invite:       ${String(r.json['pairing_url'])}`, '', JSON.stringify(r.json['qr_payload']), ''].join('\n'));
  return 0;
}

function main(argv: string[]): void {
  let a: Args;
  try {
    a = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof Usage)) throw err;
    process.stderr.write(`${USAGE}\nhermes pair: error: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  if (a.help) { process.stdout.write(`${USAGE}\n\nPair a phone or client with the Hermes-Relay.\n`); return; }
  run(a).then((code) => { process.exitCode = code; }, (err: unknown) => {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(e.code === 'ECONNREFUSED'
      ? `Error: the relay is not running on 127.0.0.1:${loadConfig().port} (start it with: hermes relay start)\n`
      : `Error: ${e.message}\n`);
    process.exitCode = 1;
  });
}

main(process.argv.slice(2));
