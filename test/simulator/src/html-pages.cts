/** SPA index, headless root page and login page. */
import fs from 'node:fs';
import path from 'node:path';

export function getWebDistDir(installDir: string, env: NodeJS.ProcessEnv): string {
  const override = env['HERMES_WEB_DIST'];
  return override && override !== '' ? override : path.join(installDir, 'hermes_cli', 'web_dist');
}

function injectToken(html: string, token: string | null): string {
  if (token === null) return html;
  const tag = `<script>window.__HERMES_SESSION_TOKEN__ = ${JSON.stringify(token)};</script>`;
  return html.includes('</head>') ? html.replace('</head>', `${tag}</head>`) : tag + html;
}

export function renderSpaIndex(distDir: string, token: string | null): string {
  const html = fs.readFileSync(path.join(distDir, 'index.html'), 'utf8');
  return injectToken(html, token);
}

export function renderHeadlessRoot(token: string): string {
  return injectToken('<!doctype html><html><head><meta charset="utf-8"><title>Hermes backend</title></head><body></body></html>', token);
}

export function renderLoginPage(): string {
  return [
    '<!doctype html><html><head><meta charset="utf-8"><title>Hermes — Sign in</title></head><body>',
    '<form method="post" action="/auth/password-login">',
    '<input type="hidden" name="provider" value="basic">',
    '<input name="username" autocomplete="username"><input name="password" type="password">',
    '<button type="submit">Sign in</button></form></body></html>',
  ].join('');
}
