import { ErrorResponseSchema } from '@contextforge/contracts';
import fc from 'fast-check';
import { Agent, request } from 'node:http';
import { GATEWAY_ROUTES } from '../src/rest/routes';
import type { RouteSpec } from '../src/rest/route-spec';
import { GatewayClient } from './support/gateway-client';

/**
 * Property-based fuzzing of every REST route over real HTTP: random and schema-near-miss path
 * parameters, queries, bodies, content types, credentials and methods. Whatever arrives, the
 * gateway answers below 500, every error in the common error shape, and every success in the
 * route's own response schema. Inputs are generated up front (fixed seed, reproducible) and sent
 * with a few keep-alive connections.
 */
const RUNS_PER_ROUTE = 1_000;
const CONCURRENCY = 8;
const BODY_LIMIT = 16 * 1024;
const SEED = 20_240_605;

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

/** One valid body per route that takes one; near-misses are derived from it. */
const VALID_BODIES: Record<string, Record<string, unknown>> = {
  submitTask: { type: 'analyze.file', input: { path: 'a.ts' }, priority: 5, idempotencyKey: 'k' },
  registerAgent: {
    id: 'fuzz-agent',
    name: 'fuzz',
    type: 'code-analyzer',
    taskTypes: ['analyze.file'],
    endpoint: 'http://fuzz.internal:8001',
    concurrency: 2,
  },
  redriveDeadLetters: { taskIds: ['00000000-0000-4000-8000-000000000000'] },
  createApiKey: { name: 'fuzz key', role: 'agent', agentId: 'fuzz-agent' },
};

const segment = fc.oneof(
  fc.constantFrom('', '.', '..', '%', '%zz', '%E0%A4%A', '%00', 'health', 'submit', 'agent-a', 'ok'),
  fc.uuid().map((uuid) => uuid),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 40 }).map(encodeURIComponent),
  fc.string({ minLength: 2_000, maxLength: 6_000 }).map(encodeURIComponent),
);

const queryValue = fc.oneof(
  fc.constantFrom(
    '',
    '0',
    '1',
    '50',
    '500',
    '501',
    '-1',
    '1e3',
    'NaN',
    'queued',
    'dead_lettered',
    'x'.repeat(600),
  ),
  fc.string({ unit: 'grapheme', maxLength: 30 }).map(encodeURIComponent),
  fc.string({ maxLength: 10 }).map((raw) => raw.replace(/[\s#]/g, '')),
);

function queryOf(route: RouteSpec): fc.Arbitrary<string> {
  const known = Object.keys(route.query?.shape ?? {});
  const key = fc.oneof(
    ...(known.length > 0 ? [fc.constantFrom(...known)] : []),
    fc.constantFrom('__proto__', 'constructor', 'limit[]', 'status[x]', ''),
    fc.string({ maxLength: 8 }).map(encodeURIComponent),
  );
  return fc
    .array(fc.tuple(key, queryValue), { maxLength: 4 })
    .map((pairs) => (pairs.length === 0 ? '' : `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`));
}

/** The valid body with exactly one field replaced, removed or added. */
function nearMiss(valid: Record<string, unknown>): fc.Arbitrary<unknown> {
  const fields = Object.keys(valid);
  return fc.oneof(
    fc
      .tuple(fc.constantFrom(...fields), fc.jsonValue())
      .map(([field, value]) => ({ ...valid, [field]: value })),
    fc.constantFrom(...fields).map((field) => {
      const { [field]: _removed, ...rest } = valid;
      return rest;
    }),
    fc
      .tuple(fc.string({ maxLength: 10 }), fc.jsonValue())
      .map(([field, value]) => ({ ...valid, [field]: value })),
    fc
      .tuple(fc.constantFrom(...fields), fc.string({ unit: 'grapheme', minLength: 0, maxLength: 300 }))
      .map(([field, value]) => ({ ...valid, [field]: value })),
  );
}

const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constant('application/json') },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      undefined,
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/merge-patch+json',
      'multipart/form-data; boundary=x',
      '*/*',
      'application/json;;;',
    ),
  },
);

function bodyOf(route: RouteSpec): fc.Arbitrary<{ body?: Buffer; contentType?: string }> {
  const valid = VALID_BODIES[route.operationId];
  const json = fc.oneof(
    ...(valid
      ? [
          { weight: 5, arbitrary: nearMiss(valid) },
          { weight: 1, arbitrary: fc.constant(valid) },
        ]
      : []),
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  );
  const raw = fc.oneof(
    json.map((value) => Buffer.from(JSON.stringify(value) ?? 'null')),
    fc.string({ maxLength: 200 }).map((text) => Buffer.from(text)),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    fc.constant(Buffer.from(`{"type":"${'x'.repeat(BODY_LIMIT)}"}`)),
    fc.constant(Buffer.alloc(0)),
  );
  return fc.record({
    body:
      route.method === 'POST'
        ? fc.option(raw, { nil: undefined, freq: 8 })
        : fc.option(raw, { freq: 1 }).map(() => undefined),
    contentType,
  }) as fc.Arbitrary<{ body?: Buffer; contentType?: string }>;
}

const credentials = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('admin', 'client-a', 'client-b', 'agent-key', 'agent-x-key') },
  { weight: 1, arbitrary: fc.constantFrom(undefined, '', 'nope', 'Bearer', 'cfk_x_y', '\u00e9'.repeat(5)) },
);

function requestsFor(route: RouteSpec, index: number): FuzzRequest[] {
  const arbitrary = fc.record({
    params: fc.array(segment, { minLength: 1, maxLength: 1 }),
    query: queryOf(route),
    payload: bodyOf(route),
    token: credentials,
    viaApiKey: fc.boolean(),
    method: fc.oneof(
      { weight: 9, arbitrary: fc.constant(route.method) },
      { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH', 'OPTIONS') },
    ),
  });
  return fc.sample(arbitrary, { numRuns: RUNS_PER_ROUTE, seed: SEED + index }).map((input) => {
    const path = route.path.replace(/\{[^}]+\}/g, () => input.params[0] ?? '') + input.query;
    const headers: Record<string, string> = {};
    // Header values must be latin-1 for the HTTP client; anything else is dropped here.
    if (input.token !== undefined && /^[\x20-\x7e]*$/.test(input.token)) {
      if (input.viaApiKey) headers['x-api-key'] = input.token;
      else headers['authorization'] = `Bearer ${input.token}`;
    }
    if (input.payload.contentType !== undefined) headers['content-type'] = input.payload.contentType;
    return {
      method: input.method,
      path,
      headers,
      ...(input.payload.body === undefined ? {} : { body: input.payload.body }),
    };
  });
}

function send(
  agent: Agent,
  port: number,
  fuzz: FuzzRequest,
): Promise<{ status: number; contentType: string; text: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      {
        host: '127.0.0.1',
        port,
        agent,
        method: fuzz.method,
        path: fuzz.path,
        headers: { ...fuzz.headers, ...(fuzz.body ? { 'content-length': String(fuzz.body.length) } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: String(response.headers['content-type'] ?? ''),
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(fuzz.body);
  });
}

/**
 * The route that serves a request: fuzzed paths may land on another route than the one they were
 * made for (an empty id turns /agents/{id} into /agents). Matched like Express: in table order,
 * one non-empty segment per parameter, an optional trailing slash.
 */
const MATCHERS = GATEWAY_ROUTES.map((route) => ({
  route,
  pattern: new RegExp(`^${route.path.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
}));

function servedBy(fuzz: FuzzRequest): RouteSpec | undefined {
  const path = fuzz.path.split('?')[0] ?? '';
  return MATCHERS.find(({ route, pattern }) => pattern.test(path) && route.method === fuzz.method)?.route;
}

/** What is wrong with an answer, or undefined when it keeps the promises. */
function violation(fuzz: FuzzRequest, answer: { status: number; contentType: string; text: string }) {
  if (answer.status >= 500) return `status ${answer.status}: ${answer.text.slice(0, 300)}`;
  if (answer.status >= 200 && answer.status < 300) {
    const route = servedBy(fuzz);
    if (!route) return `success ${answer.status} from no route of the table`;
    const spec = route.responses[answer.status];
    if (!spec) return `undocumented success status ${answer.status}`;
    if (spec.contentType === 'text/html' || !spec.schema || fuzz.method === 'HEAD') return undefined;
    const parsed = spec.schema.safeParse(JSON.parse(answer.text));
    return parsed.success
      ? undefined
      : `2xx body does not match its schema: ${parsed.error.message.slice(0, 300)}`;
  }
  let body: unknown;
  try {
    body = JSON.parse(answer.text);
  } catch {
    return `non-JSON error body (${answer.status}): ${answer.text.slice(0, 200)}`;
  }
  const parsed = ErrorResponseSchema.safeParse(body);
  return parsed.success ? undefined : `error body not in the common shape: ${answer.text.slice(0, 300)}`;
}

describe('gateway REST fuzzing', () => {
  let client: GatewayClient;
  let agent: Agent;

  beforeAll(async () => {
    client = await GatewayClient.start({ bodyLimitBytes: BODY_LIMIT });
    agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  });
  afterAll(async () => {
    agent.destroy();
    await client.close();
  });

  it(`answers ${RUNS_PER_ROUTE} random and near-miss requests per route below 500, in the common error shape`, async () => {
    const port = Number(new URL(client.baseUrl).port);
    const work = GATEWAY_ROUTES.flatMap((route, index) =>
      requestsFor(route, index).map((fuzz) => ({ route, fuzz })),
    );
    // Seed some tasks so task routes also meet existing ids.
    for (const token of ['client-a', 'client-b'] as const) await client.as(token).submit();

    const failures: string[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const worker = async () => {
      while (next < work.length) {
        const { fuzz } = work[next++] as (typeof work)[number];
        const answer = await send(agent, port, fuzz);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        const problem = violation(fuzz, answer);
        if (problem && failures.length < 20)
          failures.push(`${fuzz.method} ${fuzz.path.slice(0, 120)}: ${problem}`);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    console.log(
      `gateway fuzz: ${work.length} requests over ${GATEWAY_ROUTES.length} routes; statuses ${JSON.stringify(
        Object.fromEntries([...statuses].sort(([a], [b]) => a - b)),
      )}`,
    );
    expect(failures).toEqual([]);
    expect(work.length).toBe(GATEWAY_ROUTES.length * RUNS_PER_ROUTE);
    // The inputs reach past authentication and validation too, not only the error paths.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(1_000);
    expect(statuses.get(202) ?? 0).toBeGreaterThan(20);
    // ~25,000 requests take ~10 s on an idle machine and several times that beside the other suites.
  }, 300_000);
});
