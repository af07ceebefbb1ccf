import type { z } from 'zod';
import { ContextForgeError, errorFromAnswer, isRetryableAnswer } from './contextforge-error';

/** Retrying RATE_LIMITED (429) and 503 answers; off unless the client is given `retry`. */
export interface RetryOptions {
  /** Attempts in all, the first included (default 3). */
  maxAttempts?: number;
  /** Delay when the answer does not say (Retry-After), doubled each time (default 500 ms). */
  initialDelayMs?: number;
  /** Longest wait the client accepts; a longer Retry-After fails at once (default 30,000 ms). */
  maxDelayMs?: number;
}

export interface RequesterOptions {
  baseUrl: string;
  credentials: () => Promise<Record<string, string>>;
  fetch: typeof fetch;
  timeoutMs: number;
  retry: RetryOptions | undefined;
  userAgent: string | undefined;
}

export interface RequestOptions<T> {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /**
   * A body sent as is instead of JSON (e.g. an archive upload). A ReadableStream is sent once:
   * such a call is never retried.
   */
  raw?: { contentType: string; data: Uint8Array | ReadableStream<Uint8Array> };
  /** Validates a 2xx body; omit for answers without one (204). */
  schema?: z.ZodType<T>;
  signal?: AbortSignal;
}

export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends one REST call with credentials, timeout, optional retries; maps failures to ContextForgeError. */
export class HttpRequester {
  constructor(private readonly options: RequesterOptions) {}

  async send<T>(method: string, path: string, request: RequestOptions<T> = {}): Promise<Answer<T>> {
    const retry = this.options.retry;
    const replayable = !(request.raw?.data instanceof ReadableStream);
    const maxAttempts = retry && replayable ? Math.max(1, retry.maxAttempts ?? 3) : 1;
    let delay = retry?.initialDelayMs ?? 500;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.once(method, path, request);
      } catch (error) {
        if (
          !(error instanceof ContextForgeError) ||
          !isRetryableAnswer(error) ||
          attempt >= maxAttempts ||
          request.signal?.aborted
        ) {
          throw error;
        }
        const wait = error.retryAfterMs ?? delay;
        if (wait > (retry?.maxDelayMs ?? 30_000)) throw error;
        await sleep(wait, request.signal);
        delay *= 2;
      }
    }
  }

  url(path: string, query: Record<string, string | number | undefined> = {}): URL {
    const url = new URL(`${this.options.baseUrl.replace(/\/+$/, '')}${path}`);
    for (const [key, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  private async once<T>(method: string, path: string, request: RequestOptions<T>): Promise<Answer<T>> {
    const what = `${method} ${path}`;
    const url = this.url(path, request.query);
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(await this.options.credentials()),
      ...(this.options.userAgent ? { 'user-agent': this.options.userAgent } : {}),
    };
    let body: string | Uint8Array | ReadableStream<Uint8Array> | undefined;
    if (request.raw !== undefined) {
      headers['content-type'] = request.raw.contentType;
      body = request.raw.data;
    } else if (request.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(request.body);
    }
    const timeout = AbortSignal.timeout(this.options.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    let response: Response;
    let text: string;
    try {
      // A stream body needs `duplex: 'half'` (Fetch standard; Node's fetch refuses it otherwise).
      const init: RequestInit & { duplex?: 'half' } = { method, headers, body, signal };
      if (body instanceof ReadableStream) init.duplex = 'half';
      response = await this.options.fetch(url, init);
      text = await response.text();
    } catch (error) {
      if (request.signal?.aborted) throw error;
      if (timeout.aborted) {
        throw new ContextForgeError(
          'REQUEST_TIMEOUT',
          `${what}: no answer from ${url.origin} within ${this.options.timeoutMs} ms`,
          { status: 0, cause: error },
        );
      }
      const reason = describeNetworkError(error);
      throw new ContextForgeError(
        'SERVICE_UNAVAILABLE',
        `cannot reach the gateway at ${url.origin}: ${reason}`,
        {
          status: 0,
          details: { reason },
          cause: error,
        },
      );
    }
    if (!response.ok) throw errorFromAnswer(response.status, response.headers, text, what);
    if (!request.schema) return { status: response.status, headers: response.headers, body: undefined as T };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ContextForgeError(
        'INTERNAL',
        `${what}: the gateway answered ${response.status} without JSON`,
        {
          status: response.status,
          details: { body: text.slice(0, 500) },
        },
      );
    }
    const parsed = request.schema.safeParse(json);
    if (!parsed.success) {
      throw new ContextForgeError('INTERNAL', `${what}: the answer does not match the API contract`, {
        status: response.status,
        details: {
          issues: parsed.error.issues.map((issue) => ({
            path: issue.path.join('.'),
            message: issue.message,
          })),
        },
      });
    }
    return { status: response.status, headers: response.headers, body: parsed.data };
  }
}

/** undici wraps the real cause (ECONNREFUSED, ENOTFOUND...) in "fetch failed". */
function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
