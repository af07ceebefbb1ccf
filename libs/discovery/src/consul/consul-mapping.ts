import { z } from 'zod';
import {
  AgentRegistrationSchema,
  type AgentInstance,
  type AgentRegistration,
  type HealthState,
} from '@contextforge/contracts';

/**
 * How an agent is stored in Consul: one service instance per agent under a shared service name.
 *   ID    = agent id
 *   Tags  = capabilities + "type:<type>" (so `?tag=` and the Consul UI can filter)
 *   Meta  = type, taskTypes (comma list), weight, concurrency, version, name, endpoint, instanceId,
 *           resources (JSON), typeVersions (JSON): everything needed to rebuild the registration
 *   Address/Port = the endpoint's host and port when it is http(s)
 *   Checks = two TTL checks, both starting passing:
 *     "service:<id>"       the agent's heartbeat (pass/warn/fail), critical after the TTL;
 *     "service:<id>:probe" the registry's active probe (pass/fail through reportProbe). Consul has
 *                          no check type that is only set through the API, so this is a TTL check
 *                          whose TTL (PROBE_TTL) is long enough never to expire, and without
 *                          DeregisterCriticalServiceAfter: a failing probe never removes an agent.
 *   Consul's service health is the worst of all its checks, which is the port's health model.
 * Consul limits Meta values to 512 characters; a longer endpoint is rejected by Consul (400).
 */
export function checkIdOf(agentId: string): string {
  return `service:${agentId}`;
}

export function probeCheckIdOf(agentId: string): string {
  return `service:${agentId}:probe`;
}

/** A year: "never" for a check that is updated only when its state changes. */
export const PROBE_TTL = '8760h';

interface TtlCheckBody {
  checkid: string;
  name: string;
  ttl: string;
  status: 'passing';
  notes: string;
  deregistercriticalserviceafter?: string;
}

export interface ServiceRegistrationBody {
  id: string;
  name: string;
  tags: string[];
  meta: Record<string, string>;
  address?: string;
  port?: number;
  checks: [heartbeat: TtlCheckBody, probe: TtlCheckBody];
}

export function toServiceRegistration(
  registration: AgentRegistration,
  serviceName: string,
  ttlMs: number,
  deregisterCriticalAfterMs: number,
): ServiceRegistrationBody {
  const body: ServiceRegistrationBody = {
    id: registration.id,
    name: serviceName,
    tags: [...registration.capabilities, `type:${registration.type}`],
    meta: {
      type: registration.type,
      taskTypes: registration.taskTypes.join(','),
      weight: String(registration.weight),
      concurrency: String(registration.concurrency),
      version: registration.version,
      name: registration.name,
      endpoint: registration.endpoint,
      resources: JSON.stringify(registration.resources),
      ...(registration.instanceId ? { instanceId: registration.instanceId } : {}),
      // Left out above Consul's 512-character Meta limit: the agent's types are then not cached.
      ...(registration.typeVersions && JSON.stringify(registration.typeVersions).length <= 512
        ? { typeVersions: JSON.stringify(registration.typeVersions) }
        : {}),
    },
    // Registering counts as a heartbeat and resets the probe: both checks start passing (Consul's
    // default is critical).
    checks: [
      {
        checkid: checkIdOf(registration.id),
        name: `ContextForge agent ${registration.id} heartbeat`,
        ttl: `${Math.round(ttlMs)}ms`,
        status: 'passing',
        notes: 'Refreshed by the agent heartbeat; critical when no heartbeat arrives within the TTL.',
        deregistercriticalserviceafter: `${Math.round(deregisterCriticalAfterMs)}ms`,
      },
      {
        checkid: probeCheckIdOf(registration.id),
        name: `ContextForge agent ${registration.id} registry probe`,
        ttl: PROBE_TTL,
        status: 'passing',
        notes: "Set by the registry's active health checks; updated only when the probe's state changes.",
      },
    ],
  };
  const endpoint = new URL(registration.endpoint);
  if (endpoint.protocol === 'http:' || endpoint.protocol === 'https:') {
    body.address = endpoint.hostname;
    body.port = endpoint.port ? Number(endpoint.port) : endpoint.protocol === 'https:' ? 443 : 80;
  }
  return body;
}

/** The part of a /v1/health/service entry this adapter reads; Consul sends more. */
const HealthEntrySchema = z.object({
  Service: z.object({
    ID: z.string(),
    Tags: z.array(z.string()).nullish(),
    Meta: z.record(z.string(), z.string()).nullish(),
  }),
  Checks: z.array(
    z.object({
      CheckID: z.string(),
      Status: z.string(),
      Output: z.string().nullish(),
      ServiceID: z.string().nullish(),
    }),
  ),
});
export const HealthResponseSchema = z.array(z.unknown());

const SEVERITY: Record<HealthState, number> = { passing: 0, warning: 1, critical: 2 };

/**
 * Rebuilds an AgentInstance from a health entry. Returns undefined for an entry that is not a
 * valid ContextForge agent (another program registered under the same name, or Meta edited by
 * hand): such instances are left out of lists rather than failing them.
 */
export function fromHealthEntry(raw: unknown): AgentInstance | undefined {
  const entry = HealthEntrySchema.safeParse(raw);
  if (!entry.success) return undefined;
  const { Service: service, Checks: checks } = entry.data;
  const meta = service.Meta ?? {};
  const type = meta['type'] ?? '';
  let resources: unknown = {};
  let typeVersions: unknown;
  try {
    resources = JSON.parse(meta['resources'] ?? '{}');
    if (meta['typeVersions']) typeVersions = JSON.parse(meta['typeVersions']);
  } catch {
    return undefined;
  }
  const registration = AgentRegistrationSchema.safeParse({
    id: service.ID,
    name: meta['name'],
    type,
    taskTypes: (meta['taskTypes'] ?? '').split(',').filter((taskType) => taskType !== ''),
    capabilities: (service.Tags ?? []).filter((tag) => tag !== `type:${type}`),
    resources,
    endpoint: meta['endpoint'],
    weight: Number(meta['weight']),
    concurrency: Number(meta['concurrency']),
    version: meta['version'],
    ...(meta['instanceId'] ? { instanceId: meta['instanceId'] } : {}),
    ...(typeVersions === undefined ? {} : { typeVersions }),
  });
  if (!registration.success) return undefined;

  // Aggregate health is the worst check, node checks included (as Consul's `passing` filter does);
  // the note is that check's output, preferring on a tie the heartbeat, then the agent's other
  // checks (the probe), then node checks.
  const heartbeatId = checkIdOf(service.ID);
  let worst: { health: HealthState; output: string; rank: number } | undefined;
  for (const check of checks) {
    const health: HealthState =
      check.Status === 'passing' || check.Status === 'warning' ? check.Status : 'critical';
    const rank = check.CheckID === heartbeatId ? 2 : check.ServiceID === service.ID ? 1 : 0;
    if (
      !worst ||
      SEVERITY[health] > SEVERITY[worst.health] ||
      (SEVERITY[health] === SEVERITY[worst.health] && rank > worst.rank)
    ) {
      worst = { health, output: check.Output ?? '', rank };
    }
  }
  const instance: AgentInstance = {
    registration: registration.data,
    health: worst?.health ?? 'critical',
    lastHeartbeatAgeMs: null,
  };
  if (worst?.output) instance.note = worst.output;
  return instance;
}
