'use strict';
// Output formatting for the launchd emulator: `print`, `list`, `print-disabled`, error strings.

const ERRORS = {
  1: 'Operation not permitted',
  2: 'No such file or directory',
  3: 'No such process',
  5: 'Input/output error',
  17: 'File exists',
  22: 'Invalid argument',
  36: 'Operation now in progress',
  37: 'Operation already in progress',
  78: 'Function not implemented',
  109: 'Invalid property list',
  110: 'Invalid or missing service identifier',
  111: 'Invalid or missing Program/ProgramArguments',
  112: 'Could not find specified domain',
  113: 'Could not find specified service',
  119: 'Service is disabled',
  122: 'Path had bad ownership/permissions',
  125: 'Domain does not support specified action',
  126: 'Service cannot load in requested session',
};

const EXIT_NAMES = { 64: 'EX_USAGE', 69: 'EX_UNAVAILABLE', 70: 'EX_SOFTWARE', 71: 'EX_OSERR', 78: 'EX_CONFIG' };
const SIGNAL_NAMES = {
  SIGTERM: 'Terminated',
  SIGKILL: 'Killed',
  SIGINT: 'Interrupt',
  SIGHUP: 'Hangup',
  SIGABRT: 'Abort trap',
  SIGSEGV: 'Segmentation fault',
};

function errorText(code) {
  return `${code}: ${ERRORS[code] || 'Unknown error'}`;
}

function domainDescription(domain) {
  if (domain === 'system') return 'system';
  const [kind, uid] = domain.split('/');
  return kind === 'gui' ? `user gui: ${uid}` : `user: ${uid}`;
}

function notFound(label, domain) {
  return `Could not find service "${label}" in domain for ${domainDescription(domain)}\n`;
}

function lastExitLines(job) {
  const le = job.lastExit;
  if (!le) return ['\tlast exit code = (never exited)'];
  if (le.signal) return [`\tlast terminating signal = ${SIGNAL_NAMES[le.signal] || le.signal}: ${le.signo}`];
  const name = EXIT_NAMES[le.code];
  return [`\tlast exit code = ${le.code}${name ? `: ${name}` : ''}`];
}

function printJob(job, asid) {
  const p = job.plist;
  const env = job.environment();
  const lines = [
    `${job.domain}/${job.label} = {`,
    `\tactive count = ${job.proc ? 1 : 0}`,
    `\tpath = ${job.plistPath}`,
    `\ttype = ${job.domain === 'system' ? 'LaunchDaemon' : 'LaunchAgent'}`,
    `\tstate = ${job.state}`,
    '',
    `\tprogram = ${job.program}`,
    '\targuments = {',
    ...job.argv.map((a) => `\t\t${a}`),
    '\t}',
    '',
  ];
  if (p.WorkingDirectory) lines.push(`\tworking directory = ${p.WorkingDirectory}`, '');
  if (p.StandardOutPath) lines.push(`\tstdout path = ${p.StandardOutPath}`);
  if (p.StandardErrorPath) lines.push(`\tstderr path = ${p.StandardErrorPath}`);
  lines.push('\tdefault environment = {', '\t\tPATH => /usr/bin:/bin:/usr/sbin:/sbin', '\t}', '');
  lines.push('\tenvironment = {', ...Object.entries(env).map(([k, v]) => `\t\t${k} => ${v}`), '\t}', '');
  lines.push(
    `\tdomain = ${job.domain}`,
    `\tasid = ${asid}`,
    `\tminimum runtime = ${job.throttle}`,
    `\texit timeout = ${job.exitTimeout}`,
    `\truns = ${job.runs}`,
  );
  if (job.pid) lines.push(`\tpid = ${job.pid}`);
  lines.push(...lastExitLines(job), '', `\tspawn type = ${job.spawnType}`, '');
  const props = [];
  if (p.KeepAlive) props.push('keepalive');
  if (p.RunAtLoad) props.push('runatload');
  if (!p.Program) props.push('inferred program');
  lines.push(`\tproperties = ${props.join(' | ')}`, '}', '');
  return lines.join('\n');
}

function printDomain(domain, jobs, asid) {
  const kind = domain === 'system' ? 'system' : domain.startsWith('gui/') ? 'login' : 'background';
  const lines = [
    `${domain} = {`,
    `\ttype = ${kind}`,
    `\thandle = ${domain.split('/')[1] || 0}`,
    `\tactive count = ${jobs.filter((j) => j.proc).length}`,
    `\tasid = ${asid}`,
    '',
    `\tservices = {`,
  ];
  for (const j of jobs) {
    const st = j.lastExit ? (j.lastExit.signal ? `-${j.lastExit.signo}` : String(j.lastExit.code)) : '0';
    lines.push(`\t\t${String(j.pid || 0).padStart(8)} ${st.padStart(8)} \t${j.label}`);
  }
  lines.push('\t}', '', '}', '');
  return lines.join('\n');
}

function printDisabled(overrides) {
  const lines = ['disabled services = {'];
  for (const [label, disabled] of Object.entries(overrides))
    lines.push(`\t"${label}" => ${disabled ? 'disabled' : 'enabled'}`);
  lines.push('}', '', 'login item associations = {', '}', '');
  return lines.join('\n');
}

function listAll(jobs) {
  const lines = ['PID\tStatus\tLabel'];
  for (const j of jobs) {
    const st = j.lastExit ? (j.lastExit.signal ? `-${j.lastExit.signo}` : String(j.lastExit.code)) : '0';
    lines.push(`${j.pid || '-'}\t${st}\t${j.label}`);
  }
  return lines.join('\n') + '\n';
}

function listOne(job) {
  const lines = [
    '{',
    `\t"LimitLoadToSessionType" = "${job.session}";`,
    `\t"Label" = "${job.label}";`,
    '\t"OnDemand" = ' + (job.plist.KeepAlive ? 'false' : 'true') + ';',
  ];
  const le = job.lastExit;
  lines.push(`\t"LastExitStatus" = ${le ? (le.signal ? le.signo : le.code << 8) : 0};`);
  if (job.pid) lines.push(`\t"PID" = ${job.pid};`);
  lines.push(
    `\t"Program" = "${job.program}";`,
    '\t"ProgramArguments" = (',
    ...job.argv.map((a) => `\t\t"${a}";`),
    '\t);',
    '};',
    '',
  );
  return lines.join('\n');
}

module.exports = { errorText, notFound, printJob, printDomain, printDisabled, listAll, listOne, ERRORS };
