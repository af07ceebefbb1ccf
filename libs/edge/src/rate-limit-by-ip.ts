import { AppError } from '@contextforge/contracts';
import type { RequestHandler, Response } from 'express';
import { clientIp, ipRateLimitKey } from './client-ip';
import type { RateLimitDecision, RateLimitRate, RateLimitStore } from './rate-limit-store';

export interface RateLimitByIpOptions {
  store: RateLimitStore;
  /** Requests per client IP (config `network.rate_limiting.per_ip`). */
  rate: RateLimitRate;
  /** Proxies whose X-Forwarded-For entries are trusted (config `trusted_proxies`; default 0). See `clientIp`. */
  trustedProxies?: number;
  /** Prefix of the store key (default `ip:`). */
  keyPrefix?: string;
}

/**
 * Express middleware limiting requests per client IP (see `clientIp` for which address counts,
 * `ipRateLimitKey` for IPv6). Every response carries the RateLimit headers of the IETF draft
 * (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Limit`, `RateLimit-Remaining`,
 * `RateLimit-Reset` (seconds until the whole allowance is back) and `RateLimit-Policy`
 * (`100;w=60`). A refused request gets `Retry-After` (whole seconds, rounded up) and an
 * AppError RATE_LIMITED (429) passed to `next`, so the error handler answers in the common
 * error shape; details: `{ retryAfterMs, limit, windowMs }`. A store failure is passed to `next`
 * as it is (the request is not let through unlimited).
 */
export function rateLimitByIp(options: RateLimitByIpOptions): RequestHandler {
  const { store, rate } = options;
  const trustedProxies = options.trustedProxies ?? 0;
  const prefix = options.keyPrefix ?? 'ip:';
  return (req, res, next) => {
    const ip = clientIp(req.socket.remoteAddress, req.headers['x-forwarded-for'], trustedProxies);
    store.hit(`${prefix}${ipRateLimitKey(ip)}`, 1, rate).then((decision) => {
      setRateLimitHeaders(res, decision, rate);
      if (decision.allowed) {
        next();
        return;
      }
      next(rateLimited(res, decision, rate, `too many requests from ${ip}`));
    }, next);
  };
}

/** Sets the RateLimit-* headers of the IETF draft for one decision. */
export function setRateLimitHeaders(res: Response, decision: RateLimitDecision, rate: RateLimitRate): void {
  res.setHeader('RateLimit-Limit', String(decision.limit));
  res.setHeader('RateLimit-Remaining', String(decision.remaining));
  res.setHeader('RateLimit-Reset', String(Math.ceil(decision.resetMs / 1000)));
  res.setHeader('RateLimit-Policy', `${rate.limit};w=${Math.ceil(rate.windowMs / 1000)}`);
}

/** Whole seconds for a Retry-After header: rounded up, at least 1. */
export function retryAfterSeconds(retryAfterMs: number): number {
  return Math.max(1, Math.ceil(retryAfterMs / 1000));
}

function rateLimited(
  res: Response,
  decision: RateLimitDecision,
  rate: RateLimitRate,
  what: string,
): AppError {
  const seconds = retryAfterSeconds(decision.retryAfterMs);
  res.setHeader('Retry-After', String(seconds));
  return new AppError(
    'RATE_LIMITED',
    `${what}: the limit is ${rate.limit} per ${rate.windowMs} ms; retry in ${seconds} s`,
    {
      details: { retryAfterMs: decision.retryAfterMs, limit: rate.limit, windowMs: rate.windowMs },
    },
  );
}
