import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIo } from '../src/cli-io';
import { COMMANDS, GROUPS } from '../src/commands';
import { EXIT_CODES } from '../src/exit-codes';
import { run } from '../src/run';
import { FakeGateway, closedGatewayUrl } from './fake-gateway';

const TASK_ID = '6f1c1a52-8f0e-4d38-9d7a-3f3d3b1f1a01';
const task = {
  id: TASK_ID,
  clientId: 'dev-client',
  type: 'echo',
  input: null,
  priority: 5,
  requiredCapabilities: [],
  timeoutMs: 1000,
  maxAttempts: 3,
  createdAt: '2025-01-01T00:00:00.000Z',
  status: 'succeeded',
  attempt: 1,
  agentId: 'local-agent-1',
  updatedAt: '2025-01-01T00:00:01.000Z',
  eventSeq: 4,
};

/** Runs the CLI in-process with captured output, in an empty directory (no credentials file). */
async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    cwd: mkdtempSync(join(tmpdir(), 'cf-cli-run-')),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

describe('contextforge run(): help and usage', () => {
  it('prints help for the CLI, every group and every command with exit 0', async () => {
    for (const argv of [['--help'], ['help'], ['-h']]) {
      const { code, stdout } = await cli(argv);
      expect(code).toBe(0);
      expect(stdout).toContain('Usage: contextforge <command> [options]');
      expect(stdout).toContain('Exit codes:');
    }
    for (const group of Object.keys(GROUPS)) {
      const { code, stdout } = await cli([group, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: contextforge ${group} <`);
    }
    for (const command of COMMANDS) {
      const { code, stdout } = await cli([...command.path, '--help']);
      expect(code).toBe(0);
      expect(stdout).toContain(`Usage: contextforge ${command.path.join(' ')}`);
      const again = await cli(['help', ...command.path]);
      expect(again.stdout).toBe(stdout);
    }
  });

  it('exits 2 with a message and the usage on command-line mistakes', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /Usage: contextforge <command>/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['tasks'], /missing a tasks command/],
      [['tasks', 'rm'], /unknown command "tasks rm"/],
      [['tasks', 'get'], /missing <id>/],
      [['tasks', 'get', 'a', 'b'], /unexpected argument "b"/],
      [['tasks', 'ls', '--bogus'], /Unknown option '--bogus'/],
      [['tasks', 'ls', '--status', 'sleeping', '--token', 't'], /--status must be one of/],
      [['tasks', 'ls', '--limit', '0', '--token', 't'], /--limit must be an integer/],
      [['analyze', '/definitely/not/here', '--token', 't'], /is not a directory/],
      [['analyze', '.', '--chunk-bytes', '0', '--token', 't'], /--chunk-bytes must be an integer/],
      [['search', '***', '--token', 't'], /the query needs a letter or a digit/],
      [['help', 'nope'], /unknown command "nope"/],
    ];
    for (const [argv, message] of cases) {
      const { code, stderr, stdout } = await cli(argv);
      expect({ argv, code }).toEqual({ argv, code: EXIT_CODES.usage });
      expect(stderr).toMatch(message);
      expect(stdout).toBe('');
    }
  });

  it('exits 3 without credentials and 5 when the gateway is unreachable', async () => {
    const missing = await cli(['tasks', 'ls']);
    expect(missing.code).toBe(EXIT_CODES.auth);
    expect(missing.stderr).toContain('no credentials: pass --token, set CF_TOKEN');

    const gateway = await closedGatewayUrl();
    const unreachable = await cli(['agents', 'ls', '--gateway', gateway, '--token', 't']);
    expect(unreachable.code).toBe(EXIT_CODES.unreachable);
    expect(unreachable.stderr).toContain(`cannot reach the gateway at ${gateway}: ECONNREFUSED`);

    const json = await cli(['agents', 'ls', '--json'], { CONTEXTFORGE_GATEWAY: gateway, CF_TOKEN: 't' });
    expect(json.code).toBe(EXIT_CODES.unreachable);
    expect(JSON.parse(json.stderr)).toMatchObject({ error: { code: 'SERVICE_UNAVAILABLE', status: 0 } });
  });
});

describe('contextforge run(): against a fake gateway', () => {
  const gateway = new FakeGateway({
    'GET /tasks': { status: 200, body: { tasks: [task], nextCursor: 'next-1' } },
    [`GET /tasks/${TASK_ID}`]: { status: 200, body: task },
    [`GET /tasks/${TASK_ID}/result`]: {
      status: 200,
      body: {
        taskId: TASK_ID,
        attempt: 1,
        agentId: 'local-agent-1',
        output: { hello: 'world' },
        durationMs: 3,
        createdAt: task.updatedAt,
      },
    },
    [`DELETE /tasks/${TASK_ID}`]: {
      status: 409,
      body: { error: { code: 'TASK_ALREADY_FINAL', message: `task ${TASK_ID} is already succeeded` } },
    },
    'GET /search': {
      status: 200,
      body: {
        results: [
          {
            symbol: {
              kind: 'function',
              name: 'parseTokens',
              file: 'src/parse.ts',
              startLine: 12,
              endLine: 40,
              signature: 'export function parseTokens(text: string): Token[]',
              language: 'typescript',
            },
            taskId: TASK_ID,
            score: 1.5,
          },
          {
            symbol: {
              kind: 'method',
              name: 'parse_tokens_fast',
              file: 'py/lexer.py',
              startLine: 3,
              endLine: 9,
              signature: 'def parse_tokens_fast(self, text):',
              language: 'python',
            },
            taskId: TASK_ID,
            score: 0.4,
          },
        ],
        nextCursor: 'c2',
      },
    },
    'GET /agents': {
      status: 401,
      body: {
        error: { code: 'UNAUTHENTICATED', message: 'invalid token', details: { reason: 'bad_signature' } },
      },
    },
  });
  let url: string;

  beforeAll(async () => {
    url = await gateway.start();
  });
  afterAll(async () => {
    await gateway.stop();
  });

  const env = () => ({ CONTEXTFORGE_GATEWAY: url, CF_TOKEN: 'tok' });

  it('tasks ls prints a table and says how to get the next page; --json prints the page', async () => {
    const { code, stdout, stderr } = await cli(
      ['tasks', 'ls', '--status', 'succeeded', '--limit', '5'],
      env(),
    );
    expect(code).toBe(0);
    expect(stdout.split('\n')[0]).toMatch(/^ID\s+TYPE\s+STATUS\s+AGENT\s+ATTEMPT\s+UPDATED$/);
    expect(stdout).toContain(`${TASK_ID}  echo  succeeded  local-agent-1`);
    expect(stderr).toContain('--cursor next-1');
    expect(gateway.requests.at(-1)).toMatchObject({
      url: '/tasks?status=succeeded&limit=5',
      authorization: 'Bearer tok',
    });

    const json = await cli(['--json', 'tasks', 'ls'], env());
    expect(JSON.parse(json.stdout)).toEqual({ tasks: [task], nextCursor: 'next-1' });
  });

  it('tasks get shows the task and its output', async () => {
    const { code, stdout } = await cli(['tasks', 'get', TASK_ID], env());
    expect(code).toBe(0);
    expect(stdout).toContain('status:   succeeded');
    expect(stdout).toContain('"hello": "world"');
  });

  it('search prints a ranked table with file:line, kind, name and signature', async () => {
    const { code, stdout, stderr } = await cli(
      ['search', 'parse', 'tokens', '--kind', 'function', '--language', 'typescript', '--limit', '2'],
      env(),
    );
    expect(code).toBe(0);
    expect(gateway.requests.at(-1)?.url).toBe(
      '/search?q=parse+tokens&kind=function&language=typescript&limit=2',
    );
    expect(stdout.split('\n')).toEqual([
      '#  LOCATION         KIND      NAME               SIGNATURE',
      '1  src/parse.ts:12  function  parseTokens        export function parseTokens(text: string): Token[]',
      '2  py/lexer.py:3    method    parse_tokens_fast  def parse_tokens_fast(self, text):',
      '',
    ]);
    expect(stderr).toContain('--cursor c2');

    const badKind = await cli(['search', 'x', '--kind', 'widget'], env());
    expect(badKind.code).toBe(EXIT_CODES.usage);
    expect(badKind.stderr).toContain('--kind must be one of function, method');
  });

  it('maps gateway errors to exit codes: 409 -> 1, 401 -> 3, a route the gateway lacks -> 6', async () => {
    const final = await cli(['tasks', 'cancel', TASK_ID], env());
    expect(final.code).toBe(EXIT_CODES.failed);
    expect(final.stderr).toContain('is already succeeded (TASK_ALREADY_FINAL, HTTP 409)');

    const denied = await cli(['agents', 'ls'], env());
    expect(denied.code).toBe(EXIT_CODES.auth);
    expect(denied.stderr).toContain('invalid token (UNAUTHENTICATED, HTTP 401)');

    // This fake gateway is an older version without repository jobs.
    const analyze = await cli(['analyze', '.'], env());
    expect(analyze.code).toBe(EXIT_CODES.unavailable);
    expect(analyze.stderr).toContain('(ROUTE_NOT_FOUND, HTTP 404)');
    expect(analyze.stderr).toContain('this gateway does not offer what the command needs');
    expect(gateway.requests.at(-1)).toMatchObject({ method: 'POST', url: '/jobs/repository' });
  });
});
