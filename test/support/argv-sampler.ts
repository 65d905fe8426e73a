// Samples every process's argv on a Linux test host (/proc/*/cmdline, as root, every few ms) while something runs,
// so a test can prove a secret never appeared on any command line. Distinct command lines are kept (a secret found in
// any sample is in the set); the number of samples and of process reads is counted.
import type { LinuxHost } from '../hosts/linux-host.js';

const SAMPLER = String.raw`
import os, sys, time
out, stop, interval = sys.argv[1], sys.argv[2], float(sys.argv[3])
seen = set(); samples = 0; reads = 0
open(out + '.started', 'w').close()
while not os.path.exists(stop):
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open('/proc/' + pid + '/cmdline', 'rb') as f:
                c = f.read()
        except OSError:
            continue
        reads += 1
        if c:
            seen.add(c)
    samples += 1
    time.sleep(interval)
with open(out + '.tmp', 'wb') as f:
    f.write(b'%d %d\n' % (samples, reads))
    for c in sorted(seen):
        f.write(c.replace(b'\0', b' ').replace(b'\n', b' ') + b'\n')
os.rename(out + '.tmp', out)
`;

export interface ArgvSamples {
  /** How many full passes over /proc were made. */
  samples: number;
  /** How many cmdline files were read in total. */
  reads: number;
  /** Every distinct command line seen (NULs as spaces). */
  cmdlines: string[];
}

export interface ArgvSampler {
  stop(): Promise<ArgvSamples>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export async function startArgvSampler(h: LinuxHost, intervalMs = 5): Promise<ArgvSampler> {
  const id = `hs-argv-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`;
  const out = `/root/${id}.txt`;
  const stopFile = `/root/${id}.stop`;
  const w = await h.root(`cat > /root/${id}.py`, { stdin: SAMPLER });
  if (w.code !== 0) throw new Error(`sampler: ${w.stderr}`);
  const s = await h.root(
    `nohup python3 /root/${id}.py ${out} ${stopFile} ${intervalMs / 1000} </dev/null >/root/${id}.log 2>&1 &`,
  );
  if (s.code !== 0) throw new Error(`sampler start: ${s.stderr}`);
  for (let i = 0; (await h.root(`test -e ${out}.started`)).code !== 0; i++) {
    if (i > 100) throw new Error(`sampler did not start: ${(await h.root(`cat /root/${id}.log`)).stdout}`);
    await sleep(50);
  }
  return {
    async stop() {
      await h.root(`touch ${stopFile}`);
      for (let i = 0; (await h.root(`test -e ${out}`)).code !== 0; i++) {
        if (i > 200) throw new Error(`sampler did not finish: ${(await h.root(`cat /root/${id}.log`)).stdout}`);
        await sleep(50);
      }
      const r = await h.root(`cat ${out}`);
      await h.root(`rm -f /root/${id}.*`);
      const [head = '', ...lines] = r.stdout.split('\n');
      const [samples = 0, reads = 0] = head.split(' ').map(Number);
      return { samples, reads, cmdlines: lines.filter((l) => l !== '') };
    },
  };
}

/** The secret, and base64 of it at each of the three byte alignments (inner part only), to catch encoded copies. */
export function secretForms(secret: string): string[] {
  const forms = [secret];
  for (const pad of ['', 'x', 'xx'])
    forms.push(
      Buffer.from(pad + secret)
        .toString('base64')
        .slice(4, -4),
    );
  return forms.filter((f) => f.length >= 16);
}

/** Which of the named secrets (or an encoded form) occur in text. */
export function leaks(text: string, secrets: Record<string, string>): string[] {
  return Object.entries(secrets)
    .filter(([, s]) => secretForms(s).some((f) => text.includes(f)))
    .map(([name]) => name);
}
