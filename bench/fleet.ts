// bench/fleet: hermes-setup on a fleet vs Ansible running the exported role (`hermes-setup export ansible`),
// same hosts, same run. Converge (from an uninstalled host) and no-op re-run for 1, 4, 8 and 16 hosts: wall time
// and peak RSS; then peak RSS for 1 vs 50 targets (50 inventory names over the 16 guests). Prints tables + ratios.
// Parallelism: N hosts run with `--parallel N` and `ansible-playbook -f N` (the same N for both, every host at
// once); the no-op is also timed with the default --parallel 5. Targets (issue 16): the no-op at 8 hosts ≥ 10×
// faster than Ansible, and 16 hosts ≤ 2× the time of 1 host.
// Run: BENCH=fleet npm run bench (root: boots 16 systemd guests; needs ansible-playbook).
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { $ } from 'zx';
import { bootLinuxHost, type LinuxHost } from '../test/hosts/linux-host.js';
import { prepareLinuxHost } from '../test/support/prepare-host.js';

$.verbose = false;
const SIZES = (process.env.BENCH_SIZES ?? '1,4,8,16').split(',').map(Number);
const MAX = Math.max(...SIZES);
const CORES = availableParallelism();
const cli = join(import.meta.dirname, '..', 'dist', 'cli.js');

const hosts: LinuxHost[] = await Promise.all(Array.from({ length: MAX }, () => bootLinuxHost()));
const work = await mkdtemp('/var/tmp/hs-bench-fleet-');
try {
  await Promise.all(hosts.map((h) => prepareLinuxHost(h, { generation: 'G1' })));
  await mkdir(join(work, '.ssh'), { mode: 0o700 });
  await writeFile(join(work, '.ssh', 'known_hosts'), `${hosts.map((h) => h.knownHostsLine).join('\n')}\n`);
  const key = hosts[0]!.keyPath;
  const inv = async (n: number, names = n): Promise<{ toml: string; ini: string }> => {
    const pick = Array.from({ length: names }, (_, i) => ({ name: `h${i + 1}`, h: hosts[i % n]! }));
    const toml = join(work, `fleet-${n}-${names}.toml`);
    const ini = join(work, `hosts-${n}.ini`);
    await writeFile(
      toml,
      `[defaults]\nuser = "deploy"\nidentity = "${key}"\n\n${pick.map((p) => `[hosts.${p.name}]\naddress = "${p.h.ip}"\n`).join('\n')}`,
    );
    await writeFile(
      ini,
      `[lab]\n${pick.map((p) => `${p.name} ansible_host=${p.h.ip} ansible_user=deploy ansible_ssh_private_key_file=${key}`).join('\n')}\n`,
    );
    return { toml, ini };
  };
  const env = {
    ...process.env,
    HOME: work,
    NO_COLOR: '1',
    SSH_AUTH_SOCK: '',
    ANSIBLE_HOST_KEY_CHECKING: 'False',
    ANSIBLE_NOCOLOR: '1',
  };
  /** CPU seconds the guests have used so far (their supervisor cgroups; cgroup v2 cpu.stat usage_usec). */
  const guestCpu = async (): Promise<number | undefined> => {
    let sum = 0;
    for (const h of hosts) {
      const text = await readFile(`/sys/fs/cgroup/unified/hsh-${h.name}/cpu.stat`, 'utf8').catch(() =>
        readFile(`/sys/fs/cgroup/hsh-${h.name}/cpu.stat`, 'utf8').catch(() => ''),
      );
      const m = /^usage_usec (\d+)$/m.exec(text);
      if (!m) return undefined;
      sum += Number(m[1]) / 1e6;
    }
    return sum;
  };
  const timed = async (
    cmd: string[],
    ok: (code: number, out: string) => boolean,
  ): Promise<{ ms: number; rssMb: number; cpuS: number; guestCpuS?: number }> => {
    const rss = join(work, 'rss');
    const g0 = await guestCpu();
    const t0 = performance.now();
    const r = await $({ env, nothrow: true })`/usr/bin/time -f ${'%M %U %S'} -o ${rss} ${cmd}`;
    const ms = performance.now() - t0;
    const g1 = await guestCpu();
    if (!ok(r.exitCode ?? -1, r.stdout))
      throw new Error(`${cmd.join(' ')} → exit ${r.exitCode}\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-2000)}`);
    const [kb = '0', user = '0', sys = '0'] = (await readFile(rss, 'utf8')).trim().split('\n').pop()!.split(' ');
    return {
      ms,
      rssMb: Number(kb) / 1024,
      cpuS: Number(user) + Number(sys),
      ...(g0 !== undefined && g1 !== undefined ? { guestCpuS: g1 - g0 } : {}),
    };
  };
  await $({ env })`node ${cli} export ansible ${join(work, 'role')}`;
  const hs = (args: string[]) => ['node', cli, ...args];
  const ansible = (ini: string, n: number) => [
    'ansible-playbook',
    '-f',
    String(n),
    '-i',
    ini,
    join(work, 'role', 'playbook.yml'),
  ];
  const changed0 = (_c: number, out: string) =>
    out
      .split('\n')
      .filter((l) => /ok=\d+\s+changed=/.test(l))
      .every((l) => /changed=0\s/.test(l));
  const rows: string[] = [];
  const figures = new Map<string, number>();
  const p5: string[] = [];
  const cpu: string[] = [];
  const load0 = loadavg()[0]!;
  for (const n of SIZES) {
    const { toml, ini } = await inv(n);
    const fleet = ['--inventory', toml, '--parallel', String(n), '--no-update', '--json'];
    const uninstall = () =>
      $({ env, nothrow: true })`node ${cli} uninstall --inventory ${toml} --parallel ${n} --unpin-token --json`;
    await uninstall();
    const hc = await timed(hs(['remote', ...fleet]), (c) => c === 0);
    const hn = await timed(
      hs(['remote', ...fleet]),
      (c, out) =>
        c === 0 && (JSON.parse(out) as { recap: Array<{ changed: number }> }).recap.every((r) => r.changed === 0),
    );
    const hn5 = await timed(
      hs(['remote', '--inventory', toml, '--parallel', '5', '--no-update', '--json']),
      (c) => c === 0,
    );
    p5.push(`${n}: ${(hn5.ms / 1000).toFixed(2)} s`);
    cpu.push(
      `| ${n} | ${(hn.ms / 1000).toFixed(2)} s | ${hn.cpuS.toFixed(2)} s | ${hn.guestCpuS?.toFixed(2) ?? 'n/a'} s | ${hn.guestCpuS === undefined ? 'n/a' : `${((hn.cpuS + hn.guestCpuS) / CORES).toFixed(2)} s`} |`,
    );
    if (hn.guestCpuS !== undefined) figures.set(`cpu-bound-${n}`, ((hn.cpuS + hn.guestCpuS) / CORES) * 1000);
    await uninstall();
    const ac = await timed(ansible(ini, n), (c) => c === 0);
    const an = await timed(ansible(ini, n), (c, out) => c === 0 && changed0(c, out));
    figures.set(`hs-noop-${n}`, hn.ms);
    figures.set(`an-noop-${n}`, an.ms);
    figures.set(`hs-conv-${n}`, hc.ms);
    figures.set(`an-conv-${n}`, ac.ms);
    figures.set(`hs-noop5-${n}`, hn5.ms);
    const f = (x: { ms: number; rssMb: number }) => `${(x.ms / 1000).toFixed(2)} s / ${x.rssMb.toFixed(0)} MB`;
    rows.push(
      `| ${n} | ${f(hc)} | ${f(hn)} | ${f(ac)} | ${f(an)} | ${(an.ms / hn.ms).toFixed(1)}× | ${(ac.ms / hc.ms).toFixed(1)}× |`,
    );
    await uninstall();
    await $({ env })`node ${cli} remote --inventory ${toml} --parallel ${n} --no-update --json`;
  }
  console.log(
    `fleet: hermes-setup remote --inventory (--parallel N --no-update) vs ansible-playbook -f N with the exported role (N = hosts); Linux guests, Hermes G1 token mode; time / peak RSS of the controller process; load ${load0.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}`,
  );
  console.log(
    '| hosts | hermes-setup converge | hermes-setup no-op | ansible converge | ansible no-op | no-op: ansible ÷ hermes-setup | converge: ansible ÷ hermes-setup |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) console.log(r);
  const big = Math.max(...SIZES);
  const small = Math.min(...SIZES);
  const ratio = (a: string, b: string): number => figures.get(a)! / figures.get(b)!;
  if (figures.has('hs-noop-8')) {
    const r = ratio('an-noop-8', 'hs-noop-8');
    console.log(
      `no-op re-run at 8 hosts (-f 8 / --parallel 8): hermes-setup ${r.toFixed(1)}× faster than Ansible (target ≥ 10×: ${r >= 10 ? 'met' : 'MISSED'}); converge ${ratio('an-conv-8', 'hs-conv-8').toFixed(1)}×`,
    );
  }
  const scale = ratio(`hs-noop-${big}`, `hs-noop-${small}`);
  console.log(
    `no-op re-run, ${big} hosts ÷ ${small} host (--parallel = hosts): ${scale.toFixed(2)}× (target ≤ 2×: ${scale <= 2 ? 'met' : 'MISSED'}); converge: ${ratio(`hs-conv-${big}`, `hs-conv-${small}`).toFixed(2)}×`,
  );
  console.log(
    `no-op re-run with the default --parallel 5: ${p5.join(', ')}; ${big} ÷ ${small}: ${ratio(`hs-noop5-${big}`, `hs-noop5-${small}`).toFixed(2)}×`,
  );
  console.log(
    `\nCPU of the no-op re-run (--parallel = hosts): the controller process (user + sys) and the guests (their cgroups), and the wall time that much CPU takes at best on this machine's ${CORES} cores`,
  );
  console.log('| hosts | wall | controller CPU | guests CPU | (controller + guests) ÷ cores |');
  console.log('|---|---|---|---|---|');
  for (const r of cpu) console.log(r);
  if (figures.has(`cpu-bound-${big}`))
    console.log(
      `${big} hosts ÷ ${small} host can be no less than ${(figures.get(`cpu-bound-${big}`)! / figures.get(`hs-noop-${small}`)!).toFixed(2)}× here: the CPU the ${big}-host no-op needs, spread over ${CORES} cores, against the 1-host wall time`,
    );
  const one = await inv(MAX, 1);
  const fifty = await inv(MAX, 50);
  const m1 = await timed(hs(['remote', '--inventory', one.toml, '--no-update', '--json']), (c) => c === 0);
  const m50 = await timed(hs(['remote', '--inventory', fifty.toml, '--no-update', '--json']), (c) => c === 0);
  const m50p = await timed(
    hs(['remote', '--inventory', fifty.toml, '--parallel', '16', '--no-update', '--json']),
    (c) => c === 0,
  );
  console.log('\nmemory: peak RSS of hermes-setup remote (no-op), 50 inventory names over the guests');
  console.log('| targets | --parallel | wall | peak RSS | RSS ÷ 1 target |');
  console.log('|---|---|---|---|---|');
  for (const [n, p, x] of [
    [1, 5, m1],
    [50, 5, m50],
    [50, 16, m50p],
  ] as const)
    console.log(
      `| ${n} | ${p} | ${(x.ms / 1000).toFixed(2)} s | ${x.rssMb.toFixed(0)} MB | ${(x.rssMb / m1.rssMb).toFixed(2)} |`,
    );
} finally {
  await Promise.all(hosts.map((h) => h.teardown()));
  await rm(work, { recursive: true, force: true });
}
