import { AppError } from '@contextforge/contracts';
import { X509Certificate, createHash } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';

/**
 * A public-key pin as in HPKP (RFC 7469) `pin-sha256`: base64 of the SHA-256 digest of the DER
 * SubjectPublicKeyInfo. Pinning the key rather than the certificate survives re-issuing a
 * certificate for the same key. Compute one for a PEM file with
 * `openssl x509 -in cert.pem -pubkey -noout | openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | base64`.
 */
export function publicKeyPin(certificatePem: string | Buffer): string {
  const der = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64');
}

/** Accepts `sha256/<base64>` or `<base64>` of a 32-byte digest; anything else is CONFIG_INVALID. */
export function normalizePin(pin: string): string {
  const value = pin.trim().replace(/^sha256\//i, '');
  if (!/^[A-Za-z0-9+/]{43}=$/.test(value) || Buffer.from(value, 'base64').length !== 32) {
    throw new AppError(
      'CONFIG_INVALID',
      `network.tls.pinned_public_keys: expected base64 of a SHA-256 digest (44 characters), got ${JSON.stringify(pin)}`,
    );
  }
  return value;
}

/**
 * True when the key of the peer's leaf or of any certificate up its verified chain is pinned (a
 * pin may name an intermediate or the CA, as HPKP allows). `cert` is what
 * `getPeerCertificate(true)` returns. Its `pubkey` is not always an SPKI (for EC keys Node gives
 * the bare point), so the key is taken from the DER certificate in `raw`.
 */
export function chainHasPinnedKey(cert: PeerCertificate, pins: ReadonlySet<string>): boolean {
  const seen = new Set<PeerCertificate>();
  let current: PeerCertificate | undefined = cert;
  while (current?.raw && !seen.has(current)) {
    seen.add(current);
    if (pins.has(publicKeyPin(current.raw))) return true;
    current = (current as { issuerCertificate?: PeerCertificate }).issuerCertificate;
  }
  return false;
}
