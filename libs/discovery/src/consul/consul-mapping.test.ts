import { AgentRegistrationSchema } from '@contextforge/contracts';
import { fromHealthEntry, toServiceRegistration } from './consul-mapping';

const registration = AgentRegistrationSchema.parse({
  id: 'a-1',
  name: 'Agent one',
  type: 'indexer',
  taskTypes: ['index-repository'],
  capabilities: ['go'],
  endpoint: 'http://10.1.2.3/agent',
});

/** A health entry as Consul returns it, built from what this adapter registers. */
function entry(checks: Array<{ CheckID: string; Status: string; Output?: string; ServiceID?: string }>) {
  const body = toServiceRegistration(registration, 'agents', 30_000, 600_000);
  return {
    Node: {},
    Service: { ID: body.id, Service: body.name, Tags: body.tags, Meta: body.meta },
    Checks: checks,
  };
}

describe('consul mapping', () => {
  it('registers durations as Go strings, passing heartbeat and probe checks and the default http port', () => {
    const body = toServiceRegistration(registration, 'agents', 30_000, 600_000);
    expect(body).toMatchObject({
      address: '10.1.2.3',
      port: 80,
      checks: [
        {
          checkid: 'service:a-1',
          ttl: '30000ms',
          deregistercriticalserviceafter: '600000ms',
          status: 'passing',
        },
        { checkid: 'service:a-1:probe', ttl: '8760h', status: 'passing' },
      ],
    });
    // A failing probe alone must never make Consul remove the agent.
    expect(body.checks[1]).not.toHaveProperty('deregistercriticalserviceafter');
  });

  it("prefers the heartbeat's output over the probe's on a tie, and the probe's over a node check", () => {
    expect(
      fromHealthEntry(
        entry([
          { CheckID: 'service:a-1:probe', Status: 'critical', Output: 'unreachable', ServiceID: 'a-1' },
          { CheckID: 'service:a-1', Status: 'critical', Output: 'TTL expired', ServiceID: 'a-1' },
        ]),
      ),
    ).toMatchObject({ health: 'critical', note: 'TTL expired' });
    expect(
      fromHealthEntry(
        entry([
          { CheckID: 'serfHealth', Status: 'critical', Output: 'Agent not live', ServiceID: '' },
          { CheckID: 'service:a-1:probe', Status: 'critical', Output: 'unreachable', ServiceID: 'a-1' },
          { CheckID: 'service:a-1', Status: 'passing', Output: '', ServiceID: 'a-1' },
        ]),
      ),
    ).toMatchObject({ health: 'critical', note: 'unreachable' });
  });

  it('rebuilds the registration and takes the worst check, node checks included', () => {
    const instance = fromHealthEntry(
      entry([
        { CheckID: 'serfHealth', Status: 'critical', Output: 'Agent not live or unreachable', ServiceID: '' },
        { CheckID: 'service:a-1', Status: 'passing', Output: '', ServiceID: 'a-1' },
      ]),
    );
    expect(instance).toEqual({
      registration,
      health: 'critical',
      note: 'Agent not live or unreachable',
      lastHeartbeatAgeMs: null,
    });
  });

  it('keeps the task type versions (result-cache keys) through Consul Meta', () => {
    const versioned = AgentRegistrationSchema.parse({
      ...registration,
      typeVersions: { 'index-repository': '2.1.0' },
    });
    const body = toServiceRegistration(versioned, 'agents', 30_000, 600_000);
    const instance = fromHealthEntry({
      Node: {},
      Service: { ID: body.id, Service: body.name, Tags: body.tags, Meta: body.meta },
      Checks: [],
    });
    expect(instance?.registration).toEqual(versioned);
  });

  it("prefers the agent's own check output on a tie", () => {
    const instance = fromHealthEntry(
      entry([
        { CheckID: 'serfHealth', Status: 'warning', Output: 'flapping', ServiceID: '' },
        { CheckID: 'service:a-1', Status: 'warning', Output: 'draining', ServiceID: 'a-1' },
      ]),
    );
    expect(instance).toMatchObject({ health: 'warning', note: 'draining' });
  });

  it('ignores entries that are not ContextForge agents', () => {
    expect(fromHealthEntry({ Service: { ID: 'x', Tags: [], Meta: {} }, Checks: [] })).toBeUndefined();
    expect(fromHealthEntry({ nonsense: true })).toBeUndefined();
    const broken = entry([]);
    broken.Service.Meta = { ...broken.Service.Meta, resources: '{not json' };
    expect(fromHealthEntry(broken)).toBeUndefined();
  });
});
