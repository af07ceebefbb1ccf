import {
  AgentListSchema,
  AgentMetricsSchema,
  AgentRegistrationSchema,
  AgentSchema,
  AgentsHealthSchema,
  ApiKeyListSchema,
  ApiKeyViewSchema,
  CreateApiKeyRequestSchema,
  CreatedApiKeySchema,
  ERROR_CODES,
  ErrorResponseSchema,
  PerformanceMetricsSchema,
  RedriveOutcomeSchema,
  RedriveRequestSchema,
  SubmitTaskResponseSchema,
  TaskMetricsSchema,
  TaskPageSchema,
  TaskResultViewSchema,
  TaskSubmissionSchema,
  TaskViewSchema,
  type ErrorCode,
} from '@contextforge/contracts';
import { z } from 'zod';
import type { RouteSpec } from './route-spec';
import { ROUTE_TAGS } from './routes';

/**
 * Generates the OpenAPI 3.1 document from the route table and the zod schemas the code validates
 * with (z.toJSONSchema, JSON Schema 2020-12, which is OpenAPI 3.1's schema dialect). Request
 * bodies are described as they may be sent (fields with defaults are optional), responses as they
 * are answered. Every error answer references the one ErrorResponse schema, whose `code` enum is
 * the error registry.
 */
export type OpenApiDocument = Record<string, unknown> & {
  openapi: '3.1.0';
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
};

interface OperationObject {
  operationId: string;
  [key: string]: unknown;
}

export interface OpenApiOptions {
  title?: string;
  version?: string;
  /** Server URLs; default one relative server, "/". */
  servers?: readonly string[];
}

const SECURITY = [{ bearerAuth: [] }, { apiKeyAuth: [] }];
/** Error codes every operation can answer with: the edge's limits and unexpected failures. */
const COMMON_ERRORS: readonly ErrorCode[] = ['RATE_LIMITED', 'INTERNAL'];

const STREAMS_DESCRIPTION = `
## Streams (WebSocket)

Connect with the same credentials as REST (\`Authorization: Bearer ...\` or \`X-API-Key\`). Every
message carries a sequence number \`seq\`; reconnect with the last one you saw to get exactly what
you missed within the retention window (STREAM_RESUME_UNAVAILABLE when it is older).

- \`/tasks/stream/{id}\`: every event of one of your tasks, then close on a final status.
- \`/agents/stream\`: agent status changes.
- \`/metrics/stream\`: periodic metrics.

## gRPC

Service \`AgentService\` (proto in libs/contracts): RegisterAgent, SubmitTask, GetTaskStatus,
StreamResults (server stream). Same validation, authentication (metadata \`authorization\` or
\`x-api-key\`) and error codes; each error code maps to a gRPC status (see the error registry).

## Errors

Every non-2xx answer has the ErrorResponse shape \`{ "error": { "code", "message", "details"? } }\`;
\`code\` is stable and documented in docs/api/errors.md.
`.trim();

interface NamedSchema {
  name: string;
  schema: z.ZodType;
}

/** Gives every body and response schema of the table a component name (from the operation). */
function collectSchemas(routes: readonly RouteSpec[]): {
  requests: Map<z.ZodType, string>;
  responses: Map<z.ZodType, string>;
} {
  const requests = new Map<z.ZodType, string>();
  const responses = new Map<z.ZodType, string>();
  const name = (map: Map<z.ZodType, string>, schema: z.ZodType, fallback: string) => {
    if (!map.has(schema)) map.set(schema, KNOWN_NAMES.get(schema) ?? fallback);
  };
  for (const route of routes) {
    const base = route.operationId.charAt(0).toUpperCase() + route.operationId.slice(1);
    if (route.body) name(requests, route.body, `${base}Request`);
    for (const response of Object.values(route.responses)) {
      if (response.schema && response.contentType !== 'text/html') {
        name(responses, response.schema, `${base}Response`);
      }
    }
  }
  return { requests, responses };
}

/** Component names of the shared contract schemas, so the document says "TaskView", not "GetTaskResponse". */
const KNOWN_NAMES = new Map<z.ZodType, string>([
  [TaskViewSchema, 'TaskView'],
  [TaskPageSchema, 'TaskPage'],
  [TaskResultViewSchema, 'TaskResultView'],
  [TaskSubmissionSchema, 'TaskSubmission'],
  [AgentSchema, 'Agent'],
  [AgentRegistrationSchema, 'AgentRegistration'],
  [ApiKeyViewSchema, 'ApiKeyView'],
  [ApiKeyListSchema, 'ApiKeyList'],
  [CreateApiKeyRequestSchema, 'CreateApiKeyRequest'],
  [CreatedApiKeySchema, 'CreatedApiKey'],
  [AgentListSchema, 'AgentList'],
  [AgentsHealthSchema, 'AgentsHealth'],
  [AgentMetricsSchema, 'AgentMetrics'],
  [TaskMetricsSchema, 'TaskMetrics'],
  [PerformanceMetricsSchema, 'PerformanceMetrics'],
  [RedriveRequestSchema, 'RedriveRequest'],
  [RedriveOutcomeSchema, 'RedriveOutcome'],
  [SubmitTaskResponseSchema, 'SubmitTaskResponse'],
]);

function toComponents(
  schemas: Map<z.ZodType, string>,
  io: 'input' | 'output',
  extra: readonly NamedSchema[] = [],
): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [schema, id] of schemas) registry.add(schema, { id });
  for (const { name, schema } of extra) if (!registry.has(schema)) registry.add(schema, { id: name });
  const generated = z.toJSONSchema(registry, {
    io,
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: 'any',
  }) as { schemas: Record<string, Record<string, unknown>> };
  const components: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(generated.schemas)) {
    const { $schema: _dialect, $id: _id, ...rest } = schema;
    components[id] = rest;
  }
  if (components['ErrorResponse']) {
    components['ErrorResponse'] = {
      ...(components['ErrorResponse'] as object),
      description: 'The common error shape; `error.code` is one of the error registry codes (x-error-codes).',
      'x-error-codes': Object.fromEntries(
        Object.entries(ERROR_CODES).map(([code, spec]) => [
          code,
          { http: spec.http, grpc: spec.grpc, retryable: spec.retryable, description: spec.description },
        ]),
      ),
    };
  }
  return components;
}

function inlineSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return rest;
}

function parametersOf(route: RouteSpec): unknown[] {
  const parameters: unknown[] = [];
  for (const [name, schema] of Object.entries(route.params?.shape ?? {})) {
    const json = inlineSchema(schema as z.ZodType);
    const { description, ...rest } = json;
    parameters.push({ name, in: 'path', required: true, description, schema: rest });
  }
  for (const [name, schema] of Object.entries(route.query?.shape ?? {})) {
    const field = schema as z.ZodType;
    const json = inlineSchema(field);
    const { description, ...rest } = json;
    parameters.push({
      name,
      in: 'query',
      required: !field.safeParse(undefined).success,
      ...(description === undefined ? {} : { description }),
      schema: rest,
    });
  }
  return parameters;
}

function errorResponses(route: RouteSpec): Record<string, unknown> {
  const codes = [...route.errors, ...(route.auth ? (['UNAUTHENTICATED'] as const) : []), ...COMMON_ERRORS];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_CODES[code].http;
    const list = byStatus.get(status) ?? [];
    if (!list.includes(code)) list.push(code);
    byStatus.set(status, list);
  }
  const responses: Record<string, unknown> = {};
  for (const [status, list] of [...byStatus].sort(([a], [b]) => a - b)) {
    responses[String(status)] = {
      description: `Error: ${list.join(', ')}.`,
      ...(status === 401
        ? { headers: { 'WWW-Authenticate': { description: 'Bearer', schema: { type: 'string' } } } }
        : {}),
      ...(status === 429
        ? { headers: { 'Retry-After': { description: 'Seconds to wait.', schema: { type: 'integer' } } } }
        : {}),
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
    };
  }
  return responses;
}

export function buildOpenApiDocument(
  routes: readonly RouteSpec[],
  options: OpenApiOptions = {},
): OpenApiDocument {
  const { requests, responses } = collectSchemas(routes);
  // The same schema may be named in both maps (never in practice); request names win for bodies.
  const responseComponents = toComponents(responses, 'output', [
    { name: 'ErrorResponse', schema: ErrorResponseSchema },
  ]);
  const requestComponents = toComponents(requests, 'input');
  for (const id of Object.keys(requestComponents)) {
    if (id in responseComponents) throw new Error(`OpenAPI: schema name ${id} is used twice`);
  }

  const paths: OpenApiDocument['paths'] = {};
  for (const route of routes) {
    const operation: OperationObject = {
      operationId: route.operationId,
      summary: route.summary,
      ...(route.description ? { description: route.description } : {}),
      tags: [...route.tags],
      security: route.auth ? SECURITY : [],
    };
    const parameters = parametersOf(route);
    if (parameters.length > 0) operation['parameters'] = parameters;
    if (route.body) {
      operation['requestBody'] = {
        required: true,
        content: {
          'application/json': { schema: { $ref: `#/components/schemas/${requests.get(route.body)}` } },
          ...Object.fromEntries(
            (route.rawBody?.contentTypes ?? []).map((type) => [
              type,
              { schema: { type: 'string', format: 'binary', description: route.rawBody?.description } },
            ]),
          ),
        },
      };
    }
    const answers: Record<string, unknown> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      const schemaName = response.schema ? responses.get(response.schema) : undefined;
      answers[status] = {
        description: response.description,
        ...(response.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(response.headers).map(([name, header]) => [
                  name,
                  {
                    description: header.description,
                    required: header.required ?? false,
                    schema: { type: 'string' },
                  },
                ]),
              ),
            }
          : {}),
        ...(response.contentType === 'text/html'
          ? { content: { 'text/html': { schema: { type: 'string' } } } }
          : schemaName
            ? { content: { 'application/json': { schema: { $ref: `#/components/schemas/${schemaName}` } } } }
            : {}),
      };
    }
    operation['responses'] = { ...answers, ...errorResponses(route) };
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }

  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'ContextForge gateway API',
      version: options.version ?? '0.1.0',
      summary: 'Submit code-analysis tasks to a fleet of remote agents and watch them finish.',
      description: STREAMS_DESCRIPTION,
      license: { name: 'UNLICENSED', identifier: 'LicenseRef-UNLICENSED' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: (options.servers ?? ['/']).map((url) => ({ url })),
    tags: ROUTE_TAGS.map((tag) => ({ ...tag })),
    security: SECURITY,
    paths,
    components: {
      schemas: { ...responseComponents, ...requestComponents },
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'Clients: a JWT (alg pinned, exp required, iss and aud checked). API keys are also accepted as Bearer cfk_...',
        },
        apiKeyAuth: {
          type: 'apiKey',
          in: 'header',
          name: 'X-API-Key',
          description: 'Agents and admins: an API key, cfk_<id>_<secret>.',
        },
      },
    },
    'x-websocket-streams': [
      { path: '/tasks/stream/{id}', description: 'Every event of one task, then close on a final status.' },
      { path: '/agents/stream', description: 'Agent status changes.' },
      { path: '/metrics/stream', description: 'Periodic metrics.' },
    ],
    'x-grpc': {
      service: 'AgentService',
      methods: ['RegisterAgent', 'SubmitTask', 'GetTaskStatus', 'StreamResults'],
    },
  };
}
