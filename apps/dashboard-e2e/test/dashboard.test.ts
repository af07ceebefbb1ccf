import type { TaskView } from '@contextforge/contracts';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { startEmbeddedProcess, type RunningEmbedded } from './support/embedded-process';
import { launchChromium, type Browser } from './support/launch-chromium';

/** Git-ignored (tmp/ in .gitignore); CI can keep it as an artefact. */
const ARTEFACTS = resolve(__dirname, '../../../tmp/dashboard-e2e');
const SUCCEEDING = 5;
const WAIT = { timeout: 30_000 };

describe('operations dashboard in headless Chromium against the running embedded app', () => {
  let system: RunningEmbedded;
  let browser: Browser;
  let page: Page;
  const browserErrors: string[] = [];

  beforeAll(async () => {
    system = await startEmbeddedProcess();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await system?.stop();
  });

  beforeEach(async () => {
    browserErrors.length = 0;
    page = await browser.context.newPage();
    // CSP refusals and script errors surface here; the page must have none.
    page.on('console', (message) => {
      if (message.type() === 'error') browserErrors.push(message.text());
    });
    page.on('pageerror', (error) => browserErrors.push(error.message));
  });

  afterEach(async () => {
    await page.close();
  });

  const api = async (path: string, init: RequestInit = {}, token = system.clientToken) =>
    fetch(`${system.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
  const submit = async (body: unknown): Promise<string> => {
    const response = await api('/tasks/submit', { method: 'POST', body: JSON.stringify(body) });
    expect(response.status).toBe(202);
    return ((await response.json()) as { taskId: string }).taskId;
  };
  const text = async (selector: string) => (await page.locator(selector).textContent()) ?? '';

  it('asks for a token when it has none and refuses a wrong one with the API error', async () => {
    await page.goto(`${system.url}/dashboard`);
    await page.locator('#login').waitFor({ state: 'visible', ...WAIT });
    await page.fill('#token', 'not-a-token');
    await page.click('#login button[type=submit]');
    await page.waitForFunction(
      () => document.getElementById('login-message')?.textContent?.startsWith('UNAUTHENTICATED'),
      undefined,
      WAIT,
    );
    expect(await page.locator('#agents-body tr').count()).toBe(0);
    expect(browserErrors.filter((error) => !error.includes('status of 401'))).toEqual([]);
  });

  it('shows live agents and task figures, and re-drives a dead-lettered task', async () => {
    for (let n = 0; n < SUCCEEDING; n += 1) await submit({ type: 'echo', input: { n } });
    // The poison: never finishes in time and may not be retried, so it is dead-lettered. Its
    // timeout is long enough that the re-driven attempt is still under way when the test reads it.
    const poison = await submit({ type: 'sleep', input: { ms: 600_000 }, timeoutMs: 8_000, maxAttempts: 1 });

    await page.goto(`${system.url}/dashboard#access_token=${system.adminToken}`);
    expect(page.url()).toBe(`${system.url}/dashboard`);

    // Agents from /agents/stream: the two local agents, healthy, breakers closed.
    for (const id of ['local-agent-1', 'local-agent-2']) {
      const row = page.locator(`#agents-body tr[data-agent-id="${id}"]`);
      await row.waitFor(WAIT);
      expect(await row.textContent()).toMatch(/healthy.*closed/);
      expect(await row.textContent()).toContain('echo');
    }
    await page.waitForFunction(
      () =>
        document.getElementById('live-agents')?.textContent === 'agents: live' &&
        document.getElementById('live-metrics')?.textContent === 'metrics: live',
      undefined,
      WAIT,
    );

    // Task figures from /metrics/stream ticks.
    await page.waitForFunction(
      (count) => document.getElementById('count-succeeded')?.textContent === String(count),
      SUCCEEDING,
      WAIT,
    );
    expect(await text('#fleet')).toMatch(/^2 agents \(2 healthy\)/);
    expect(await text('#throughput-now')).toMatch(/^0\.(0[1-9]|[1-9])\d* tasks\/s over 60 s$/);
    expect(await text('#latency-now')).toMatch(new RegExp(`\\(${SUCCEEDING} tasks\\)$`));
    expect(await page.locator('#throughput-chart polyline').count()).toBeGreaterThan(0);
    expect(await page.locator('#queue-chart rect').count()).toBe(10);

    // The poison reaches the dead-letter queue and the recent failures.
    const deadRow = page.locator(`#dlq-body tr[data-task-id="${poison}"]`);
    await deadRow.waitFor(WAIT);
    expect(await deadRow.textContent()).toContain('TASK_TIMEOUT');
    await page.locator(`#failures-body tr[data-task-id="${poison}"]`).waitFor(WAIT);
    const before = (await (await api(`/tasks/${poison}`)).json()) as TaskView;
    expect(before.status).toBe('dead_lettered');

    await deadRow.locator('button.redrive').click();
    await deadRow.waitFor({ state: 'detached', ...WAIT });
    expect(await text('#notice')).toBe(`Re-drove ${poison}: queued, attempt ${before.attempt + 1}`);
    // Queued again with a new attempt, which the scheduler may already have dispatched (it numbers
    // dispatches as attempts too).
    const after = (await (await api(`/tasks/${poison}`)).json()) as TaskView;
    expect(after.attempt).toBeGreaterThan(before.attempt);
    expect(['queued', 'dispatched', 'running']).toContain(after.status);

    mkdirSync(ARTEFACTS, { recursive: true });
    const screenshot = join(ARTEFACTS, 'dashboard.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    process.stdout.write(`dashboard screenshot: ${screenshot}\n`);

    expect(browserErrors).toEqual([]);
    expect((await api(`/tasks/${poison}`, { method: 'DELETE' })).status).toBe(200);
  });

  it("shows the API's error when a re-drive is refused", async () => {
    // The re-driven attempt must still be under way when the test cancels it.
    const dead = await submit({ type: 'sleep', input: { ms: 600_000 }, timeoutMs: 3_000, maxAttempts: 1 });
    await page.goto(`${system.url}/dashboard#access_token=${system.adminToken}`);
    const row = page.locator(`#dlq-body tr[data-task-id="${dead}"]`);
    await row.waitFor(WAIT);
    // Someone else re-drives and cancels the task while the page's request is on its way (held
    // here, then passed on unchanged to the real API), so the API refuses it.
    const meanwhile: number[] = [];
    await page.route(`**/tasks/${dead}/redrive`, async (route) => {
      meanwhile.push((await api(`/tasks/${dead}/redrive`, { method: 'POST' })).status);
      meanwhile.push((await api(`/tasks/${dead}`, { method: 'DELETE' })).status);
      await route.continue();
    });
    await row.locator('button.redrive').click();
    await page.waitForFunction(
      (id) =>
        document.getElementById('notice')?.textContent ===
        `Re-drive of ${id} failed: TASK_NOT_DEAD_LETTERED: task ${id} is cancelled; only dead-lettered tasks can be re-driven`,
      dead,
      WAIT,
    );
    expect(meanwhile).toEqual([202, 200]);
    expect(browserErrors.filter((error) => !error.includes('status of 409'))).toEqual([]);
  });
});
