// Shared fixtures of the launchctl emulator tests: plists, a tiny node server, print-field parsing, polling.

export interface PlistOpts {
  args: string[];
  runAtLoad?: boolean;
  keepAlive?: boolean;
  throttle?: number;
  out?: string;
  env?: Record<string, string>;
  /** Default: all session types (like brew); `null` = no LimitLoadToSessionType key. */
  sessions?: string[] | null;
  processType?: string;
  exitTimeOut?: number;
  userName?: string;
}

export function renderPlist(label: string, o: PlistOpts): string {
  const kv = (k: string, v: string) => `  <key>${k}</key>${v}\n`;
  let body = kv('Label', `<string>${label}</string>`);
  body += kv('ProgramArguments', `<array>${o.args.map((a) => `<string>${a}</string>`).join('')}</array>`);
  if (o.runAtLoad !== undefined) body += kv('RunAtLoad', o.runAtLoad ? '<true/>' : '<false/>');
  if (o.keepAlive) body += kv('KeepAlive', '<true/>');
  if (o.throttle !== undefined) body += kv('ThrottleInterval', `<integer>${o.throttle}</integer>`);
  if (o.out)
    body += kv('StandardOutPath', `<string>${o.out}</string>`) + kv('StandardErrorPath', `<string>${o.out}</string>`);
  if (o.env)
    body += kv(
      'EnvironmentVariables',
      `<dict>${Object.entries(o.env)
        .map(([k, v]) => `<key>${k}</key><string>${v}</string>`)
        .join('')}</dict>`,
    );
  if (o.userName) body += kv('UserName', `<string>${o.userName}</string>`);
  if (o.processType) body += kv('ProcessType', `<string>${o.processType}</string>`);
  if (o.exitTimeOut !== undefined) body += kv('ExitTimeOut', `<integer>${o.exitTimeOut}</integer>`);
  const sessions =
    o.sessions === undefined ? ['Aqua', 'Background', 'LoginWindow', 'StandardIO', 'System'] : o.sessions;
  if (sessions)
    body += kv('LimitLoadToSessionType', `<array>${sessions.map((x) => `<string>${x}</string>`).join('')}</array>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">\n<plist version="1.0">\n<dict>\n${body}</dict>\n</plist>\n`;
}

export const SERVER_JS = `const http = require('http');
const fs = require('fs');
if (process.env.STAMP) fs.appendFileSync(process.env.STAMP, Date.now() + ' ' + process.pid + '\\n');
if (process.env.IGNORE_TERM) process.on('SIGTERM', () => fs.appendFileSync(process.env.IGNORE_TERM, 'TERM\\n'));
const port = Number(process.argv[2] || 0);
if (port) http.createServer((q, r) => r.end('ok ' + process.pid)).listen(port, '0.0.0.0');
else setInterval(() => {}, 1 << 30);
`;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const field = (print: string, name: string) => new RegExp(`^\\s*${name} = (.*)$`, 'm').exec(print)?.[1];
export async function waitUntil<T>(fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await sleep(100);
  }
}
