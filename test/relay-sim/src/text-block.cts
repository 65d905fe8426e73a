/**
 * The text `hermes pair` prints (§18.7: a text block, no `--json`). The relay and invite sections are the observed
 * lines of §18.7 (indented `URL  :` and `Code :` lines); the rest follows pair.py `render_text_block`
 * (Codename-11/hermes-relay plugin/pair.py @01533337) and is filler a client must not depend on — it holds other
 * `URL`-like lines on purpose, so a parser that takes the first URL it sees fails.
 */

export interface TextBlockInput {
  apiUrl: string;
  key: string;
  /** `codeTtlSeconds` is 600 (pair.py prints a fixed "10 min"); only the test knob changes it. */
  relay?: { url: string; code: string; ttlSeconds: number; codeTtlSeconds: number; grants?: Record<string, number> };
  inviteUrl?: string;
  color: boolean;
}

/** pair.py `format_duration_label`. */
export function durationLabel(ttl: number): string {
  if (ttl === 0) return 'indefinitely';
  const day = 86400;
  const unit = (n: number, w: string): string => `${n} ${w}${n !== 1 ? 's' : ''}`;
  if (ttl % (365 * day) === 0) return unit(ttl / (365 * day), 'year');
  if (ttl % day === 0) return unit(ttl / day, 'day');
  if (ttl % 3600 === 0) return unit(ttl / 3600, 'hour');
  return `${ttl} seconds`;
}

function paint(on: boolean): (code: string, s: string) => string {
  return (code, s) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
}

function relayLines(r: NonNullable<TextBlockInput['relay']>, c: ReturnType<typeof paint>): string[] {
  const lines = [
    '',
    c('1', '  Relay (terminal + bridge)'),
    `  ${'-'.repeat(40)}`,
    `  ${c('36', 'URL  :')} ${r.url}`,
    `  ${c('36', 'Code :')} ${c('1;32', r.code)}  (expires in ${Math.floor(r.codeTtlSeconds / 60)} min, one-shot)`,
  ];
  lines.push(
    r.ttlSeconds === 0 ? `  Pair : ${durationLabel(0)} (never expires)` : `  Pair : for ${durationLabel(r.ttlSeconds)}`,
  );
  if (r.grants && Object.keys(r.grants).length > 0) {
    lines.push(
      `  Grants: ${Object.entries(r.grants)
        .map(([k, v]) => `${k}=${durationLabel(v)}`)
        .join(', ')}`,
    );
  }
  return lines;
}

export function renderTextBlock(i: TextBlockInput): string {
  const c = paint(i.color);
  const lines = [
    '',
    c('1', '  Hermes Android Pairing'),
    `  ${'-'.repeat(40)}`,
    '',
    `  API Server: ${i.apiUrl}`,
    `  API Key: ${i.key ? `${i.key.slice(0, 4)}...` : '(none - open access)'}`,
    `  API Auth: ${i.key ? 'Bearer token configured' : 'NO AUTH (open access)'}`,
    '',
    "  Enter manually in the app if QR won't scan:",
    `    API: ${i.apiUrl}`,
  ];
  if (i.relay) lines.push(...relayLines(i.relay, c));
  if (i.inviteUrl) {
    lines.push(
      '',
      c('1', '  Copy/paste pairing invite'),
      `  ${'-'.repeat(40)}`,
      `  ${c('36', 'URL  :')} ${i.inviteUrl}`,
      '  Use  : Hermes Relay Desktop -> Pair -> Paste invite',
      "         or: hermes-relay pair --pair-qr '<URL>'",
    );
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}
