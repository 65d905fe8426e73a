'use strict';
// Job supervision for the launchd emulator: spawn with launchd's environment rules, EX_CONFIG (78)
// pre-checks, KeepAlive respawn throttled by ThrottleInterval, SIGTERM stop with ExitTimeOut → SIGKILL.
const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');

const DEFAULT_PATH = '/usr/bin:/bin:/usr/sbin:/sbin';

/** Can `user` ({uid,gid}) do `bits` (2=w, 1=x, 4=r) on `st`? */
function allowed(st, user, bits) {
  if (user.uid === 0) return true;
  if (st.uid === user.uid) return ((st.mode >> 6) & bits) === bits;
  if (st.gid === user.gid) return ((st.mode >> 3) & bits) === bits;
  return (st.mode & bits) === bits;
}

/** null when launchd could open the log path for the job's user, else a reason. */
function checkLogPath(p, user) {
  if (!path.isAbsolute(p)) return `log path not absolute: ${p}`;
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    let dst;
    try {
      dst = fs.statSync(path.dirname(p));
    } catch {
      return `parent directory missing: ${path.dirname(p)}`;
    }
    if (!dst.isDirectory()) return `parent not a directory: ${path.dirname(p)}`;
    return allowed(dst, user, 3) ? null : `parent directory not writable: ${path.dirname(p)}`;
  }
  return allowed(st, user, 2) ? null : `log file not writable: ${p}`;
}

function checkProgram(prog, user) {
  if (!prog || !path.isAbsolute(prog)) return `program path not absolute: ${prog}`;
  try {
    const st = fs.statSync(prog);
    if (!st.isFile() || !allowed(st, user, 1) || (st.mode & 0o111) === 0) return `program not executable: ${prog}`;
  } catch {
    return `program missing: ${prog}`;
  }
  return null;
}

function openLog(p, user) {
  const existed = fs.existsSync(p);
  const fd = fs.openSync(p, 'a', 0o644);
  if (!existed && user.uid !== 0) fs.fchownSync(fd, user.uid, user.gid);
  return fd;
}

class Job {
  constructor({ label, plistPath, plist, domain, user, log }) {
    Object.assign(this, { label, plistPath, plist, domain, user, log });
    this.proc = null;
    this.pid = null;
    this.runs = 0;
    this.lastExit = null; // {code} | {signal, signo}
    this.lastSpawnAt = 0;
    this.respawnTimer = null;
    this.removed = false;
    this.exitWaiters = [];
    this.exitWatchers = [];
  }

  get argv() {
    const pa = Array.isArray(this.plist.ProgramArguments) ? this.plist.ProgramArguments.map(String) : [];
    return pa.length ? pa : this.plist.Program ? [String(this.plist.Program)] : [];
  }
  get program() {
    return this.plist.Program ? String(this.plist.Program) : this.argv[0];
  }
  get throttle() {
    return typeof this.plist.ThrottleInterval === 'number' ? this.plist.ThrottleInterval : 10;
  }
  /** `spawn type` in `launchctl print` (ProcessType; none or Standard = daemon (3)). */
  get spawnType() {
    const t = { Interactive: 'interactive (4)', Background: 'background (5)', Adaptive: 'adaptive (6)' }[
      this.plist.ProcessType
    ];
    return t || 'daemon (3)';
  }
  get exitTimeout() {
    return typeof this.plist.ExitTimeOut === 'number' ? this.plist.ExitTimeOut : 20;
  }
  get state() {
    if (this.proc) return 'running';
    if (this.respawnTimer) return 'spawn scheduled';
    return 'not running';
  }

  environment() {
    const u = this.user;
    const env = {
      PATH: DEFAULT_PATH,
      HOME: u.home,
      USER: u.name,
      LOGNAME: u.name,
      SHELL: u.shell || '/bin/zsh',
      TMPDIR: '/tmp/',
      XPC_SERVICE_NAME: this.label,
      XPC_FLAGS: '0x0',
    };
    const ev = this.plist.EnvironmentVariables;
    if (ev && typeof ev === 'object') for (const [k, v] of Object.entries(ev)) env[k] = String(v);
    return env;
  }

  /** Spawns now. Failures launchd reports as EX_CONFIG never create a process. */
  start(reason) {
    if (this.removed || this.proc) return;
    clearTimeout(this.respawnTimer);
    this.respawnTimer = null;
    this.runs++;
    this.lastSpawnAt = Date.now();
    const u = this.user;
    const p = this.plist;
    const problem =
      checkProgram(this.program, u) ||
      (p.StandardOutPath && checkLogPath(String(p.StandardOutPath), u)) ||
      (p.StandardErrorPath && checkLogPath(String(p.StandardErrorPath), u));
    if (problem) {
      this.log(`${this.domain}/${this.label}: spawn failed (${problem}): EX_CONFIG`);
      return this.onExit(78, null);
    }
    let outFd = 'ignore';
    let errFd = 'ignore';
    try {
      if (p.StandardOutPath) outFd = openLog(String(p.StandardOutPath), u);
      if (p.StandardErrorPath)
        errFd = p.StandardErrorPath === p.StandardOutPath ? outFd : openLog(String(p.StandardErrorPath), u);
    } catch (e) {
      this.log(`${this.label}: open log: ${e.message}`);
      return this.onExit(78, null);
    }
    const cwd = p.WorkingDirectory ? String(p.WorkingDirectory) : '/';
    let child;
    try {
      child = spawn(this.program, this.argv.slice(1), {
        argv0: this.argv[0],
        cwd,
        env: this.environment(),
        stdio: ['ignore', outFd, errFd],
        uid: u.uid,
        gid: u.gid,
        detached: true,
      });
    } catch (e) {
      child = null;
      this.log(`${this.label}: spawn threw ${e.message}`);
    }
    for (const fd of new Set([outFd, errFd])) if (typeof fd === 'number') fs.closeSync(fd);
    if (!child || child.pid === undefined) {
      if (child) child.on('error', () => undefined);
      return this.onExit(78, null);
    }
    this.proc = child;
    this.pid = child.pid;
    this.log(`${this.domain}/${this.label}: spawned pid ${child.pid} (${reason}), runs=${this.runs}`);
    child.on('error', (e) => this.log(`${this.label}: ${e.message}`));
    child.on('exit', (code, signal) => {
      this.proc = null;
      this.pid = null;
      this.onExit(code, signal);
    });
  }

  onExit(code, signal) {
    const os = require('os');
    this.lastExit = signal ? { signal, signo: os.constants.signals[signal] || 0 } : { code };
    this.log(`${this.domain}/${this.label}: exited ${signal || code}`);
    for (const w of this.exitWatchers.splice(0)) w();
    const waiters = this.exitWaiters.splice(0);
    for (const w of waiters) w();
    if (this.removed || waiters.length) return;
    if (this.shouldRespawn(code, signal)) this.scheduleRespawn();
  }

  shouldRespawn(code, signal) {
    const ka = this.plist.KeepAlive;
    if (ka === true) return true;
    if (!ka || typeof ka !== 'object') return false;
    if (ka.Crashed === true && signal) return true;
    if (ka.Crashed === false && !signal) return true;
    if (ka.SuccessfulExit === true && code === 0) return true;
    if (ka.SuccessfulExit === false && (signal || code !== 0)) return true;
    return false;
  }

  scheduleRespawn() {
    const delay = Math.max(0, this.lastSpawnAt + this.throttle * 1000 - Date.now());
    if (delay > 0)
      this.log(`${this.label}: service only ran briefly; pushing respawn out by ${(delay / 1000).toFixed(1)} s`);
    this.respawnTimer = setTimeout(() => {
      this.respawnTimer = null;
      this.start('keepalive');
    }, delay);
  }

  /** SIGTERM, then SIGKILL after ExitTimeOut (or SIGKILL at once: `kickstart -k`). Resolves when the process is gone. */
  stop(signal = 'SIGTERM') {
    clearTimeout(this.respawnTimer);
    this.respawnTimer = null;
    if (!this.proc) return Promise.resolve();
    const proc = this.proc;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        try {
          proc.kill('SIGKILL');
        } catch {
          /* gone */
        }
      }, this.exitTimeout * 1000);
      this.exitWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
      try {
        proc.kill(signal);
      } catch {
        /* gone */
      }
    });
  }

  /** Resolves true when the process (if any) has exited within `ms`, false otherwise. */
  exitedWithin(ms) {
    if (!this.proc) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      this.exitWatchers.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Boots out: mark removed and stop. */
  remove() {
    this.removed = true;
    return this.stop();
  }

  /** Whether the plist asks launchd to start the job when it is loaded. */
  startsAtLoad() {
    const ka = this.plist.KeepAlive;
    return this.plist.RunAtLoad === true || ka === true || (ka && typeof ka === 'object' && 'SuccessfulExit' in ka);
  }
}

module.exports = { Job, DEFAULT_PATH };
