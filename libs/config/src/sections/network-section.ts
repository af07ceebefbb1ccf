import { boolean, duration, oneOf, rate, size, text } from '../fields';
import type { LogLevel } from '../config-types';
import { section, withoutUndefined } from './section';

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export const networkSection = section({
  tls: section({
    enabled: boolean().prefault(false),
    cert_path: text().optional(),
    key_path: text().optional(),
    ca_path: text().optional(),
  }),
  rate_limiting: section({
    per_ip: rate().prefault('100/min'),
    per_agent: rate().prefault('1000/min'),
  }),
  body_limit: size().prefault('100MB'),
})
  .superRefine((network, ctx) => {
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
    }),
    rateLimiting: { perIp: network.rate_limiting.per_ip, perAgent: network.rate_limiting.per_agent },
    bodyLimit: network.body_limit,
  }));

export const securitySection = section({
  authentication: section({
    type: oneOf(['jwt'] as const).prefault('jwt'),
    // HS256 wants a key of at least 256 bits (RFC 7518 section 3.2).
    secret_key: text({
      secret: true,
      pattern: /^.{32,}$/s,
      expected: 'a secret of at least 32 characters',
    }).optional(),
    expiration: duration().prefault('24h'),
  }),
}).transform((security) => ({
  authentication: withoutUndefined({
    type: security.authentication.type,
    secretKey: security.authentication.secret_key,
    expiration: security.authentication.expiration,
  }),
}));

export const loggingSection = section({
  level: oneOf(LOG_LEVELS, (value) => value.toLowerCase()).prefault('info'),
});
