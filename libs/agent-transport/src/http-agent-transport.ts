import {
  AgentLoadSchema,
  AppError,
  isErrorCode,
  parseOrThrow,
  type AgentLoad,
  type AgentTransport,
  type Assignment,
  type CallOptions,
} from '@contextforge/contracts';
import type { TlsMaterial } from '@contextforge/tls';
import { Agent as HttpsAgent } from 'node:https';
import { httpsRequest } from './https-request';

export interface HttpAgentTransportOptions {
  /**
   * mTLS for https:// endpoints: the CA that signs agent certificates, this process's client
   * certificate, TLS 1.3 and pinning, read from the material on every new connection (so
   * rotated files are used without a restart). Unset: https:// goes through fetch with the
   * system roots and no client certificate, as before.
   */
  tls?: Pick<TlsMaterial, 'clientOptions'>;
}

/**
 * Direct dispatch over HTTP: POST {endpoint}/v1/assignments. Answers are mapped back to the
 * error codes the agent raised (429 AGENT_AT_CAPACITY, 503 AGENT_DRAINING, ...); a connection
 * failure, an unusable endpoint URL or an unreadable answer is AGENT_UNREACHABLE. Paths are
 * appended to the endpoint, so an agent behind a path prefix (`https://host/agents/a1`) works.
 * Keep-alive connections are reused.
 */
export class HttpAgentTransport implements AgentTransport {
  private readonly tls: Pick<TlsMaterial, 'clientOptions'> | undefined;
  // Pools by TLS options too (Node keys them by CA, certificate and key), so a reload opens new
  // connections with the new certificate while old ones drain.
  private readonly httpsAgent: HttpsAgent | undefined;

  constructor(options: HttpAgentTransportOptions = {}) {
    this.tls = options.tls;
    this.httpsAgent = options.tls ? new HttpsAgent({ keepAlive: true }) : undefined;
  }

  /** Closes pooled mTLS connections (nothing to close without `tls`). */
  close(): void {
    this.httpsAgent?.destroy();
  }

  async dispatch(endpoint: string, assignment: Assignment, options: CallOptions = {}): Promise<void> {
    await this.call(endpoint, 'POST', '/v1/assignments', assignment, options, assignment.traceparent);
  }

  async cancel(endpoint: string, taskId: string, attempt: number, reason: string, options: CallOptions = {}) {
    const path = `/v1/assignments/${encodeURIComponent(taskId)}/${attempt}/cancel`;
    await this.call(endpoint, 'POST', path, { reason }, options);
  }

  async ping(endpoint: string, options: CallOptions = {}): Promise<AgentLoad> {
    const body = await this.call(endpoint, 'GET', '/v1/load', undefined, options);
    return parseOrThrow(AgentLoadSchema, body, 'agent load', 'AGENT_UNREACHABLE');
  }

  private async call(
    endpoint: string,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    options: CallOptions,
    traceparent?: string,
  ): Promise<unknown> {
    const headers = {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(traceparent ? { traceparent } : {}),
    };
    let status: number;
    let text: string;
    try {
      const url = new URL(`${endpoint.replace(/\/+$/, '')}${path}`);
      if (this.tls && this.httpsAgent && url.protocol === 'https:') {
        ({ status, text } = await httpsRequest(url, {
          method,
          headers,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          ...(options.signal ? { signal: options.signal } : {}),
          tls: this.tls.clientOptions(),
          agent: this.httpsAgent,
        }));
      } else {
        const response = await fetch(url, {
          method,
          headers,
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          ...(options.signal ? { signal: options.signal } : {}),
        });
        status = response.status;
        text = await response.text();
      }
    } catch (error) {
      throw new AppError('AGENT_UNREACHABLE', `${method} ${endpoint}${path} failed: ${describe(error)}`, {
        cause: error,
      });
    }
    const parsed = text ? safeJson(text) : undefined;
    if (status >= 200 && status < 300) return parsed;
    const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
      ?.error;
    if (error && isErrorCode(error.code)) {
      throw new AppError(error.code, String(error.message ?? error.code), {
        ...(isRecord(error.details) ? { details: error.details } : {}),
      });
    }
    throw new AppError('AGENT_UNREACHABLE', `${method} ${endpoint}${path} answered ${status}`);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
