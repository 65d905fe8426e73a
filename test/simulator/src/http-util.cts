/** Small response helpers shared by the HTTP routes. */
import type http from 'node:http';

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: http.OutgoingHttpHeaders = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
}

export function sendRedirect(res: http.ServerResponse, location: string): void {
  res.writeHead(302, { location, 'content-length': 0 });
  res.end();
}

export function readBody(req: http.IncomingMessage, limit = 1024 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A JSON object body → its string fields (JSON only; anything else is empty). */
export function parseJsonObject(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    const obj = JSON.parse(text) as Record<string, unknown>;
    if (typeof obj === 'object' && obj !== null)
      for (const [k, v] of Object.entries(obj)) if (typeof v === 'string') out[k] = v;
  } catch {
    /* empty */
  }
  return out;
}

const CORS_RE = /^https?:\/\/(localhost|127\.0\.0\.1)(:\d+)?$/i;

/** §7.2: CORS allows only localhost / 127.0.0.1 origins. */
export function applyCors(req: http.IncomingMessage, res: http.ServerResponse): boolean {
  const origin = req.headers.origin;
  if (!origin || !CORS_RE.test(origin)) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('access-control-allow-credentials', 'true');
  res.setHeader('vary', 'Origin');
  return true;
}
