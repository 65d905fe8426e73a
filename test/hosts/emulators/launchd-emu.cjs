#!/usr/bin/env node
'use strict';
// Per-host launchd emulator daemon (runs as root inside the host's namespaces). launchctl.cjs talks to
// it over <state>/emu.sock. Usage: launchd-emu.cjs --state <dir> [--login]
// Usage: launchd-emu.cjs --state <dir> [--login | --boot]
// <state>/config.json: { users: [{uid,gid,name,home,shell}], drainMs, ownerPid, bootoutWaitMs,
//   bootoutEinprogressChance, strictSessionType, guiBootstrapFails }
const fs = require('fs');
const net = require('net');
const path = require('path');
const { Job } = require('./launchd-jobs.cjs');
const { loadPlistJob, readOverrides, writeOverride, sessionOf } = require('./launchd-load.cjs');
const P = require('./launchd-print.cjs');

const argv = process.argv.slice(2);
const stateDir = argv[argv.indexOf('--state') + 1];
const config = JSON.parse(fs.readFileSync(path.join(stateDir, 'config.json'), 'utf8'));
const drainMs = config.drainMs ?? 1500;
const bootoutWaitMs = config.bootoutWaitMs ?? 1000;
const einprogressChance = config.bootoutEinprogressChance ?? 0;
const guiBootstrapFails = config.guiBootstrapFails || null;
const logFd = fs.openSync(path.join(stateDir, 'launchd.log'), 'a');
const log = (m) => fs.writeSync(logFd, `${new Date().toISOString()} ${m}\n`);
const users = [{ uid: 0, gid: 0, name: 'root', home: '/var/root', shell: '/bin/sh' }, ...config.users];
/** domain -> Map(label -> Job) */
const domains = new Map();
const asid = 100000 + (process.pid % 1000);
const ctx = { stateDir, users, domains, log, Job, drainMs, strictSessionType: config.strictSessionType !== false };

const guiPresent = () => {
  try {
    return fs.readFileSync(path.join(stateDir, 'gui-session'), 'utf8').trim() !== '0';
  } catch {
    return true;
  }
};
const out = (code, stdout = '', stderr = '') => ({ code, stdout, stderr });
const jobsOf = (d) => [...(domains.get(d) || new Map()).values()];
const findJob = (d, label) => domains.get(d)?.get(label);

function parseTarget(spec) {
  const m = /^(gui|user)\/(\d+)(?:\/(.+))?$/.exec(spec || '') || /^(system)(?:\/(.+))?$/.exec(spec || '');
  if (!m) return null;
  if (m[1] === 'system') return { domain: 'system', uid: 0, label: m[2] };
  return { domain: `${m[1]}/${m[2]}`, uid: Number(m[2]), label: m[3], gui: m[1] === 'gui' };
}

/** null when `req` may act on target `t`, else the launchd error code. */
function domainError(t, req) {
  if (t.gui && !guiPresent()) return 125;
  if (t.domain === 'system') return req.uid === 0 ? null : 1;
  if (!users.some((u) => u.uid === t.uid)) return 112;
  if (req.uid !== 0 && req.uid !== t.uid) return 1;
  return null;
}

const sessionDomain = (req) => (req.ssh || !guiPresent() ? `user/${req.uid}` : `gui/${req.uid}`);
const usage = (verb, text) => out(64, '', `Usage: launchctl ${verb} ${text}\n`);
const richer = (req, detail) =>
  req.uid === 0 ? `${detail}\n` : 'Try re-running the command as root for richer errors.\n';

function bootout(job) {
  if (job.draining) return;
  job.draining = true;
  const d = domains.get(job.domain);
  Promise.all([job.remove(), new Promise((r) => setTimeout(r, drainMs))]).then(() => {
    if (d && d.get(job.label) === job) d.delete(job.label);
    log(`${job.domain}/${job.label}: removed`);
  });
}

function bootstrapPaths(req, t, paths, failPrefix) {
  for (const p of paths) {
    const r = loadPlistJob(ctx, path.resolve(req.cwd || '/', p), t.domain);
    if (r.error) {
      log(`bootstrap ${t.domain} ${p}: ${r.detail}`);
      return out(r.error, '', `${failPrefix}: ${P.errorText(r.error)}\n${r.error === 5 ? richer(req, r.detail) : ''}`);
    }
  }
  return out(0);
}

async function handle(req) {
  const [verb, ...args] = req.argv;
  const flags = args.filter((a) => a.startsWith('-'));
  const pos = args.filter((a) => !a.startsWith('-'));
  const target = () => parseTarget(pos[0]);
  switch (verb) {
    case 'bootstrap': {
      const t = target();
      if (!t || t.label || pos.length < 2) return usage(verb, '<domain-target> <service-path> [service-path ...]');
      const e = domainError(t, req);
      if (e) return out(e, '', `Bootstrap failed: ${P.errorText(e)}\n`);
      if (t.gui && guiBootstrapFails) {
        log(`bootstrap ${t.domain}: refused (macOS 26 gui/ domain quirk, ${guiBootstrapFails})`);
        return out(
          guiBootstrapFails,
          '',
          `Bootstrap failed: ${P.errorText(guiBootstrapFails)}\n${guiBootstrapFails === 5 ? richer(req, 'gui domain refused the bootstrap') : ''}`,
        );
      }
      return bootstrapPaths(req, t, pos.slice(1), 'Bootstrap failed');
    }
    case 'bootout': {
      const t = target();
      if (!t || (!t.label && pos.length < 2))
        return usage(verb, '<domain-target> [service-path ...] | <service-target>');
      const e = domainError(t, req);
      if (e) return out(e, '', `Boot-out failed: ${P.errorText(e)}\n`);
      let labels = t.label ? [t.label] : [];
      if (!t.label) {
        for (const p of pos.slice(1)) {
          const r = loadPlistJob(ctx, path.resolve(req.cwd || '/', p), t.domain, { parseOnly: true });
          if (r.error) return out(5, '', `Boot-out failed: ${P.errorText(5)}\n`);
          labels.push(r.label);
        }
      }
      let inProgress = false;
      for (const l of labels) {
        const job = findJob(t.domain, l);
        if (job && job.draining && job.proc) {
          inProgress = true;
          continue;
        }
        if (!job || job.draining) return out(3, '', `Boot-out failed: ${P.errorText(3)}\n`);
        bootout(job);
        // launchctl waits a little for the job to exit; past that it answers 36 (EINPROGRESS) and the
        // bootout completes in the background (README, rule 4).
        if (!(await job.exitedWithin(bootoutWaitMs)) || Math.random() < einprogressChance) inProgress = true;
      }
      return inProgress ? out(36, '', `Boot-out failed: ${P.errorText(36)}\n`) : out(0);
    }
    case 'enable':
    case 'disable': {
      const t = target();
      if (!t || !t.label) return usage(verb, '<service-target>');
      const e = domainError(t, req);
      if (e) return out(e, '', `Could not ${verb} service: ${P.errorText(e)}\n`);
      writeOverride(ctx, t.domain, t.label, verb === 'disable');
      return out(0);
    }
    case 'kickstart': {
      const t = target();
      if (!t || !t.label) return usage(verb, '[-kp] <service-target>');
      const e = domainError(t, req) || (t.gui && guiBootstrapFails ? 125 : null);
      if (e) return out(e, '', `Could not kickstart service "${t.label}": ${P.errorText(e)}\n`);
      const job = findJob(t.domain, t.label);
      if (!job || job.draining) return out(113, '', P.notFound(t.label, t.domain));
      const kill = flags.some((f) => f.includes('k'));
      // -k kills the running instance with SIGKILL (README, rule 3), then starts it at once.
      if (job.proc && kill) {
        await job.stop('SIGKILL');
        job.start('kickstart -k');
      } else if (!job.proc) job.start('kickstart');
      const wantPid = flags.some((f) => f.includes('p'));
      return out(0, wantPid && job.pid ? `${job.pid}\n` : '');
    }
    case 'print': {
      const t = target();
      if (!t) return usage(verb, '<domain-target> | <service-target>');
      const e = domainError(t, req);
      if (e && e !== 1)
        return out(
          e,
          '',
          t.label ? `Could not print service: ${P.errorText(e)}\n` : `Could not print domain: ${P.errorText(e)}\n`,
        );
      if (!t.label) return out(0, P.printDomain(t.domain, jobsOf(t.domain), asid));
      const job = findJob(t.domain, t.label);
      return job ? out(0, P.printJob(job, asid)) : out(113, '', P.notFound(t.label, t.domain));
    }
    case 'print-disabled': {
      const t = target();
      if (!t || t.label) return usage(verb, '<domain-target>');
      const e = domainError(t, req);
      if (e && e !== 1) return out(e, '', `Could not print disabled services: ${P.errorText(e)}\n`);
      return out(0, P.printDisabled(readOverrides(ctx, t.domain)));
    }
    case 'list': {
      const d = sessionDomain(req);
      if (!pos[0]) return out(0, P.listAll(jobsOf(d)));
      const job = findJob(d, pos[0]);
      return job ? out(0, P.listOne(job)) : out(113, '', `Could not find service "${pos[0]}" in domain for port\n`);
    }
    case 'load':
    case 'unload': {
      const d = sessionDomain(req);
      const t = parseTarget(d);
      if (!pos.length) return usage(verb, '[-w] <service-path>');
      for (const p of pos) {
        const r = loadPlistJob(ctx, path.resolve(req.cwd || '/', p), d, { parseOnly: true });
        if (r.error) return out(5, '', `${verb === 'load' ? 'Load' : 'Unload'} failed: ${P.errorText(5)}\n`);
        if (flags.includes('-w')) writeOverride(ctx, d, r.label, verb === 'unload');
        const job = findJob(d, r.label);
        if (verb === 'unload') {
          if (job) bootout(job);
          else return out(113, '', P.notFound(r.label, d));
          continue;
        }
        if (job) return out(37, '', `${p}: service already loaded\nLoad failed: ${P.errorText(37)}\n`);
        const b = bootstrapPaths(req, t, [p], 'Load failed');
        if (b.code) return b;
      }
      return out(0);
    }
    case 'managername':
      return out(0, req.ssh || !guiPresent() ? 'Background\n' : 'Aqua\n');
    case 'error':
      return out(0, `${P.ERRORS[Number(pos[0])] || 'Unknown error'}\n`);
    case 'version':
      return out(0, 'Darwin Bootstrapper Version 7.0.0: launchd emulator (hermes-setup tests)\n');
    case '__emu':
      return control(req, pos);
    default:
      return out(
        verb ? 1 : 64,
        '',
        `${verb ? `Unrecognized subcommand: ${verb}\n` : ''}Usage: launchctl <subcommand> ... | help [subcommand]\n`,
      );
  }
}

/** Boot: LaunchDaemons, then LaunchAgents only if a GUI login follows (auto-login, or the FileVault unlock). */
function loadAtBoot() {
  for (const p of safeList('/Library/LaunchDaemons')) loadPlistJob(ctx, p, 'system', { login: true });
  if (!guiPresent()) return;
  for (const u of config.users)
    for (const p of safeList(path.join(u.home, 'Library', 'LaunchAgents')))
      loadPlistJob(ctx, p, `gui/${u.uid}`, { login: true });
}

function loadAgentsAtLogin() {
  for (const p of safeList('/Library/LaunchDaemons')) loadPlistJob(ctx, p, 'system', { login: true });
  const gui = guiPresent();
  for (const u of config.users) {
    const dir = path.join(u.home, 'Library', 'LaunchAgents');
    for (const p of safeList(dir)) loadPlistJob(ctx, p, `${gui ? 'gui' : 'user'}/${u.uid}`, { login: true });
  }
}

function safeList(dir) {
  try {
    return fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.plist'))
      .sort()
      .map((f) => path.join(dir, f));
  } catch {
    return [];
  }
}

async function control(req, pos) {
  if (req.uid !== 0) return out(1, '', 'not permitted\n');
  if (pos[0] === 'ping') return out(0, `${process.pid}\n`);
  if (pos[0] === 'shutdown') {
    const procs = [];
    for (const jobs of domains.values())
      for (const j of jobs.values()) {
        j.removed = true;
        if (j.proc) procs.push(new Promise((r) => j.proc.once('exit', r)));
      }
    killAll();
    return Promise.all(procs).then(() => {
      setTimeout(() => process.exit(0), 20);
      return out(0);
    });
  }
  if (pos[0] === 'set-gui') {
    const on = pos[1] === '1';
    fs.writeFileSync(path.join(stateDir, 'gui-session'), on ? '1\n' : '0\n');
    for (const [d, jobs] of domains)
      if (d.startsWith('gui/') && !on) {
        for (const j of jobs.values()) j.remove();
        domains.delete(d);
      }
    if (on)
      for (const u of config.users)
        for (const p of safeList(path.join(u.home, 'Library', 'LaunchAgents')))
          loadPlistJob(ctx, p, `gui/${u.uid}`, { login: true });
    return out(0);
  }
  return out(64, '', 'unknown control\n');
}

function killAll() {
  for (const jobs of domains.values())
    for (const j of jobs.values()) {
      j.removed = true;
      try {
        j.proc?.kill('SIGKILL');
      } catch {
        /* gone */
      }
    }
}

const sockPath = path.join(stateDir, 'emu.sock');
try {
  fs.unlinkSync(sockPath);
} catch {
  /* none */
}
const server = net.createServer({ allowHalfOpen: true }, (c) => {
  let buf = '';
  c.on('data', (d) => {
    buf += d;
  });
  c.on('error', () => undefined);
  c.on('end', () => {
    let req;
    try {
      req = JSON.parse(buf);
    } catch {
      c.end(JSON.stringify(out(118, '', 'bad request\n')));
      return;
    }
    handle(req).then(
      (r) => c.end(JSON.stringify(r)),
      (e) => {
        log(`error: ${e.stack}`);
        c.end(JSON.stringify(out(118, '', `${e.message}\n`)));
      },
    );
  });
});
server.listen(sockPath, () => {
  fs.chmodSync(sockPath, 0o666);
  fs.writeFileSync(path.join(stateDir, 'launchd.pid'), `${process.pid}\n`);
  log(`launchd emulator up, pid ${process.pid}`);
  if (argv.includes('--login')) loadAgentsAtLogin();
  else if (argv.includes('--boot')) loadAtBoot();
});
for (const s of ['SIGTERM', 'SIGINT'])
  process.on(s, () => {
    killAll();
    process.exit(0);
  });
if (config.ownerPid) {
  setInterval(() => {
    try {
      process.kill(config.ownerPid, 0);
    } catch {
      log('owner gone; exiting');
      killAll();
      process.exit(0);
    }
  }, 1000).unref();
}
