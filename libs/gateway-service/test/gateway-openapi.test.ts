import { ERROR_CODE_LIST } from '@contextforge/contracts';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { GATEWAY_ROUTES } from '../src/rest/routes';
import { gatewayOpenApiDocument } from '../src/gateway';
import { GatewayClient } from './support/gateway-client';

type Problem = { severity: string; ruleId: string; message: string; pointer?: string };

/** Lints with Redocly's recommended ruleset in a child Node process (see support/lint-openapi.mjs). */
async function lint(document: unknown): Promise<Problem[]> {
  const child = spawn(process.execPath, [join(__dirname, 'support', 'lint-openapi.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stdin.end(JSON.stringify(document));
  const [code] = (await once(child, 'close')) as [number | null];
  if (code !== 0) throw new Error(`the OpenAPI linter exited with ${code}`);
  return JSON.parse(output) as Problem[];
}

describe('OpenAPI document and docs page', () => {
  let client: GatewayClient;

  beforeAll(async () => {
    client = await GatewayClient.start();
  });
  afterAll(() => client.close());

  it('passes the Redocly recommended lint without errors or warnings', async () => {
    const problems = await lint(gatewayOpenApiDocument());

    const described = problems.map(
      (problem) => `${problem.severity} ${problem.ruleId}: ${problem.message} at ${problem.pointer}`,
    );
    expect(described.filter((line) => line.startsWith('error'))).toEqual([]);
    expect(described).toEqual([]);
  });

  it('the linter does report a broken document (so the lint above can fail)', async () => {
    const broken = structuredClone(gatewayOpenApiDocument());
    const operation = broken.paths['/tasks']?.['get'] as Record<string, unknown>;
    operation['responses'] = {
      200: {
        description: 'x',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Nope' } } },
      },
    };

    const problems = await lint(broken);

    expect(
      problems.some((problem) => problem.severity === 'error' && problem.ruleId === 'no-unresolved-refs'),
    ).toBe(true);
  });

  it('is served at /openapi.json without credentials, and describes exactly the routes of the table', async () => {
    const response = await client.as(undefined).get('/openapi.json');
    expect(response.status).toBe(200);
    const served = (await response.json()) as ReturnType<typeof gatewayOpenApiDocument>;
    expect(served).toEqual(JSON.parse(JSON.stringify(gatewayOpenApiDocument())));
    expect(served.openapi).toBe('3.1.0');

    const documented = Object.entries(served.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const table = GATEWAY_ROUTES.map((route) => `${route.method} ${route.path}`);
    expect([...documented].sort()).toEqual([...table].sort());
    expect(new Set(table).size).toBe(table.length);
    expect(new Set(GATEWAY_ROUTES.map((route) => route.operationId)).size).toBe(GATEWAY_ROUTES.length);
  });

  it('lists every seed endpoint', () => {
    const table = new Set(GATEWAY_ROUTES.map((route) => `${route.method} ${route.path}`));
    for (const endpoint of [
      'POST /agents/register',
      'DELETE /agents/{id}',
      'GET /agents',
      'GET /agents/{id}',
      'GET /agents/health',
      'POST /tasks/submit',
      'GET /tasks/{id}',
      'GET /tasks/{id}/result',
      'DELETE /tasks/{id}',
      'GET /metrics/agents',
      'GET /metrics/tasks',
      'GET /metrics/performance',
    ]) {
      expect(table).toContain(endpoint);
    }
  });

  it('describes every error answer with the one ErrorResponse schema whose code enum is the error registry', () => {
    const document = gatewayOpenApiDocument();
    const errorSchema = document.components.schemas['ErrorResponse'] as {
      properties: { error: { properties: { code: { enum: string[] } } } };
    };
    expect(errorSchema.properties.error.properties.code.enum).toEqual(ERROR_CODE_LIST);

    for (const methods of Object.values(document.paths)) {
      for (const operation of Object.values(methods)) {
        const responses = operation['responses'] as Record<
          string,
          { content?: Record<string, { schema: unknown }> }
        >;
        for (const [status, response] of Object.entries(responses)) {
          if (Number(status) < 400 || status === '503') continue;
          expect(response.content?.['application/json']?.schema).toEqual({
            $ref: '#/components/schemas/ErrorResponse',
          });
        }
      }
    }
  });

  it('requires credentials (bearer JWT or X-API-Key) on every route except health, readiness, docs and the dashboard page', () => {
    const document = gatewayOpenApiDocument();
    expect(Object.keys(document.components.securitySchemes).sort()).toEqual(['apiKeyAuth', 'bearerAuth']);
    const open = GATEWAY_ROUTES.filter((route) => !route.auth).map((route) => route.path);
    expect(open.sort()).toEqual(['/dashboard', '/docs', '/healthz', '/openapi.json', '/readyz']);
    for (const route of GATEWAY_ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.['security']).toEqual(route.auth ? [{ bearerAuth: [] }, { apiKeyAuth: [] }] : []);
    }
  });

  it('serves a self-contained HTML page at /docs naming every operation', async () => {
    const response = await client.as(undefined).get('/docs');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();

    for (const route of GATEWAY_ROUTES) {
      expect(html).toContain(`id="op-${route.operationId}"`);
      expect(html).toContain(`<code>${route.path}</code>`);
    }
    expect(html).toContain('/tasks/stream/{id}');
    expect(html).not.toMatch(/<script|<link|src="http/);
  });
});
