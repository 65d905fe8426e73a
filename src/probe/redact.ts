// Secrets (session token, ws ticket, password, cookies) must never reach a returned string or a log line.

const QUERY_SECRET = /\b(token|ticket)=[^&\s"'#]*/gi;

/**
 * Replaces `token=…` / `ticket=…` query values with `***` and every literal occurrence of the given secrets
 * (raw and URL-encoded) with `***`. Secrets shorter than 3 characters are ignored (they would shred text).
 */
export function redactSecrets(text: string, secrets: ReadonlyArray<string | undefined> = []): string {
  let out = text.replace(QUERY_SECRET, '$1=***');
  for (const secret of secrets) {
    if (!secret || secret.length < 3) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  return out;
}
