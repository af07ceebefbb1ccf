import { AppError, type CircuitState } from '@contextforge/contracts';
import { waitFor } from '@contextforge/testing';
import { AgentBreakers } from './agent-breakers';

const settings = {
  errorThresholdPercentage: 50,
  volumeThreshold: 4,
  rollingWindowMs: 10_000,
  resetTimeoutMs: 150,
};
const fail = (code: 'AGENT_UNREACHABLE' | 'AGENT_AT_CAPACITY') => () =>
  Promise.reject(new AppError(code, code));
const ok = () => Promise.resolve();

describe('AgentBreakers', () => {
  it('stays closed below the volume threshold (never opens on a first failure)', async () => {
    const breakers = new AgentBreakers(settings);
    for (let index = 0; index < 3; index += 1) {
      await expect(breakers.fire('a', fail('AGENT_UNREACHABLE'))).rejects.toMatchObject({
        code: 'AGENT_UNREACHABLE',
      });
    }
    expect(breakers.state('a')).toBe('closed');
    breakers.close();
  });

  it('opens after too many failures, lets exactly one probe through half-open, and closes on its success', async () => {
    const changes: CircuitState[] = [];
    const breakers = new AgentBreakers(settings, (_agent, state) => changes.push(state));
    for (let index = 0; index < 4; index += 1)
      await breakers.fire('a', fail('AGENT_UNREACHABLE')).catch(() => undefined);
    expect(breakers.state('a')).toBe('open');
    expect(breakers.accepts('a')).toBe(false);
    await expect(breakers.fire('a', ok)).rejects.toMatchObject({ code: 'AGENT_CIRCUIT_OPEN' });
    expect(breakers.accepts('b')).toBe(true);

    await waitFor(() => breakers.state('a') === 'half_open', { timeoutMs: 2_000 });
    expect(breakers.accepts('a')).toBe(true);
    let release!: () => void;
    const probe = breakers.fire('a', () => new Promise<void>((resolve) => (release = resolve)));
    // While the probe runs, nothing else gets through.
    expect(breakers.accepts('a')).toBe(false);
    await expect(breakers.fire('a', ok)).rejects.toMatchObject({ code: 'AGENT_CIRCUIT_OPEN' });
    release();
    await probe;
    expect(breakers.state('a')).toBe('closed');
    expect(changes).toEqual(['open', 'half_open', 'closed']);
    breakers.close();
  });

  it('re-opens when the half-open probe fails', async () => {
    const breakers = new AgentBreakers(settings);
    for (let index = 0; index < 4; index += 1)
      await breakers.fire('a', fail('AGENT_UNREACHABLE')).catch(() => undefined);
    await waitFor(() => breakers.state('a') === 'half_open', { timeoutMs: 2_000 });
    await breakers.fire('a', fail('AGENT_UNREACHABLE')).catch(() => undefined);
    expect(breakers.state('a')).toBe('open');
    breakers.close();
  });

  it('does not count back-pressure as failure', async () => {
    const breakers = new AgentBreakers(settings);
    for (let index = 0; index < 20; index += 1) {
      await expect(breakers.fire('a', fail('AGENT_AT_CAPACITY'))).rejects.toMatchObject({
        code: 'AGENT_AT_CAPACITY',
      });
    }
    expect(breakers.state('a')).toBe('closed');
    breakers.close();
  });
});
