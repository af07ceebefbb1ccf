import { AppError } from '@contextforge/contracts';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import {
  checkServerIdentity,
  createSecureContext,
  type ConnectionOptions,
  type PeerCertificate,
  type SecureContextOptions,
  type Server as TlsServer,
  type TLSSocket,
  type TlsOptions,
} from 'node:tls';
import { chainHasPinnedKey, normalizePin } from './public-key-pin';

/**
 * Where the certificate material lives and how peers are checked. Shaped like the config's
 * `network.tls` (which can be passed as it is): paths are optional there, and required here.
 */
export interface TlsMaterialOptions {
  /** PEM certificate chain (leaf first). Used as the server certificate and as the client certificate. */
  readonly certPath?: string;
  /** PEM private key of certPath (unencrypted). */
  readonly keyPath?: string;
  /** PEM CA bundle: verifies client certificates (mTLS) and the servers this process calls. Unset: system roots for outgoing calls. */
  readonly caPath?: string;
  /** Servers refuse peers without a certificate signed by caPath (then caPath is required). */
  readonly requireClientCert?: boolean;
  /** Base64 SHA-256 SPKI pins (optionally `sha256/...`); non-empty: a peer's chain must hold one of them. */
  readonly pinnedPublicKeys?: readonly string[];
  /** How often the files are checked for changes, in ms (default 5,000; 0 turns polling off). */
  readonly reloadInterval?: number;
}

/** What a reload loaded. */
export interface TlsReloadInfo {
  readonly subject: string;
  readonly fingerprint256: string;
  readonly validTo: string;
}

/** A peer an attached server refused during or right after the handshake. */
export interface TlsPeerRejection {
  readonly remoteAddress: string | undefined;
  /** CN of the peer's certificate, when it sent one and the refusal came after the handshake. */
  readonly subject: string | undefined;
  /**
   * Why: `PIN_MISMATCH`, an OpenSSL verification code (`CERT_HAS_EXPIRED`,
   * `UNABLE_TO_VERIFY_LEAF_SIGNATURE`, ...) or the handshake error's message (no certificate,
   * protocol version, a peer that hung up).
   */
  readonly reason: string;
}

interface TlsMaterialEvents {
  /** New files were loaded and applied to every attached server. */
  reload: [TlsReloadInfo];
  /** Changed files could not be loaded (half-written, key not matching the certificate...); the previous material stays in use. */
  reloadError: [Error];
  /** An attached server refused a client (failed handshake, unverified or unpinned certificate). */
  peerRejected: [TlsPeerRejection];
}

interface Loaded {
  readonly cert: string;
  readonly key: string;
  readonly ca: string | undefined;
  readonly certificate: X509Certificate;
  readonly signature: string;
}

const DEFAULT_RELOAD_INTERVAL_MS = 5_000;

/**
 * The TLS identity of one process (a gateway, scheduler or agent) and the rules it applies to
 * peers, re-read from disk when the files change.
 *
 * - Servers: `serverOptions()` for `https.createServer`/`tls.createServer` (TLS 1.3 minimum;
 *   with requireClientCert: a client certificate signed by the CA is required), then
 *   `attach(server)` so that reloads reach the live server through `setSecureContext` (new
 *   connections get the new certificate; open ones keep theirs) and pinned keys are enforced on
 *   client certificates.
 * - Clients: `clientOptions()` for outgoing connections (CA, client certificate, TLS 1.3,
 *   hostname check plus pinning). Call it per connection (or per request): it reflects the last
 *   reload.
 *
 * Rotation: the files are polled with `stat` (following symlinks) every `reloadInterval`. A
 * change of inode, size or times of any file triggers a reload; Kubernetes secret volumes
 * replace a `..data` symlink, which `fs.watch` does not report reliably but `stat` sees. A reload
 * is applied only when the certificate parses and matches the key; otherwise `reloadError` is
 * emitted once for that state of the files and the previous material stays in use.
 *
 * Left out: encrypted keys, CRL/OCSP (short-lived certificates and rotation stand in for
 * revocation), and pinning of client certificates when requireClientCert is off.
 */
export class TlsMaterial extends EventEmitter<TlsMaterialEvents> {
  private current: Loaded;
  private readonly pins: ReadonlySet<string>;
  private readonly servers = new Set<TlsServer>();
  private readonly timer: NodeJS.Timeout | undefined;
  private checking: Promise<boolean> | undefined;
  private failedSignature: string | undefined;

  private constructor(
    private readonly paths: { cert: string; key: string; ca: string | undefined },
    private readonly requireClientCert: boolean,
    pins: readonly string[],
    loaded: Loaded,
    reloadInterval: number,
  ) {
    super();
    this.current = loaded;
    this.pins = new Set(pins.map(normalizePin));
    if (reloadInterval > 0) {
      this.timer = setInterval(() => void this.checkForChanges(), reloadInterval);
      this.timer.unref();
    }
  }

  /** Reads and validates the files (CONFIG_INVALID naming the problem) and starts polling them. */
  static async load(options: TlsMaterialOptions): Promise<TlsMaterial> {
    const { certPath, keyPath, caPath } = options;
    if (!certPath || !keyPath) {
      throw new AppError('CONFIG_INVALID', 'network.tls: cert_path and key_path are required');
    }
    if (options.requireClientCert && !caPath) {
      throw new AppError('CONFIG_INVALID', 'network.tls.require_client_cert needs network.tls.ca_path');
    }
    const paths = { cert: certPath, key: keyPath, ca: caPath };
    let loaded: Loaded;
    try {
      loaded = await readMaterial(paths);
    } catch (error) {
      throw new AppError('CONFIG_INVALID', `network.tls: ${(error as Error).message}`, { cause: error });
    }
    return new TlsMaterial(
      paths,
      options.requireClientCert ?? false,
      options.pinnedPublicKeys ?? [],
      loaded,
      options.reloadInterval ?? DEFAULT_RELOAD_INTERVAL_MS,
    );
  }

  /** The certificate in use now. */
  get certificate(): X509Certificate {
    return this.current.certificate;
  }

  /** The PEM texts in use now (for APIs that take them directly, e.g. grpc-js credentials). */
  pem(): { cert: string; key: string; ca: string | undefined } {
    return { cert: this.current.cert, key: this.current.key, ca: this.current.ca };
  }

  /**
   * The parts of the server options that a reload replaces (what `setSecureContext` takes: it
   * resets every context option it is not given, so minVersion is repeated here; the server-level
   * requestCert/rejectUnauthorized stay as the server was created).
   */
  secureContextOptions(): SecureContextOptions {
    const { cert, key, ca } = this.current;
    return { cert, key, ...(ca ? { ca } : {}), minVersion: 'TLSv1.3' };
  }

  serverOptions(): TlsOptions {
    return {
      ...this.secureContextOptions(),
      requestCert: this.requireClientCert,
      rejectUnauthorized: this.requireClientCert,
    };
  }

  /**
   * Options for an outgoing connection (`tls.connect`, `https.request`): the CA (else the system
   * roots), this process's certificate for client authentication, TLS 1.3, and a server identity
   * check that adds pinning to Node's hostname check.
   */
  clientOptions(): ConnectionOptions {
    const { cert, key, ca } = this.current;
    return {
      cert,
      key,
      ...(ca ? { ca } : {}),
      minVersion: 'TLSv1.3',
      checkServerIdentity: (host, peer) => {
        const error = checkServerIdentity(host, peer);
        if (error) return error;
        if (!this.isPinned(peer)) {
          return new Error(`the certificate of ${host} carries none of the pinned public keys`);
        }
        return undefined;
      },
    };
  }

  /** True when no pins are configured or the peer's chain carries a pinned key. */
  isPinned(peer: PeerCertificate): boolean {
    return this.pins.size === 0 || chainHasPinnedKey(peer, this.pins);
  }

  /**
   * Keeps `server` on the current material: applies it now (in case it changed since
   * `serverOptions()`), applies every reload, with requireClientCert and pins destroys
   * connections whose client chain has no pinned key before any request is read, and reports
   * every refused client as `peerRejected`. Returns a function that detaches.
   */
  attach(server: TlsServer): () => void {
    this.servers.add(server);
    server.setSecureContext(this.secureContextOptions());
    const enforcePins = this.requireClientCert && this.pins.size > 0;
    const onSecureConnection = (socket: TLSSocket) => {
      const peer = socket.getPeerCertificate(true);
      if (this.isPinned(peer)) return;
      this.emit('peerRejected', {
        remoteAddress: socket.remoteAddress,
        subject: typeof peer.subject?.CN === 'string' ? peer.subject.CN : undefined,
        reason: 'PIN_MISMATCH',
      });
      socket.destroy();
    };
    const onClientError = (error: Error, socket: TLSSocket) => {
      // Node completes the handshake of a certificate that fails verification and then destroys
      // the socket; the verification result is only on the socket.
      this.emit('peerRejected', {
        remoteAddress: socket.remoteAddress,
        subject: undefined,
        reason: socket.authorizationError ? String(socket.authorizationError) : error.message,
      });
    };
    // Before the HTTP layer's own listener, so a refused peer's request is never parsed.
    if (enforcePins) server.prependListener('secureConnection', onSecureConnection);
    server.on('tlsClientError', onClientError);
    return () => {
      this.servers.delete(server);
      server.off('tlsClientError', onClientError);
      if (enforcePins) server.off('secureConnection', onSecureConnection);
    };
  }

  /**
   * Checks the files once now (the poll does the same); resolves true when new material was
   * loaded. Concurrent calls share one check.
   */
  checkForChanges(): Promise<boolean> {
    this.checking ??= this.check().finally(() => {
      this.checking = undefined;
    });
    return this.checking;
  }

  /** Stops polling. Attached servers keep the material they have. */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.servers.clear();
  }

  private async check(): Promise<boolean> {
    let signature: string;
    try {
      signature = await signatureOf(this.paths);
    } catch (error) {
      return this.failed(`missing:${(error as Error).message}`, error);
    }
    if (signature === this.current.signature || signature === this.failedSignature) return false;
    let loaded: Loaded;
    try {
      loaded = await readMaterial(this.paths);
    } catch (error) {
      return this.failed(signature, error);
    }
    // Files replaced while they were read: the next poll reads them again, whole.
    if (loaded.signature !== signature) return false;
    this.current = loaded;
    this.failedSignature = undefined;
    for (const server of this.servers) server.setSecureContext(this.secureContextOptions());
    this.emit('reload', {
      subject: loaded.certificate.subject,
      fingerprint256: loaded.certificate.fingerprint256,
      validTo: loaded.certificate.validTo,
    });
    return true;
  }

  private failed(signature: string, error: unknown): false {
    if (signature !== this.failedSignature) {
      this.failedSignature = signature;
      this.emit('reloadError', error instanceof Error ? error : new Error(String(error)));
    }
    return false;
  }
}

async function signatureOf(paths: { cert: string; key: string; ca: string | undefined }): Promise<string> {
  const files = [paths.cert, paths.key, ...(paths.ca ? [paths.ca] : [])];
  const stats = await Promise.all(files.map((file) => stat(file)));
  return stats.map((s) => `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`).join('|');
}

async function readMaterial(paths: { cert: string; key: string; ca: string | undefined }): Promise<Loaded> {
  const signature = await signatureOf(paths);
  const [cert, key, ca] = await Promise.all([
    readFile(paths.cert, 'utf8'),
    readFile(paths.key, 'utf8'),
    paths.ca ? readFile(paths.ca, 'utf8') : Promise.resolve(undefined),
  ]);
  const certificate = new X509Certificate(cert);
  // Throws when the key does not belong to the certificate or a PEM does not parse.
  createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
  if (!certificate.checkPrivateKey(createPrivateKey(key))) {
    throw new Error(`the key in ${paths.key} does not belong to the certificate in ${paths.cert}`);
  }
  return { cert, key, ca, certificate, signature };
}
