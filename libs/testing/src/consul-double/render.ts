import type { StoredCheck, StoredKv, StoredService } from './catalog-store';

/** The one node the double plays, as Consul's JSON shows it. */
export interface DoubleNode {
  id: string;
  name: string;
  address: string;
  datacenter: string;
  createIndex: number;
}

/** JSON shapes of Consul's HTTP API (PascalCase, as the API documentation shows them). */
export function renderNode(node: DoubleNode): Record<string, unknown> {
  return {
    ID: node.id,
    Node: node.name,
    Address: node.address,
    Datacenter: node.datacenter,
    TaggedAddresses: { lan: node.address, lan_ipv4: node.address, wan: node.address, wan_ipv4: node.address },
    Meta: { 'consul-network-segment': '' },
    CreateIndex: node.createIndex,
    ModifyIndex: node.createIndex,
  };
}

/** A service as /v1/health/service shows it under "Service". */
export function renderHealthService(service: StoredService, node: DoubleNode): Record<string, unknown> {
  return {
    ID: service.id,
    Service: service.name,
    Tags: service.tags,
    Address: service.address,
    Meta: service.meta,
    Port: service.port,
    Weights: service.weights,
    EnableTagOverride: service.enableTagOverride,
    Proxy: { Mode: '', MeshGateway: {}, Expose: {} },
    Connect: {},
    Datacenter: node.datacenter,
    CreateIndex: service.createIndex,
    ModifyIndex: service.modifyIndex,
  };
}

/** A service as /v1/agent/services shows it (keyed by ID). */
export function renderAgentService(service: StoredService, node: DoubleNode): Record<string, unknown> {
  return {
    ID: service.id,
    Service: service.name,
    Tags: service.tags,
    Meta: service.meta,
    Port: service.port,
    Address: service.address,
    Weights: service.weights,
    EnableTagOverride: service.enableTagOverride,
    Datacenter: node.datacenter,
  };
}

/** One element of /v1/catalog/service/:name. */
export function renderCatalogService(service: StoredService, node: DoubleNode): Record<string, unknown> {
  const rendered = renderNode(node);
  return {
    ID: node.id,
    Node: node.name,
    Address: node.address,
    Datacenter: node.datacenter,
    TaggedAddresses: rendered['TaggedAddresses'],
    NodeMeta: rendered['Meta'],
    ServiceKind: '',
    ServiceID: service.id,
    ServiceName: service.name,
    ServiceTags: service.tags,
    ServiceAddress: service.address,
    ServiceWeights: service.weights,
    ServiceMeta: service.meta,
    ServicePort: service.port,
    ServiceEnableTagOverride: service.enableTagOverride,
    ServiceProxy: { Mode: '', MeshGateway: {}, Expose: {} },
    ServiceConnect: {},
    CreateIndex: service.createIndex,
    ModifyIndex: service.modifyIndex,
  };
}

export function renderCheck(
  check: StoredCheck,
  node: DoubleNode,
  serviceTags: string[],
): Record<string, unknown> {
  return {
    Node: node.name,
    CheckID: check.checkId,
    Name: check.name,
    Status: check.status,
    Notes: check.notes,
    Output: check.output,
    ServiceID: check.serviceId,
    ServiceName: check.serviceName,
    ServiceTags: serviceTags,
    Type: check.type,
    Interval: '',
    Timeout: '',
    ExposedPort: 0,
    Definition: {},
    CreateIndex: check.createIndex,
    ModifyIndex: check.modifyIndex,
  };
}

/** A KV entry; Value is base64, or null for an empty value (a nil []byte in Go). */
export function renderKv(entry: StoredKv): Record<string, unknown> {
  return {
    LockIndex: entry.lockIndex,
    Key: entry.key,
    Flags: entry.flags,
    Value: entry.value.length === 0 ? null : entry.value.toString('base64'),
    CreateIndex: entry.createIndex,
    ModifyIndex: entry.modifyIndex,
  };
}
