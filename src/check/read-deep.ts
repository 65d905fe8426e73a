// doctor's deeper read (one extra exec, read-only): Tailscale serve, public_url lines, interface addresses, and the
// evidence of why a service is down: the unit's effective Restart= (drop-ins included), the service's journal
// (systemd) or the tail of its StandardErrorPath log (launchd), and `hermes update`'s own log (newer builds).
import { UNIT_NAME } from '../constants.js';
import type { ServiceView } from '../service/service-types.js';
import { quote, USER_BUS_ENV } from '../transport/shell.js';

const COMMON = String.raw`
echo "@@serve"; tailscale serve status --json 2>/dev/null || /Applications/Tailscale.app/Contents/MacOS/Tailscale serve status --json 2>/dev/null
echo "@@public"; grep -h -i 'PUBLIC_URL\|public_url' "$HOME/.hermes/.env" "$HOME/.hermes/config.yaml" 2>/dev/null
echo "@@addr"; (ip -o addr show 2>/dev/null || ifconfig 2>/dev/null) | sed -n 's/.*inet6\{0,1\} \([0-9a-fA-F.:]*\).*/\1/p'
echo "@@updatelog"; U="$HOME/.hermes/logs/update.log"; if [ -f "$U" ]; then (stat -c %Y "$U" 2>/dev/null || stat -f %m "$U"); tail -n 20 "$U"; fi
`;

/** The StandardErrorPath of a plist we wrote (launchd logs the dashboard's stderr there). */
export function plistErrorLog(file: string | undefined): string | undefined {
  return file ? /<key>StandardErrorPath<\/key>\s*<string>([^<]+)<\/string>/.exec(file)?.[1] : undefined;
}

/** The shell script of the deep read for this service. */
export function renderDeepScript(v: ServiceView | undefined): string {
  const kind = v?.location.kind;
  if (kind === 'systemd-user' || kind === 'systemd-system') {
    const user = kind === 'systemd-user';
    const ctl = user ? `${USER_BUS_ENV} systemctl --user` : 'systemctl';
    return `${COMMON}
echo "@@restart"; ${ctl} show ${UNIT_NAME} -p Restart --value 2>/dev/null
echo "@@journal"; journalctl ${user ? '--user ' : ''}-u ${UNIT_NAME} -n 30 -o short-unix --no-pager 2>/dev/null
`;
  }
  const log = plistErrorLog(v?.file);
  return log ? `${COMMON}\necho "@@errlog"; tail -n 30 ${quote(log)} 2>/dev/null\n` : COMMON;
}

export function section(out: string, name: string): string {
  const m = new RegExp(`@@${name}\\n([\\s\\S]*?)(?=\\n@@|$)`).exec(out);
  return (m?.[1] ?? '').trim();
}

export interface ServiceEvidence {
  /** systemd: the effective Restart= (always, on-failure, no, …). */
  restart?: string;
  /** systemd: the unit's last journal lines (`<epoch> host unit: message`); launchd: the error log's tail. */
  log: string[];
  /** ~/.hermes/logs/update.log: when it was last written, and its tail. */
  updateLog?: { mtime: number; tail: string[] };
}

export function parseEvidence(out: string): ServiceEvidence {
  const lines = (s: string): string[] =>
    s
      .split('\n')
      .map((l) => l.trimEnd())
      .filter(Boolean);
  const [mtime, ...tail] = lines(section(out, 'updatelog'));
  return {
    ...(section(out, 'restart') ? { restart: section(out, 'restart') } : {}),
    log: lines(section(out, 'journal') || section(out, 'errlog')),
    ...(mtime && /^\d+$/.test(mtime) ? { updateLog: { mtime: Number(mtime), tail } } : {}),
  };
}
