// A throwaway self-signed P-256 certificate for a TLS relay (CN=relay, 1 day): k.pem and c.pem in dir.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

export function writeRelayCert(dir: string): { key: string; cert: string } {
  const key = join(dir, 'k.pem');
  const cert = join(dir, 'c.pem');
  const args = ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  execFileSync('openssl', [...args, '-keyout', key, '-out', cert, '-subj', '/CN=relay', '-days', '1'], {
    stdio: 'ignore',
  });
  return { key, cert };
}
