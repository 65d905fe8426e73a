// Reading what the real `hermes pair --no-qr` prints (docs/hermes-contract.md#c16): a text block, not JSON. The parts
// used are the indented `Code :` line of the relay section, the `URL  :` line holding the hermes-relay:// invite,
// and the relay's own `URL  :` line; spacing and ANSI colour codes are tolerated. A relay that `hermes pair` cannot
// reach prints "Relay not running at localhost:<port> — QR will configure chat only" and no code (exit 0). Pure.
import { stripAnsi } from './clean-code.js';

export interface MintText {
  code?: string;
  /** The hermes-relay://pair?payload=… invite, when printed. */
  inviteUrl?: string;
  /** The relay section's ws(s):// URL, when printed. */
  relayUrl?: string;
  /** "(expires in 10 min, one-shot)" → 600. */
  codeTtlSeconds?: number;
  /** Set when the command said the relay is not running; the port it probed, when it named one. */
  relayNotRunning?: { port?: number };
}

const CODE_LINE = /^[ \t]*Code[ \t]*:[ \t]*([A-Za-z0-9]{6})(?![A-Za-z0-9])(.*)$/m;
const INVITE = /hermes-relay:\/\/pair\?[^\s'"<>]+/;
const RELAY_URL_LINE = /^[ \t]*URL[ \t]*:[ \t]*(wss?:\/\/\S+)/m;
const NOT_RUNNING = /Relay not running(?: at [^\s:]*:(\d+))?/i;

export function parseMintText(stdout: string): MintText {
  const text = stripAnsi(stdout).replace(/\r/g, '');
  const out: MintText = {};
  const code = CODE_LINE.exec(text);
  if (code) {
    out.code = code[1]!.toUpperCase();
    const mins = /expires in (\d+)\s*min/i.exec(code[2] ?? '');
    if (mins) out.codeTtlSeconds = Number(mins[1]) * 60;
  }
  const invite = INVITE.exec(text);
  if (invite) out.inviteUrl = invite[0];
  const relay = RELAY_URL_LINE.exec(text);
  if (relay) out.relayUrl = relay[1]!;
  const down = NOT_RUNNING.exec(text);
  if (down) out.relayNotRunning = down[1] ? { port: Number(down[1]) } : {};
  return out;
}
