import {
  createTestPki,
  withTimeout,
  type TestCa,
  type TestCertificate,
  type TestPki,
} from '@contextforge/testing';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import { mkdir, rename, symlink, writeFile } from 'node:fs/promises';
import { createServer, request, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import { TlsMaterial, publicKeyPin, type TlsMaterialOptions } from '../src';

let pki: TestPki;
let ca: TestCa;
let otherCa: TestCa;
let server: TestCertificate;
let client: TestCertificate;
let foreignClient: TestCertificate;
let expiredClient: TestCertificate;

beforeAll(async () => {
  pki = await createTestPki();
  ca = await pki.createCa('ca');
  otherCa = await pki.createCa('other-ca');
  server = await ca.issue('server', { altNames: ['IP:127.0.0.1', 'DNS:localhost'], usage: 'server' });
  client = await ca.issue('client', { usage: 'client' });
  foreignClient = await otherCa.issue('foreign-client', { usage: 'client' });
  expiredClient = await ca.issue('expired-client', {
    usage: 'client',
    startDate: '20200101000000Z',
    endDate: '20200102000000Z',
  });
});

afterAll(() => pki.remove());

const materials: TlsMaterial[] = [];
const servers: Server[] = [];

afterEach(async () => {
  for (const material of materials.splice(0)) material.close();
  await Promise.all(
    servers.splice(0).map(
      (s) =>
        new Promise<void>((resolve) => {
          s.close(() => resolve());
          s.closeAllConnections();
        }),
    ),
  );
});

async function material(options: TlsMaterialOptions): Promise<TlsMaterial> {
  const loaded = await TlsMaterial.load({ reloadInterval: 0, ...options });
  materials.push(loaded);
  return loaded;
}

function identity(cert: TestCertificate, extra: Partial<TlsMaterialOptions> = {}): TlsMaterialOptions {
  return { certPath: cert.certPath, keyPath: cert.keyPath, caPath: ca.certPath, ...extra };
}

/**
 * An HTTPS server on the material that answers with the CN of the client certificate.
 * `rejection` settles with the reason of the first client the material reports refused.
 */
async function serve(serverMaterial: TlsMaterial): Promise<{ port: number; rejection: Promise<string> }> {
  const https = createServer(serverMaterial.serverOptions(), (req, res) => {
    const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
    res.end(String(peer.subject?.CN ?? 'anonymous'));
  });
  serverMaterial.attach(https);
  const rejection = once(serverMaterial, 'peerRejected').then(([rejected]) => rejected.reason);
  servers.push(https);
  https.listen(0, '127.0.0.1');
  await once(https, 'listening');
  return { port: (https.address() as AddressInfo).port, rejection };
}

function get(port: number, options: ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path: '/', agent: false, ...(options as object) },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve(body));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The fingerprint of the certificate a fresh (never resumed) TLS connection is shown. */
function serverFingerprint(port: number, options: ConnectionOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ...options }, () => {
      resolve(socket.getPeerCertificate().fingerprint256);
      socket.end();
    });
    socket.on('error', reject);
  });
}

describe('TlsMaterial with mutual TLS', () => {
  const mtls = () => material(identity(server, { requireClientCert: true }));

  it('has an expired certificate to test with', () => {
    expect(new Date(new X509Certificate(expiredClient.cert).validTo).getTime()).toBeLessThan(Date.now());
  });

  it('accepts a client with a valid certificate from the CA', async () => {
    const { port } = await serve(await mtls());
    const clientMaterial = await material(identity(client));
    await expect(get(port, clientMaterial.clientOptions())).resolves.toBe('client');
  });

  it('refuses a client without a certificate', async () => {
    const { port, rejection } = await serve(await mtls());
    await expect(get(port, { ca: ca.cert, minVersion: 'TLSv1.3' })).rejects.toThrow();
    await expect(withTimeout(rejection, 5_000, 'the peerRejected event')).resolves.toMatch(
      /peer did not return a certificate/,
    );
  });

  it('refuses a client certificate from another CA', async () => {
    const { port, rejection } = await serve(await mtls());
    const options = { ca: ca.cert, cert: foreignClient.cert, key: foreignClient.key };
    await expect(get(port, options)).rejects.toThrow();
    await expect(withTimeout(rejection, 5_000, 'the peerRejected event')).resolves.toBe(
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    );
  });

  it('refuses an expired client certificate', async () => {
    const { port, rejection } = await serve(await mtls());
    const options = { ca: ca.cert, cert: expiredClient.cert, key: expiredClient.key };
    await expect(get(port, options)).rejects.toThrow();
    await expect(withTimeout(rejection, 5_000, 'the peerRejected event')).resolves.toBe('CERT_HAS_EXPIRED');
  });

  it('refuses a TLS 1.2 client, even one with a valid certificate', async () => {
    const { port, rejection } = await serve(await mtls());
    const clientMaterial = await material(identity(client));
    const tls12 = {
      ...clientMaterial.clientOptions(),
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.2',
    } as const;
    await expect(get(port, tls12)).rejects.toThrow(/protocol version|unsupported protocol/i);
    await expect(withTimeout(rejection, 5_000, 'the peerRejected event')).resolves.toMatch(
      /unsupported protocol/i,
    );
  });

  it('lets a client that does not ask for a certificate in when client certificates are not required', async () => {
    const { port } = await serve(await material(identity(server)));
    await expect(get(port, { ca: ca.cert })).resolves.toBe('anonymous');
  });
});

describe('TlsMaterial public-key pinning', () => {
  it('computes the same SPKI pin as the openssl CLI', () => {
    expect(publicKeyPin(server.cert)).toBe(server.pin);
    expect(publicKeyPin(client.cert)).toBe(client.pin);
  });

  it('lets a client call a server whose leaf or CA key is pinned, and refuses a wrong pin', async () => {
    const { port } = await serve(await material(identity(server)));
    const leafPinned = await material(identity(client, { pinnedPublicKeys: [server.pin] }));
    const caPinned = await material(identity(client, { pinnedPublicKeys: [`sha256/${ca.pin}`] }));
    const wrongPin = await material(identity(client, { pinnedPublicKeys: [otherCa.pin] }));
    await expect(get(port, leafPinned.clientOptions())).resolves.toBe('anonymous');
    await expect(get(port, caPinned.clientOptions())).resolves.toBe('anonymous');
    await expect(get(port, wrongPin.clientOptions())).rejects.toThrow(/none of the pinned public keys/);
  });

  it('makes a server drop a client whose certificate chain carries no pinned key', async () => {
    const pinnedToOther = await material(
      identity(server, { requireClientCert: true, pinnedPublicKeys: [foreignClient.pin] }),
    );
    const rejected = once(pinnedToOther, 'peerRejected');
    const { port } = await serve(pinnedToOther);
    const clientMaterial = await material(identity(client));
    await expect(get(port, clientMaterial.clientOptions())).rejects.toThrow();
    const [rejection] = await withTimeout(rejected, 5_000, 'the peerRejected event');
    expect(rejection).toMatchObject({ subject: 'client', reason: 'PIN_MISMATCH' });
  });

  it('makes a server accept a client whose key is pinned', async () => {
    const pinned = await material(
      identity(server, { requireClientCert: true, pinnedPublicKeys: [client.pin] }),
    );
    const { port } = await serve(pinned);
    const clientMaterial = await material(identity(client));
    await expect(get(port, clientMaterial.clientOptions())).resolves.toBe('client');
  });
});

describe('TlsMaterial rotation', () => {
  /**
   * Lays out certificate files as a Kubernetes secret volume does: `cert.pem -> ..data/cert.pem`,
   * `..data -> ..<version>`; an update writes a new version directory and swaps `..data` atomically.
   */
  async function secretVolume(name: string) {
    const dir = join(pki.dir, name);
    await mkdir(dir);
    let version = 0;
    const publish = async (cert: TestCertificate) => {
      version += 1;
      const target = `..v${version}`;
      await mkdir(join(dir, target));
      await writeFile(join(dir, target, 'tls.crt'), cert.cert);
      await writeFile(join(dir, target, 'tls.key'), cert.key);
      await writeFile(join(dir, target, 'ca.crt'), ca.cert);
      await symlink(target, join(dir, '..data_tmp'));
      await rename(join(dir, '..data_tmp'), join(dir, '..data'));
    };
    return { dir, publish };
  }

  it('serves a replaced certificate on the next connection without a restart', async () => {
    const volume = await secretVolume('rotation');
    await volume.publish(server);
    for (const file of ['tls.crt', 'tls.key', 'ca.crt']) {
      await symlink(join('..data', file), join(volume.dir, file));
    }
    const serverMaterial = await material({
      certPath: join(volume.dir, 'tls.crt'),
      keyPath: join(volume.dir, 'tls.key'),
      caPath: join(volume.dir, 'ca.crt'),
      reloadInterval: 20,
    });
    const { port } = await serve(serverMaterial);
    const options = { ca: ca.cert, servername: 'localhost' };
    const before = await serverFingerprint(port, options);
    expect(before).toBe(new X509Certificate(server.cert).fingerprint256);

    const renewed = await ca.issue('server-renewed', {
      altNames: ['IP:127.0.0.1', 'DNS:localhost'],
      usage: 'server',
    });
    const reloaded = once(serverMaterial, 'reload');
    await volume.publish(renewed);
    const [info] = await withTimeout(reloaded, 10_000, 'the reload event');

    const renewedFingerprint = new X509Certificate(renewed.cert).fingerprint256;
    expect(info).toMatchObject({ fingerprint256: renewedFingerprint });
    await expect(serverFingerprint(port, options)).resolves.toBe(renewedFingerprint);
    expect(serverMaterial.certificate.fingerprint256).toBe(renewedFingerprint);
  });

  it('keeps the old certificate and reports an error when the new key does not match', async () => {
    const dir = join(pki.dir, 'mismatch');
    await mkdir(dir);
    await writeFile(join(dir, 'tls.crt'), server.cert);
    await writeFile(join(dir, 'tls.key'), server.key);
    const serverMaterial = await material({
      certPath: join(dir, 'tls.crt'),
      keyPath: join(dir, 'tls.key'),
      reloadInterval: 0,
    });
    const { port } = await serve(serverMaterial);
    const failed = once(serverMaterial, 'reloadError');
    await writeFile(join(dir, 'tls.key'), client.key);

    await expect(serverMaterial.checkForChanges()).resolves.toBe(false);
    const [error] = await withTimeout(failed, 5_000, 'the reloadError event');
    expect(String(error)).toMatch(/key/i);
    await expect(serverFingerprint(port, { ca: ca.cert })).resolves.toBe(
      new X509Certificate(server.cert).fingerprint256,
    );
  });
});

describe('TlsMaterial.load', () => {
  it.each([
    ['no certificate path', { keyPath: '/k' }, /cert_path and key_path/],
    [
      'client certificates without a CA',
      { certPath: '/c', keyPath: '/k', requireClientCert: true },
      /ca_path/,
    ],
    [
      'a file that does not exist',
      { certPath: '/nonexistent.pem', keyPath: '/nonexistent.key' },
      /nonexistent/,
    ],
  ])('refuses %s with CONFIG_INVALID', async (_name, options, message) => {
    await expect(TlsMaterial.load(options)).rejects.toMatchObject({ code: 'CONFIG_INVALID', message });
  });

  it('refuses a key that does not belong to the certificate', async () => {
    await expect(
      TlsMaterial.load({ certPath: server.certPath, keyPath: client.keyPath, reloadInterval: 0 }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });

  it('refuses a pin that is not a base64 SHA-256 digest', async () => {
    await expect(
      TlsMaterial.load({ ...identity(server), pinnedPublicKeys: ['not-a-pin'], reloadInterval: 0 }),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: /pinned_public_keys/ });
  });
});
