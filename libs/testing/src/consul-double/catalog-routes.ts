import type { StoredService } from './catalog-store';
import { queryFlag, sendJson } from './http-kit';
import { renderCatalogService, renderCheck, renderHealthService, renderNode } from './render';
import type { RequestContext, Route } from './request-context';

/**
 * Catalog and health reads, all blocking queries. Their results are filtered by ACL: the anonymous
 * token sees nothing (with X-Consul-Results-Filtered-By-ACLs: true when something was hidden), as
 * under a default-deny policy.
 *
 * Left out: `?filter` expressions, `?near`, `?node-meta`, other datacenters, Connect endpoints.
 */
export const catalogRoutes: Route[] = [
  { method: 'GET', pattern: /^\/v1\/health\/service\/(.+)$/, handler: healthService },
  { method: 'GET', pattern: /^\/v1\/catalog\/services$/, handler: catalogServices },
  { method: 'GET', pattern: /^\/v1\/catalog\/service\/(.+)$/, handler: catalogService },
  {
    method: 'GET',
    pattern: /^\/v1\/status\/leader$/,
    handler: ({ res }) => sendJson(res, 200, '127.0.0.1:8300'),
  },
];

function instancesOf({ store, query }: RequestContext, name: string): StoredService[] {
  const tags = query.getAll('tag');
  return [...store.services.values()]
    .filter((service) => service.name === name && tags.every((tag) => service.tags.includes(tag)))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function aclHeaders(context: RequestContext, hidden: boolean): Record<string, string> {
  return context.access !== 'full' && hidden ? { 'X-Consul-Results-Filtered-By-ACLs': 'true' } : {};
}

async function healthService(context: RequestContext): Promise<void> {
  const name = context.params[0] ?? '';
  const { store, node, res } = context;
  await context.blocking(
    () => store.serviceIndex(name),
    (index) => {
      const nodeChecks = [...store.checks.values()].filter((check) => check.serviceId === '');
      let entries = instancesOf(context, name).map((service) => {
        const checks = [
          ...nodeChecks,
          ...[...store.checks.values()].filter((check) => check.serviceId === service.id),
        ];
        return { service, checks };
      });
      // `passing` drops an instance when any of its checks, node checks included, is not passing.
      if (queryFlag(context.query, 'passing')) {
        entries = entries.filter(({ checks }) => checks.every((check) => check.status === 'passing'));
      }
      const visible = context.access === 'full' ? entries : [];
      const body = visible.map(({ service, checks }) => ({
        Node: renderNode(node),
        Service: renderHealthService(service, node),
        Checks: checks.map((check) => renderCheck(check, node, check.serviceId === '' ? [] : service.tags)),
      }));
      sendJson(res, 200, body, {
        ...indexHeaders(index),
        ...aclHeaders(context, entries.length > visible.length),
      });
    },
  );
}

async function catalogServices(context: RequestContext): Promise<void> {
  const { store, res } = context;
  await context.blocking(
    () => store.servicesIndex,
    (index) => {
      const body: Record<string, string[]> = {};
      if (context.access === 'full') {
        for (const service of store.services.values()) {
          const tags = new Set([...(body[service.name] ?? []), ...service.tags]);
          body[service.name] = [...tags].sort();
        }
      }
      sendJson(res, 200, body, { ...indexHeaders(index), ...aclHeaders(context, store.services.size > 0) });
    },
  );
}

async function catalogService(context: RequestContext): Promise<void> {
  const name = context.params[0] ?? '';
  const { store, node, res } = context;
  await context.blocking(
    () => store.serviceIndex(name),
    (index) => {
      const instances = instancesOf(context, name);
      const visible = context.access === 'full' ? instances : [];
      sendJson(
        res,
        200,
        visible.map((service) => renderCatalogService(service, node)),
        { ...indexHeaders(index), ...aclHeaders(context, instances.length > 0) },
      );
    },
  );
}

export function indexHeaders(index: number): Record<string, string> {
  return { 'X-Consul-Index': String(index), 'X-Consul-KnownLeader': 'true', 'X-Consul-LastContact': '0' };
}
