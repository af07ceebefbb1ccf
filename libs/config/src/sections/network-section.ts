import { boolean, duration, integer, oneOf, rate, size, text, textList, url } from '../fields';
import { JWT_ALGORITHMS } from '@contextforge/contracts';
import type { LogLevel } from '../config-types';
import { section, withoutUndefined } from './section';

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export const networkSection = section({
  tls: section({
    enabled: boolean().prefault(false),
    cert_path: text().optional(),
    key_path: text().optional(),
    ca_path: text().optional(),
    // mTLS: refuse peers without a certificate signed by ca_path.
    require_client_cert: boolean().prefault(false),
    // SHA-256 pins of peer public keys (base64 of the SPKI digest, `sha256/...` accepted).
    pinned_public_keys: textList({
      pattern: /^(sha256\/)?[A-Za-z0-9+/]{43}=$/,
      expected: 'a base64 SHA-256 digest of a public key (sha256/<44 characters>)',
    }).prefault([]),
    // How often certificate files are checked for changes (rotation without restart).
    reload_interval: duration().prefault('5s'),
  }),
  rate_limiting: section({
    per_ip: rate().prefault('100/min'),
    per_agent: rate().prefault('1000/min'),
    per_client: rate().prefault('600/min'),
    // Where counters live: memory:// (one gateway) or a postgres:// URL (shared by every replica).
    store: url('memory:// or postgres://...', ['memory', 'postgres', 'postgresql']).prefault('memory://'),
    // Proxies in front of the gateway whose X-Forwarded-For entries are trusted (0 = none).
    trusted_proxies: integer(0, 10).prefault(0),
  }),
  body_limit: size().prefault('100MB'),
  limits: section({
    // Whole request headers must arrive within this (slow-loris).
    headers_timeout: duration().prefault('10s'),
    // The whole request, body included, must arrive within this.
    request_timeout: duration().prefault('5m'),
    keep_alive_timeout: duration().prefault('5s'),
    max_header_size: size().prefault('16KiB'),
    max_connections: integer(0, 1_000_000).prefault(10_000),
    max_connections_per_ip: integer(0, 1_000_000).prefault(256),
  }),
})
  .superRefine((network, ctx) => {
    if (network.tls.require_client_cert === true && network.tls.ca_path === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['tls', 'ca_path'],
        message: 'is required when tls.require_client_cert is true',
      });
    }
    if (network.tls.enabled !== true) return;
    for (const key of ['cert_path', 'key_path'] as const) {
      if (network.tls[key] === undefined) {
        ctx.addIssue({ code: 'custom', path: ['tls', key], message: 'is required when tls.enabled is true' });
      }
    }
  })
  .transform((network) => ({
    tls: withoutUndefined({
      enabled: network.tls.enabled,
      certPath: network.tls.cert_path,
      keyPath: network.tls.key_path,
      caPath: network.tls.ca_path,
      requireClientCert: network.tls.require_client_cert,
      pinnedPublicKeys: network.tls.pinned_public_keys.map((pin) => pin.replace(/^sha256\//, '')),
      reloadInterval: network.tls.reload_interval,
    }),
    rateLimiting: {
      perIp: network.rate_limiting.per_ip,
      perAgent: network.rate_limiting.per_agent,
      perClient: network.rate_limiting.per_client,
      store: network.rate_limiting.store,
      trustedProxies: network.rate_limiting.trusted_proxies,
    },
    bodyLimit: network.body_limit,
    limits: {
      headersTimeout: network.limits.headers_timeout,
      requestTimeout: network.limits.request_timeout,
      keepAliveTimeout: network.limits.keep_alive_timeout,
      maxHeaderSize: network.limits.max_header_size,
      maxConnections: network.limits.max_connections,
      maxConnectionsPerIp: network.limits.max_connections_per_ip,
    },
  }));

export const securitySection = section({
  authentication: section({
    type: oneOf(['jwt'] as const).prefault('jwt'),
    // The one algorithm accepted (pinned: a token naming another, or "none", is refused).
    algorithm: oneOf(JWT_ALGORITHMS).prefault('HS256'),
    // HS256 wants a key of at least 256 bits (RFC 7518 section 3.2).
    secret_key: text({
      secret: true,
      pattern: /^.{32,}$/s,
      expected: 'a secret of at least 32 characters',
    }).optional(),
    public_key_path: text().optional(),
    jwks_url: url('an http(s):// URL', ['http', 'https']).optional(),
    issuer: text({ maxLength: 500 }).prefault('contextforge'),
    audience: text({ maxLength: 500 }).prefault('contextforge-api'),
    clock_tolerance: duration().prefault('30s'),
    expiration: duration().prefault('24h'),
  }),
  // Without configured keys, generate a development client token and agent key at start and
  // write them to credentials_file (the embedded mode only; set false in production).
  dev_credentials: boolean().prefault(true),
  credentials_file: text().prefault('.contextforge/credentials.json'),
})
  .superRefine((security, ctx) => {
    const auth = security.authentication;
    if (auth.clock_tolerance > 60_000) {
      ctx.addIssue({
        code: 'custom',
        path: ['authentication', 'clock_tolerance'],
        message: `expected at most 60s, got ${auth.clock_tolerance} ms`,
      });
    }
    const hmac = auth.algorithm.startsWith('HS');
    const keyed = [auth.public_key_path, auth.jwks_url].filter((value) => value !== undefined).length;
    if (hmac && keyed > 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['authentication', 'algorithm'],
        message: `${auth.algorithm} verifies with secret_key; public_key_path and jwks_url are for RS/PS/ES/EdDSA`,
      });
    }
    if (!hmac && auth.secret_key !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['authentication', 'secret_key'],
        message: `is for HS algorithms; ${auth.algorithm} needs public_key_path or jwks_url`,
      });
    }
    if (!hmac && keyed > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['authentication', 'jwks_url'],
        message: 'give either public_key_path or jwks_url, not both',
      });
    }
  })
  .transform((security) => ({
    authentication: withoutUndefined({
      type: security.authentication.type,
      algorithm: security.authentication.algorithm,
      secretKey: security.authentication.secret_key,
      publicKeyPath: security.authentication.public_key_path,
      jwksUrl: security.authentication.jwks_url,
      issuer: security.authentication.issuer,
      audience: security.authentication.audience,
      clockTolerance: security.authentication.clock_tolerance,
      expiration: security.authentication.expiration,
    }),
    devCredentials: security.dev_credentials,
    credentialsFile: security.credentials_file,
  }));

export const loggingSection = section({
  level: oneOf(LOG_LEVELS, (value) => value.toLowerCase()).prefault('info'),
});
