import { createHash } from 'node:crypto';
import { GatewayClient, errorOf } from './support/gateway-client';

const inline = (html: string, tag: 'script' | 'style'): string => {
  const match = new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(html);
  if (!match?.[1]) throw new Error(`no inline <${tag}>`);
  return match[1];
};
const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('GET /dashboard', () => {
  let client: GatewayClient;

  beforeAll(async () => {
    client = await GatewayClient.start();
  });

  afterAll(async () => {
    await client.close();
  });

  it('serves the page without credentials, with a CSP that allows exactly its inline code', async () => {
    const response = await client.as(undefined).get('/dashboard');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    const csp = response.headers.get('content-security-policy') ?? '';
    const directives = Object.fromEntries(
      csp.split(';').map((directive) => {
        const [name = '', ...values] = directive.trim().split(/\s+/);
        return [name, values.join(' ')];
      }),
    );
    expect(directives).toEqual({
      'default-src': "'none'",
      'script-src': hashOf(inline(html, 'script')),
      'style-src': hashOf(inline(html, 'style')),
      'connect-src': "'self'",
      'img-src': "'self' data:",
      'base-uri': "'none'",
      'form-action': "'none'",
      'frame-ancestors': "'none'",
    });
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('loads nothing from another origin and has no inline event handlers the CSP would block', async () => {
    const html = await (await client.as(undefined).get('/dashboard')).text();
    expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/\son[a-z]+="/);
    expect(html).not.toMatch(/\sstyle="/);
    // One script and one style element: the two the CSP hashes.
    expect(html.match(/<script[\s>]/g)).toHaveLength(1);
    expect(html.match(/<style[\s>]/g)).toHaveLength(1);
    for (const id of [
      'agents-body',
      'throughput-chart',
      'latency-chart',
      'queue-chart',
      'failures-body',
      'dlq-body',
    ]) {
      expect(html).toContain(`id="${id}"`);
    }
  });

  it('leaves the data behind the API: what the page reads answers 401 without a token', async () => {
    for (const path of ['/agents', '/dead-letters?limit=50', '/tasks?status=failed&limit=20']) {
      const response = await client.as(undefined).get(path);
      expect(response.status).toBe(401);
      expect((await errorOf(response)).code).toBe('UNAUTHENTICATED');
    }
    // A token in the query string is not a credential for REST: the page sends it as a header.
    const token = client.token ?? '';
    const byQuery = await client.as(undefined).get(`/agents?access_token=${token}`);
    expect(byQuery.status).toBe(401);
    expect((await client.get('/agents')).status).toBe(200);
  });

  it('is documented in the OpenAPI document as a public HTML page', async () => {
    const document = (await (await client.get('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown> }>>;
    };
    const operation = document.paths['/dashboard']?.['get'];
    expect(operation?.security).toEqual([]);
    expect(operation?.responses['200']).toMatchObject({ content: { 'text/html': expect.any(Object) } });
  });
});
