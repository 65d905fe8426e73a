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
  return injectToken(
    '<!doctype html><html><head><meta charset="utf-8"><title>Hermes backend</title></head><body></body></html>',
    token,
  );
}

/** §18.1: the login form POSTs JSON `{provider, username, password, next}` with fetch (no form encoding). */
export function renderLoginPage(): string {
  return [
    '<!doctype html><html><head><meta charset="utf-8"><title>Hermes — Sign in</title></head><body>',
    '<form id="login"><input name="username" autocomplete="username"><input name="password" type="password">',
    '<button type="submit">Sign in</button></form><script>',
    'document.getElementById("login").addEventListener("submit",async(e)=>{e.preventDefault();const f=new FormData(e.target);',
    'const r=await fetch("/auth/password-login",{method:"POST",headers:{"content-type":"application/json"},',
    'body:JSON.stringify({provider:"basic",username:f.get("username"),password:f.get("password"),next:new URLSearchParams(location.search).get("next")||"/"})});',
    'if(r.ok)location.href=(await r.json()).next;});</script></body></html>',
  ].join('');
}
