import { AgentSchema, type Agent } from '@contextforge/contracts';
import { agentMetricsOf, agentsHealthOf } from './gateway-operations';

const agent = (
  id: string,
  status: Agent['status'],
  concurrency: number,
  circuit: Agent['circuit'] = 'closed',
) =>
  AgentSchema.parse({
    id,
    name: id,
    type: 'code-analyzer',
    taskTypes: ['analyze.file'],
    endpoint: `http://${id}:1`,
    concurrency,
    status,
    circuit,
    lastHeartbeatAgeMs: 10,
  });

describe('agent health and metrics', () => {
  it('is ok when every agent is healthy, degraded when some are, down when none is or there are none', () => {
    expect(agentsHealthOf([agent('a', 'healthy', 1)]).status).toBe('ok');
    expect(agentsHealthOf([agent('a', 'healthy', 1), agent('b', 'draining', 1)]).status).toBe('degraded');
    expect(agentsHealthOf([agent('b', 'unhealthy', 1)]).status).toBe('down');
    expect(agentsHealthOf([])).toEqual({
      status: 'down',
      counts: { healthy: 0, draining: 0, unhealthy: 0, total: 0 },
      agents: [],
    });
  });

  it("joins the result-store's in-flight counts with the agents; capacity counts healthy agents only", () => {
    const metrics = agentMetricsOf(
      [agent('a', 'healthy', 10), agent('b', 'healthy', 6, 'open'), agent('c', 'draining', 4)],
      { a: 3, c: 1, gone: 4 },
      new Date('2030-01-01T00:00:00.000Z'),
    );

    expect(metrics).toEqual({
      at: '2030-01-01T00:00:00.000Z',
      total: 3,
      byStatus: { healthy: 2, draining: 1, unhealthy: 0 },
      byCircuit: { closed: 2, open: 1, half_open: 0 },
      capacity: 16,
      inFlight: 8,
      utilisation: 0.5,
      agents: [
        { id: 'a', status: 'healthy', circuit: 'closed', concurrency: 10, inFlight: 3 },
        { id: 'b', status: 'healthy', circuit: 'open', concurrency: 6, inFlight: 0 },
        { id: 'c', status: 'draining', circuit: 'closed', concurrency: 4, inFlight: 1 },
      ],
    });
    expect(agentMetricsOf([], { x: 2 }, new Date()).utilisation).toBe(0);
  });
});
