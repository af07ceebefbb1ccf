import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A key and certificate written as PEM files, with the SPKI pin computed by the openssl CLI. */
export interface TestCertificate {
  readonly name: string;
  readonly certPath: string;
  readonly keyPath: string;
  readonly cert: string;
  readonly key: string;
  /** base64(SHA-256(DER SubjectPublicKeyInfo)), as `openssl pkey -pubout -outform DER` sees it. */
  readonly pin: string;
}

export interface IssueOptions {
  /** subjectAltName entries, e.g. `['IP:127.0.0.1', 'DNS:localhost']`. */
  altNames?: readonly string[];
  /** Extended key usage: server, client or both (default both). */
  usage?: 'server' | 'client' | 'both';
  /** `YYYYMMDDHHMMSSZ`; with `endDate`, backdates the certificate (an expired one). */
  startDate?: string;
  endDate?: string;
}

export interface TestCa extends TestCertificate {
  issue(name: string, options?: IssueOptions): Promise<TestCertificate>;
}

export interface TestPki {
  readonly dir: string;
  /** A self-signed CA (EC P-256) that issues leaves with `openssl ca`, so dates can be set freely. */
  createCa(name: string): Promise<TestCa>;
  /** Deletes the directory with every file. */
  remove(): Promise<void>;
}

/**
 * Certificates for TLS tests, made by the openssl CLI in a fresh temporary directory. Leaves are
 * signed with `openssl ca` because `openssl x509 -req` (OpenSSL 3.0) cannot set a start date in
 * the past.
 */
export async function createTestPki(): Promise<TestPki> {
  const dir = await mkdtemp(join(tmpdir(), 'cf-pki-'));
  return {
    dir,
    createCa: (name) => createCa(dir, name),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

async function createCa(root: string, name: string): Promise<TestCa> {
  const dir = join(root, name);
  await mkdir(join(dir, 'issued'), { recursive: true });
  await writeFile(join(dir, 'index.txt'), '');
  await writeFile(join(dir, 'serial'), '1000\n');
  const config = join(dir, 'ca.cnf');
  await writeFile(config, caConfig(dir));
  const keyPath = join(dir, 'ca.key');
  const certPath = join(dir, 'ca.crt');
  await newKey(keyPath);
  await run('openssl', [
    ...['req', '-new', '-x509', '-config', config, '-extensions', 'v3_ca', '-key', keyPath],
    ...['-subj', `/CN=${name}`, '-days', '2', '-out', certPath],
  ]);
  const ca = await readCertificate(dir, name, certPath, keyPath);
  return {
    ...ca,
    issue: async (leaf, options = {}) => {
      const leafKey = join(dir, 'issued', `${leaf}.key`);
      const csr = join(dir, 'issued', `${leaf}.csr`);
      const leafCert = join(dir, 'issued', `${leaf}.crt`);
      const extFile = join(dir, 'issued', `${leaf}.ext`);
      await newKey(leafKey);
      await run('openssl', ['req', '-new', '-key', leafKey, '-subj', `/CN=${leaf}`, '-out', csr]);
      await writeFile(extFile, leafExtensions(options));
      const dates =
        options.startDate && options.endDate
          ? ['-startdate', options.startDate, '-enddate', options.endDate]
          : ['-days', '2'];
      await run('openssl', [
        ...['ca', '-batch', '-notext', '-config', config, '-in', csr, '-out', leafCert],
        ...['-keyfile', keyPath, '-cert', certPath, '-extfile', extFile, '-extensions', 'leaf', ...dates],
      ]);
      return readCertificate(dir, leaf, leafCert, leafKey);
    },
  };
}

async function newKey(path: string): Promise<void> {
  await run('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path]);
}

async function readCertificate(
  dir: string,
  name: string,
  certPath: string,
  keyPath: string,
): Promise<TestCertificate> {
  const spki = join(dir, `${name}.spki.der`);
  await run('openssl', ['pkey', '-in', keyPath, '-pubout', '-outform', 'DER', '-out', spki]);
  const pin = createHash('sha256')
    .update(await readFile(spki))
    .digest('base64');
  return {
    name,
    certPath,
    keyPath,
    cert: await readFile(certPath, 'utf8'),
    key: await readFile(keyPath, 'utf8'),
    pin,
  };
}

function caConfig(dir: string): string {
  return [
    '[ req ]',
    'distinguished_name = dn',
    '[ dn ]',
    '[ v3_ca ]',
    'basicConstraints = critical, CA:TRUE',
    'keyUsage = critical, keyCertSign, cRLSign',
    'subjectKeyIdentifier = hash',
    '[ ca ]',
    'default_ca = test_ca',
    '[ test_ca ]',
    `database = ${join(dir, 'index.txt')}`,
    `new_certs_dir = ${join(dir, 'issued')}`,
    `serial = ${join(dir, 'serial')}`,
    'default_md = sha256',
    'policy = any_subject',
    'unique_subject = no',
    'email_in_dn = no',
    '[ any_subject ]',
    'commonName = supplied',
    '',
  ].join('\n');
}

function leafExtensions(options: IssueOptions): string {
  const usage = options.usage ?? 'both';
  const eku = usage === 'both' ? 'serverAuth, clientAuth' : usage === 'server' ? 'serverAuth' : 'clientAuth';
  return [
    '[ leaf ]',
    'basicConstraints = critical, CA:FALSE',
    'keyUsage = critical, digitalSignature',
    `extendedKeyUsage = ${eku}`,
    'authorityKeyIdentifier = keyid',
    ...(options.altNames?.length ? [`subjectAltName = ${options.altNames.join(', ')}`] : []),
    '',
  ].join('\n');
}
