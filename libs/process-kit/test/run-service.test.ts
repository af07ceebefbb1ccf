import { FixtureProcess } from './support/run-fixture';

/**
 * runService is the body of every app's main.ts, so it is tested as one: in a child process,
 * through its exit code, its output and the signals it handles.
 */
describe('runService', () => {
  const started: FixtureProcess[] = [];
  const run = (mode: string, env?: Record<string, string>) => {
    const fixture = new FixtureProcess(mode, env);
    started.push(fixture);
    return fixture;
  };
  afterEach(() => {
    for (const fixture of started.splice(0)) fixture.kill();
  });

  it('exits 1 with one line naming the key when the config is invalid, without starting', async () => {
    const fixture = run('ok', { PORT: 'abc' });
    expect(await fixture.exited).toEqual({ code: 1, signal: null });
    expect(fixture.stderr).toBe(
      'fixture: failed to start: config: coordinator.port: expected an integer 0-65535, got "abc" (from env PORT)\n',
    );
    expect(fixture.plainLines()).toEqual([]);
  });

  it('exits 1 without retrying when start fails with a non-retryable error, after running its cleanup', async () => {
    const fixture = run('fatal');
    expect(await fixture.exited).toEqual({ code: 1, signal: null });
    expect(fixture.plainLines()).toEqual(['attempt 1', 'cleanup after fatal']);
    expect(fixture.stderr).toBe('fixture: failed to start: the analyzer bundle is corrupt\n');
  });

  it('retries a start that failed with a retryable error, cleaning up in between, then runs', async () => {
    const fixture = run('flaky');
    await fixture.printed('fixture listening on :0');
    expect(fixture.plainLines()).toEqual([
      'attempt 1',
      'cleanup after attempt 1',
      'attempt 2',
      'fixture listening on :0',
    ]);
    expect(fixture.stderr).toMatch(
      /^fixture: consul at 127\.0\.0\.1:1 is not reachable; retrying in \d+ ms \(1\/1\)\n$/,
    );
    fixture.signal('SIGTERM');
    expect((await fixture.exited).code).toBe(0);
  });

  it('gives up after startRetries retries with exit 1', async () => {
    const fixture = run('always-down');
    expect(await fixture.exited).toEqual({ code: 1, signal: null });
    expect(fixture.plainLines()).toEqual([
      'attempt 1',
      'cleanup after attempt 1',
      'attempt 2',
      'cleanup after attempt 2',
    ]);
    expect(fixture.stderr.split('\n').at(-2)).toBe(
      'fixture: failed to start: consul at 127.0.0.1:1 is not reachable',
    );
  });

  it('on SIGTERM runs the cleanup steps in reverse order, one at a time, past a failing one, and exits 0', async () => {
    const fixture = run('ok');
    await fixture.printed('fixture listening on :0');
    fixture.signal('SIGTERM');
    expect(await fixture.exited).toEqual({ code: 0, signal: null });
    expect(fixture.plainLines()).toEqual([
      'attempt 1',
      'fixture listening on :0',
      'stop 3',
      'stop 2',
      'stop 1',
    ]);
    const logged = fixture.logLines().map((line) => [line['level'], line['msg']]);
    expect(logged).toEqual([
      ['info', 'stopping'],
      ['error', 'shutdown step failed'],
    ]);
  });

  it('exits 1 at once on a second signal while a cleanup step hangs', async () => {
    const fixture = run('stuck-stop');
    await fixture.printed('fixture listening on :0');
    fixture.signal('SIGINT');
    await fixture.printed('stop stuck');
    fixture.signal('SIGTERM');
    expect(await fixture.exited).toEqual({ code: 1, signal: null });
    expect(fixture.plainLines()).not.toContain('stop 1');
  });

  it('on a signal during start, lets the start finish, cleans up without the banner and exits 0', async () => {
    const fixture = run('gated-start');
    await fixture.printed('attempt 1');
    fixture.signal('SIGTERM');
    await fixture.printed('"msg":"stopping"');
    fixture.send('go');
    expect(await fixture.exited).toEqual({ code: 0, signal: null });
    expect(fixture.plainLines()).toEqual(['attempt 1', 'stop 3', 'stop 2', 'stop 1']);
  });

  it('on a signal while waiting to retry a start, exits 0 without another attempt', async () => {
    const fixture = run('always-down');
    await fixture.printed('retrying in', 'stderr');
    fixture.signal('SIGTERM');
    expect(await fixture.exited).toEqual({ code: 0, signal: null });
    expect(fixture.plainLines()).toEqual(['attempt 1', 'cleanup after attempt 1']);
    expect(fixture.stderr).not.toContain('failed to start');
  });
});
