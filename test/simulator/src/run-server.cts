/** `hermes dashboard` / `hermes serve` start-up: bind, READY line, singleton, signals (§6). */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { ParsedArgs } from './args.cjs';
import type { SimContext } from './context.cjs';
import { resolveVersion } from './builds.cjs';
import { ConfigUnreadable, readConfig } from './config-yaml.cjs';
import { isServeEra } from './generations.cjs';
import { createRequestHandler } from './http-app.cjs';
import { getWebDistDir } from './html-pages.cjs';
import { type ServerConfig, StartupExit, resolveServerConfig } from './server-config.cjs';
import { decideAttach, readLiveOwner, removeOwnerIfMine, resolveLockDir, writeOwner } from './singleton.cjs';
import { readSshTokenFile } from './ssh-token.cjs';
import { handleUpgrade } from './ws-server.cjs';

function writeReadyFile(port: number): void {
  const target = process.env['HERMES_DESKTOP_READY_FILE'];
  if (!target) return;
  const tmp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, JSON.stringify({ port }));
  fs.renameSync(tmp, target);
}

function formatUrl(host: string, port: number): string {
  return host.includes(':') ? `http://[${host}]:${port}` : `http://${host}:${port}`;
}

function printReady(cfg: ServerConfig, port: number): void {
  const url = formatUrl(cfg.bindHost, port);
  const lines = cfg.headless
    ? [`HERMES_BACKEND_READY port=${port}`, `Hermes backend listening on ${url}`]
    : [`HERMES_DASHBOARD_READY port=${port}`, `  Hermes Web UI → ${url}`];
  fs.writeSync(1, lines.join('\n') + '\n');
}

function listen(server: http.Server, cfg: ServerConfig): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: cfg.bindHost, port: cfg.port }, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : cfg.port);
    });
  });
}

function installSignalHandlers(server: http.Server, lockDir: string | null): void {
  const stop = (): void => {
    process.stderr.write('INFO:     Shutting down\nINFO:     Finished server process [' + process.pid + ']\n');
    if (lockDir) removeOwnerIfMine(lockDir);
    server.close();
    server.closeAllConnections?.();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('SIGHUP', stop);
}

function checkSingleton(cfg: ServerConfig, args: ParsedArgs, given: Set<string>): string | null {
  if (!isServeEra(cfg.generation) || args['isolated'] === true || cfg.desktopOwned) return null;
  const lockDir = resolveLockDir(process.env);
  const owner = readLiveOwner(lockDir);
  if (!owner) return lockDir;
  const wanted = {
    host: given.has('host') ? cfg.bindHost : undefined,
    port: given.has('port') ? cfg.port : undefined,
  };
  const d = decideAttach(owner, cfg.command, wanted);
  throw new StartupExit(d.exitCode, d.message);
}

function prepareConfig(ctx: SimContext, command: 'dashboard' | 'serve', args: ParsedArgs): ServerConfig {
  const sshFile = args['ssh_session_token_file'];
  const sshToken = typeof sshFile === 'string' ? readSshTokenFile(sshFile, os.homedir()) : null;
  let config;
  try {
    config = readConfig(ctx.hermesHome);
  } catch (err) {
    if (err instanceof ConfigUnreadable) throw new StartupExit(1, err.message);
    throw err;
  }
  const dirs = { hermesHome: ctx.hermesHome, installDir: ctx.installDir };
  const cfg = resolveServerConfig({ build: ctx.build, command, args, env: process.env, config, dirs, sshToken });
  const dist = getWebDistDir(ctx.installDir, process.env);
  if (!cfg.headless && args['skip_build'] === true && !fs.existsSync(path.join(dist, 'index.html'))) {
    throw new StartupExit(
      1,
      `Web UI not built: ${path.join(dist, 'index.html')} is missing. Run without --skip-build (needs npm) or set HERMES_WEB_DIST.`,
    );
  }
  if (cfg.headless) process.env['HERMES_SERVE_HEADLESS'] = '1';
  return cfg;
}

export async function runServer(
  ctx: SimContext,
  command: 'dashboard' | 'serve',
  args: ParsedArgs,
  given: Set<string>,
): Promise<number> {
  const cfg = prepareConfig(ctx, command, args);
  const lockDir = checkSingleton(cfg, args, given);
  const server = http.createServer(createRequestHandler(cfg));
  server.on('upgrade', (req: http.IncomingMessage, socket, head: Buffer) => handleUpgrade(cfg, req, socket, head));
  process.stderr.write(`INFO:     Started server process [${process.pid}]\n`);
  let port: number;
  try {
    port = await listen(server, cfg);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(
      `ERROR:    [Errno ${e.errno ?? 98}] error while attempting to bind on address ('${cfg.bindHost}', ${cfg.port}): ${e.code === 'EADDRINUSE' ? 'address already in use' : e.message}\n`,
    );
    return 1;
  }
  if (lockDir) {
    const version = resolveVersion(cfg.build, cfg.installDir);
    writeOwner(
      lockDir,
      { pid: process.pid, host: cfg.bindHost, port, kind: command, version, started_at: Date.now() / 1000 },
      cfg.token,
    );
  }
  installSignalHandlers(server, lockDir);
  process.stderr.write(`INFO:     Uvicorn running on ${formatUrl(cfg.bindHost, port)} (Press CTRL+C to quit)\n`);
  writeReadyFile(port);
  printReady(cfg, port);
  return new Promise<number>(() => {
    /* runs until a signal */
  });
}
