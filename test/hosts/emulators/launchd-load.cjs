'use strict';
// Loading a plist into a launchd emulator domain: ownership/permission checks, parsing, session type,
// persistent disabled overrides (disabled.<uid>.plist), duplicate/draining labels.
const fs = require('fs');
const path = require('path');
const { parsePlist, renderPlist } = require('./plist.cjs');

/** The session type launchd assigns to jobs of `domain`. */
function sessionOf(domain) {
  if (domain === 'system') return 'System';
  return domain.startsWith('gui/') ? 'Aqua' : 'Background';
}

function overridesPath(ctx, domain) {
  if (domain === 'system') return path.join(ctx.stateDir, 'disabled.plist');
  return path.join(ctx.stateDir, `disabled.${domain.split('/')[1]}.plist`);
}

function readOverrides(ctx, domain) {
  try {
    const v = parsePlist(fs.readFileSync(overridesPath(ctx, domain), 'utf8'));
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
}

function writeOverride(ctx, domain, label, disabled) {
  const cur = readOverrides(ctx, domain);
  cur[label] = disabled;
  const p = overridesPath(ctx, domain);
  fs.writeFileSync(`${p}.tmp`, renderPlist(cur), { mode: 0o644 });
  fs.renameSync(`${p}.tmp`, p);
}

function userFor(ctx, domain, plist) {
  if (domain !== 'system') return ctx.users.find((u) => u.uid === Number(domain.split('/')[1]));
  const name = typeof plist.UserName === 'string' ? plist.UserName : 'root';
  return ctx.users.find((u) => u.name === name);
}

/**
 * Validates and (unless parseOnly) loads `file` into `domain`, starting it when RunAtLoad/KeepAlive say so.
 * Returns {label, job} or {error: <launchd code>, detail}.
 */
function loadPlistJob(ctx, file, domain, opts = {}) {
  const fail = (error, detail) => ({ error, detail });
  let st;
  try {
    st = fs.statSync(file);
  } catch {
    return fail(5, `${file}: No such file or directory`);
  }
  if (!st.isFile()) return fail(5, `${file}: not a regular file`);
  let plist;
  try {
    plist = parsePlist(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return fail(5, `${file}: Invalid property list (${e.message})`);
  }
  if (!plist || typeof plist !== 'object' || Array.isArray(plist)) return fail(5, `${file}: Invalid property list`);
  const label = plist.Label;
  if (typeof label !== 'string' || !label) return fail(5, `${file}: Invalid or missing service identifier`);
  if (opts.parseOnly) return { label };
  const owner = domain === 'system' ? 0 : Number(domain.split('/')[1]);
  if ((st.mode & 0o022) !== 0 || (st.uid !== owner && st.uid !== 0))
    return fail(5, `${file}: Path had bad ownership/permissions`);
  const pa = plist.ProgramArguments;
  if (!(Array.isArray(pa) && pa.length) && typeof plist.Program !== 'string')
    return fail(5, `${label}: Invalid or missing Program/ProgramArguments`);
  const limit = plist.LimitLoadToSessionType;
  const sessions = limit === undefined ? [domain === 'system' ? 'System' : 'Aqua'] : [].concat(limit).map(String);
  const session = sessionOf(domain);
  // Without LimitLoadToSessionType an agent belongs to Aqua: refused in user/<uid> (Background) unless the
  // host was started with strictSessionType: false (README, rule 6).
  const checked = opts.login || limit !== undefined || ctx.strictSessionType !== false;
  if (checked && !sessions.includes(session)) {
    return fail(5, `${label}: Service cannot load in requested session (${session})`);
  }
  if (
    plist.ProcessType !== undefined &&
    !['Interactive', 'Background', 'Standard', 'Adaptive'].includes(String(plist.ProcessType))
  ) {
    ctx.log(`${label}: unknown ProcessType ${plist.ProcessType}; treated as Standard`);
  }
  if (readOverrides(ctx, domain)[label] === true) return fail(5, `${label}: Service is disabled`);
  const jobs = ctx.domains.get(domain) || new Map();
  const existing = jobs.get(label);
  if (existing)
    return fail(5, `${label}: ${existing.draining ? 'service is still being removed' : 'Service already loaded'}`);
  const user = userFor(ctx, domain, plist);
  if (!user) return fail(5, `${label}: The specified username does not exist`);
  const job = new ctx.Job({ label, plistPath: file, plist, domain, user, log: ctx.log });
  job.session = session;
  jobs.set(label, job);
  ctx.domains.set(domain, jobs);
  ctx.log(`${domain}/${label}: bootstrapped from ${file}`);
  if (job.startsAtLoad()) job.start('runatload');
  return { label, job };
}

module.exports = { loadPlistJob, readOverrides, writeOverride, sessionOf };
