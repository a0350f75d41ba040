/**
 * A throwaway TLS certificate for tests (`openssl req -x509`, CN=localhost, one day): the
 * key and certificate files in a temporary directory, removed by `remove()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CertificateFiles {
  readonly key: string;
  readonly cert: string;
  remove(): void;
}

export function selfSignedCertificate(): CertificateFiles {
  const dir = mkdtempSync(join(tmpdir(), 'quiver-tls-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { key, cert, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
