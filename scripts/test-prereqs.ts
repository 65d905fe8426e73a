// First step of `npm test` and `npm run test:unit`: make this machine able to run every selected test, or stop
// before anything runs. As root on Debian/Ubuntu it installs the missing Debian packages (apt-get, once) and, for
// the full suite, builds the test-host image (debootstrap, 1-3 min, once). Otherwise it prints one line naming
// what is missing and the command that fixes it, and exits 1. The plan is pure: test/support/prereqs.ts.
//   --dry-run   print what would be done, change nothing (exit 1 when it would stop)
//   env HERMES_SETUP_PREREQ_DPKG_STATUS=FILE   read the installed packages from FILE instead of dpkg's status
//       (a missing FILE means "no dpkg": not Debian); implies --dry-run. For tests.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDpkgStatus, planPrereqs, renderAptInstall, stillMissing, type Machine } from '../test/support/prereqs.js';
import { layerCommand, readTestLayer, type TestLayer } from '../test/support/test-layer.js';

const STATUS_ENV = 'HERMES_SETUP_PREREQ_DPKG_STATUS';
const BUILD_IMAGE = fileURLToPath(new URL('../test/hosts/scripts/build-rootfs.sh', import.meta.url));

function readInstalled(): Set<string> | null {
  const file = process.env[STATUS_ENV] ?? '/var/lib/dpkg/status';
  if (!existsSync(file)) return null;
  if (process.env[STATUS_ENV] === undefined && spawnSync('sh', ['-c', 'command -v apt-get']).status !== 0) return null;
  return parseDpkgStatus(readFileSync(file, 'utf8'));
}

function readMachine(): Machine {
  return { platform: process.platform, uid: process.getuid?.() ?? -1, installed: readInstalled() };
}

function stop(message: string): never {
  console.error(message);
  process.exit(1);
}

interface Progress {
  label: string;
  /** Lines always shown. */
  milestone: (line: string) => boolean;
  /** Lines shown at most once per 10 s, so a long step is seen moving. */
  detail: (line: string) => boolean;
}

/** Runs a command with a few progress lines on stderr; resolves to null, or its failure with the last output lines. */
async function runWithProgress(cmd: string, args: string[], p: Progress): Promise<string | null> {
  const child = spawn(cmd, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  const started = Date.now();
  let shown = 0;
  const tail: string[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 30) tail.shift();
    if (p.milestone(line) || (p.detail(line) && Date.now() - shown > 10_000)) {
      shown = Date.now();
      console.error(`${p.label}: ${line.trim()} (${Math.round((shown - started) / 1000)} s)`);
    }
  };
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      lines.forEach(onLine);
    });
  }
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return code === 0 ? null : `${cmd} ${args.join(' ')} failed (exit ${code}):\n${tail.join('\n')}`;
}

const APT: Progress = {
  label: 'test prerequisites',
  milestone: () => false,
  detail: (l) => /^(Unpacking|Setting up) /.test(l),
};

async function installPackages(layer: TestLayer, packages: string[]): Promise<void> {
  const started = Date.now();
  console.error(`test prerequisites: installing ${packages.join(' ')} (apt-get, once)`);
  const failure =
    (await runWithProgress('apt-get', ['update', '-qq'], APT)) ??
    (await runWithProgress('apt-get', ['install', '-y', '-q', '--no-install-recommends', ...packages], APT));
  if (failure) console.error(failure);
  const left = stillMissing(packages, readInstalled() ?? new Set());
  if (left.length > 0)
    stop(
      `${layerCommand(layer)}: apt-get could not install ${left.join(' ')} — fix apt (sources, network), then: ${renderAptInstall(left)}`,
    );
  console.error(`test prerequisites: installed in ${Math.round((Date.now() - started) / 1000)} s`);
}

const PER_PACKAGE = /^I: (Retrieving|Validating|Extracting|Unpacking|Configuring) [a-z0-9]/;
const IMAGE: Progress = {
  label: 'test hosts',
  milestone: (l) => l.startsWith('building ') || (l.startsWith('I: ') && !PER_PACKAGE.test(l)),
  detail: (l) => PER_PACKAGE.test(l),
};

/** Builds (or finds) the nspawn test-host image before any test runs, so no test hook waits for debootstrap. */
async function ensureTestHostImage(): Promise<void> {
  const failure = await runWithProgress(BUILD_IMAGE, [], IMAGE);
  if (failure) {
    console.error(failure);
    stop('npm test: building the test-host image failed (output above) — see test/hosts/README.md; retry: npm test');
  }
}

function readLayer(): TestLayer {
  try {
    return readTestLayer();
  } catch (err) {
    return stop((err as Error).message);
  }
}

async function main(): Promise<void> {
  const layer = readLayer();
  const dryRun = process.argv.includes('--dry-run') || process.env[STATUS_ENV] !== undefined;
  const plan = planPrereqs(layer, readMachine());
  if (plan.action === 'stop') stop(plan.message);
  if (dryRun) {
    console.log(plan.action === 'install' ? `would run: apt-get update && ${renderAptInstall(plan.packages)}` : 'ok');
    return;
  }
  if (plan.action === 'install') await installPackages(layer, plan.packages);
  if (layer === 'all') await ensureTestHostImage();
}

await main();
