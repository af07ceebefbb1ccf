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

/**
 * Direct dispatch over HTTP: POST {endpoint}/v1/assignments. Answers are mapped back to the
 * error codes the agent raised (429 AGENT_AT_CAPACITY, 503 AGENT_DRAINING, ...); a connection
 * failure, an unusable endpoint URL or an unreadable answer is AGENT_UNREACHABLE. Paths are
 * appended to the endpoint, so an agent behind a path prefix (`https://host/agents/a1`) works.
 * Keep-alive connections are reused.
 */
export class HttpAgentTransport implements AgentTransport {
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
    let response: Response;
    try {
      response = await fetch(new URL(`${endpoint.replace(/\/+$/, '')}${path}`), {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(traceparent ? { traceparent } : {}),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      throw new AppError('AGENT_UNREACHABLE', `${method} ${endpoint}${path} failed: ${describe(error)}`, {
        cause: error,
      });
    }
    const text = await response.text();
    const parsed = text ? safeJson(text) : undefined;
    if (response.ok) return parsed;
    const error = (parsed as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)
      ?.error;
    if (error && isErrorCode(error.code)) {
      throw new AppError(error.code, String(error.message ?? error.code), {
        ...(isRecord(error.details) ? { details: error.details } : {}),
      });
    }
    throw new AppError('AGENT_UNREACHABLE', `${method} ${endpoint}${path} answered ${response.status}`);
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
