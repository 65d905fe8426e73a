/**
 * `hermes pair` (the relay plugin's command). §18.7: no `--json` (argparse exits 2 "unrecognized arguments"), a text
 * block on stdout, the real flag set, and the TLS bug (the relay is probed over plain http://127.0.0.1, so a TLS
 * relay looks "not running": the command prints so, exits 0 and mints no code). The flow follows pair.py
 * `pair_command` (Codename-11/hermes-relay plugin/pair.py @01533337): probe /health, build the route list
 * client-side, POST it to the loopback /pairing/mint, print the text block.
 */
import http from 'node:http';
import { loadConfig, relayEnv } from './config.cjs';
import { API_PORT, type PairMode, buildEndpoints, readApiKey } from './payload.cjs';
import { CODE_RE } from './pairing.cjs';
import { renderTextBlock } from './text-block.cjs';

const TOP_USAGE = 'usage: hermes [-h] [--version] [--profile PROFILE] COMMAND ...';
const PAIR_USAGE =
  'usage: hermes pair [-h] [--png] [--no-qr] [--no-relay] [--host HOST] [--port PORT] [--dashboard-url URL] [--ttl TTL] [--grants GRANTS] [--register-code CODE] [--transport-hint HINT] [--mode {auto,lan,tailscale,public}] [--public-url URL] [--prefer ROLE]';
const VALUE_FLAGS = [
  '--host',
  '--port',
  '--dashboard-url',
  '--ttl',
  '--grants',
  '--register-code',
  '--transport-hint',
  '--mode',
  '--public-url',
  '--prefer',
];
const BOOL_FLAGS = ['--png', '--no-qr', '--no-relay'];

type Args = Record<string, string | boolean>;

class Usage extends Error {
  constructor(
    readonly usage: string,
    readonly prog: string,
    msg: string,
  ) {
    super(msg);
  }
}

/** argparse: unknown options are collected and reported by the top-level parser at the end (§18.7: exit 2). */
export function parseArgs(argv: string[]): Args {
  const a: Args = {};
  const unknown: string[] = [];
  for (let i = 0; i < argv.length; i += 1) {
    const tok = argv[i] ?? '';
    const eq = tok.startsWith('--') ? tok.indexOf('=') : -1;
    const flag = eq > 0 ? tok.slice(0, eq) : tok;
    if (flag === '-h' || flag === '--help') {
      a['help'] = true;
      continue;
    }
    if (BOOL_FLAGS.includes(flag)) {
      a[flag] = true;
      continue;
    }
    if (!VALUE_FLAGS.includes(flag)) {
      unknown.push(tok);
      continue;
    }
    const v = eq > 0 ? tok.slice(eq + 1) : argv[++i];
    if (v === undefined) throw new Usage(PAIR_USAGE, 'hermes pair', `argument ${flag}: expected one argument`);
    a[flag] = v;
  }
  const mode = a['--mode'];
  if (typeof mode === 'string' && !['auto', 'lan', 'tailscale', 'public'].includes(mode)) {
    throw new Usage(
      PAIR_USAGE,
      'hermes pair',
      `argument --mode: invalid choice: '${mode}' (choose from 'auto', 'lan', 'tailscale', 'public')`,
    );
  }
  if (unknown.length > 0) throw new Usage(TOP_USAGE, 'hermes', `unrecognized arguments: ${unknown.join(' ')}`);
  return a;
}

/** pair.py `parse_duration`: never, 1d/7d/30d/90d/1y, plain seconds, or <n>[smhdwy]. */
export function parseDuration(spec: string): number {
  const s = spec.trim().toLowerCase();
  const presets: Record<string, number> = {
    never: 0,
    '1d': 86400,
    '7d': 7 * 86400,
    '30d': 30 * 86400,
    '90d': 90 * 86400,
    '1y': 365 * 86400,
  };
  if (s in presets) return presets[s]!;
  if (/^\d+$/.test(s)) return Number(s);
  const m = /^(\d+)([smhdwy])$/.exec(s);
  if (!m) throw new Error(`cannot parse duration '${spec}'`);
  const mult: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 7 * 86400, y: 365 * 86400 };
  return Number(m[1]) * mult[m[2]!]!;
}

function request(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    // Plain http, always: the upstream bug of §18.7 "TLS relay".
    const req = http.request(
      {
        host: '127.0.0.1',
        port: loadConfig().port,
        path,
        method,
        timeout: 2000,
        headers: data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let json: Record<string, unknown> = {};
          try {
            json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
          } catch {
            /* keep {} */
          }
          resolve({ status: res.statusCode ?? 0, json });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(data);
  });
}

async function relayRunning(): Promise<boolean> {
  try {
    return (await request('GET', '/health')).status === 200;
  } catch {
    return false;
  }
}

async function registerCode(a: Args, ttl: number): Promise<number> {
  const code = String(a['--register-code']).trim().toUpperCase();
  if (!CODE_RE.test(code)) {
    process.stderr.write(`  [error] --register-code: pairing code must be exactly 6 characters A-Z 0-9\n`);
    return 2;
  }
  if (!(await relayRunning())) {
    process.stderr.write(
      `  [error] No relay reachable at http://127.0.0.1:${loadConfig().port}.\n          Start the relay first: hermes relay start (or python -m plugin.relay --no-ssl)\n`,
    );
    return 1;
  }
  const r = await request('POST', '/pairing/register', { code, ttl_seconds: ttl });
  if (r.status !== 200) {
    process.stderr.write('  [error] Relay rejected the pairing code.\n');
    return 1;
  }
  process.stdout.write(
    `\n  Hermes-Relay manual pairing\n  ${'-'.repeat(40)}\n  Code         : ${code}\n\n  Code registered. The pairing code is single-use and expires\n  in 10 minutes.\n\n`,
  );
  return 0;
}

async function run(a: Args): Promise<number> {
  let ttl: number;
  try {
    ttl = parseDuration(typeof a['--ttl'] === 'string' ? a['--ttl'] : '30d');
  } catch (err) {
    process.stderr.write(`  [error] --ttl: ${(err as Error).message}\n`);
    return 2;
  }
  if (typeof a['--register-code'] === 'string') return registerCode(a, ttl);
  const cfg = loadConfig();
  const apiHost = typeof a['--host'] === 'string' ? a['--host'] : (cfg.lanIp ?? '127.0.0.1');
  const apiPort = typeof a['--port'] === 'string' ? Number(a['--port']) : API_PORT;
  const apiUrl = `http://${apiHost}:${apiPort}`;
  const chatOnly = (): number => {
    process.stdout.write(renderTextBlock({ apiUrl, key: readApiKey(), color: cfg.colorOutput }));
    return 0;
  };
  if (a['--no-relay'] === true) return chatOnly();
  if (!(await relayRunning())) {
    process.stdout.write(
      `  [info] Relay not running at localhost:${cfg.port} — QR will configure chat only.\n         Start the relay with: hermes relay start\n`,
    );
    return chatOnly();
  }
  const mode = (typeof a['--mode'] === 'string' ? a['--mode'] : 'auto') as PairMode;
  const publicUrl = typeof a['--public-url'] === 'string' ? a['--public-url'] : undefined;
  if (mode === 'public' && !publicUrl) {
    process.stderr.write('  [error] --mode public requires --public-url <url>\n');
    return 2;
  }
  // pair.py `read_relay_config`: TLS whenever RELAY_SSL_CERT is set (the hermes CLI loads ~/.hermes/.env first, §5).
  const tls = Boolean(relayEnv('RELAY_SSL_CERT'));
  const endpoints = buildEndpoints(mode, publicUrl, cfg, tls);
  const body = {
    api_enabled: true,
    ttl_seconds: ttl,
    transport_hint: tls ? 'wss' : 'ws',
    host: apiHost,
    port: apiPort,
    api_key: readApiKey(),
    tls: false,
    ...(endpoints.length > 0 ? { endpoints } : {}),
  };
  const r = await request('POST', '/pairing/mint', body);
  if (r.status !== 200 || r.json['ok'] !== true) {
    process.stdout.write('  [warn] Relay mint failed — QR will configure chat only.\n');
    return chatOnly();
  }
  const payload = JSON.parse(String(r.json['qr_payload'])) as {
    relay: { url: string; code: string; ttl_seconds: number };
  };
  process.stdout.write(
    renderTextBlock({
      apiUrl,
      key: readApiKey(),
      color: cfg.colorOutput,
      inviteUrl: String(r.json['pairing_url']),
      relay: {
        url: payload.relay.url,
        code: payload.relay.code,
        ttlSeconds: payload.relay.ttl_seconds,
        codeTtlSeconds: cfg.codeTtlSeconds,
      },
    }),
  );
  if (a['--no-qr'] !== true && process.stdout.isTTY)
    process.stdout.write('  (QR rendering unavailable — install segno: pip install segno)\n');
  return 0;
}

function main(argv: string[]): void {
  let a: Args;
  try {
    a = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof Usage)) throw err;
    process.stderr.write(`${err.usage}\n${err.prog}: error: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  if (a['help'] === true) {
    process.stdout.write(`${PAIR_USAGE}\n\nPair a phone or client with the Hermes-Relay.\n`);
    return;
  }
  run(a).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`Error: ${(err as Error).message}\n`);
      process.exitCode = 1;
    },
  );
}

main(process.argv.slice(2));
