import { CHECK_STATUSES, type CheckStatus } from './catalog-store';
import { ConsulHttpError, field, readJsonObject, sendEmpty, sendJson } from './http-kit';
import { renderAgentService } from './render';
import { permissionDenied, type RequestContext, type Route } from './request-context';
import { parseServiceDefinition } from './service-definition';

/**
 * The local agent's endpoints: service register/deregister, TTL check updates, the agent's
 * service list. Writes need `service:write` (403 for the anonymous token); an unknown service or
 * check id is 404 with Consul's wording.
 */
export const agentRoutes: Route[] = [
  { method: 'PUT', pattern: /^\/v1\/agent\/service\/register$/, handler: registerService },
  { method: 'PUT', pattern: /^\/v1\/agent\/service\/deregister\/(.+)$/, handler: deregisterService },
  { method: 'PUT', pattern: /^\/v1\/agent\/check\/(pass|warn|fail)\/(.+)$/, handler: checkShortcut },
  { method: 'PUT', pattern: /^\/v1\/agent\/check\/update\/(.+)$/, handler: checkUpdate },
  { method: 'GET', pattern: /^\/v1\/agent\/services$/, handler: agentServices },
];

async function registerService({ req, res, store, access }: RequestContext): Promise<void> {
  const definition = parseServiceDefinition(await readJsonObject(req));
  if (access !== 'full') throw new ConsulHttpError(403, permissionDenied('service:write', definition.name));
  store.registerService(definition);
  sendEmpty(res);
}

function deregisterService({ res, params, store, access }: RequestContext): void {
  const id = params[0] ?? '';
  const service = store.services.get(id);
  if (!service) {
    throw new ConsulHttpError(
      404,
      `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`,
    );
  }
  if (access !== 'full') throw new ConsulHttpError(403, permissionDenied('service:write', service.name));
  store.deregisterService(id);
  sendEmpty(res);
}

const SHORTCUT_STATUS: Record<string, CheckStatus> = { pass: 'passing', warn: 'warning', fail: 'critical' };

function checkShortcut(context: RequestContext): void {
  const [verb = '', checkId = ''] = context.params;
  const status = SHORTCUT_STATUS[verb];
  if (!status) throw new ConsulHttpError(404, 'Not Found');
  updateCheck(context, checkId, status, context.query.get('note') ?? '');
}

async function checkUpdate(context: RequestContext): Promise<void> {
  const body = await readJsonObject(context.req);
  const status = field(body, 'Status');
  if (typeof status !== 'string' || !CHECK_STATUSES.includes(status as CheckStatus)) {
    throw new ConsulHttpError(400, `Invalid check status: '${typeof status === 'string' ? status : ''}'`);
  }
  const output = field(body, 'Output');
  updateCheck(
    context,
    context.params[0] ?? '',
    status as CheckStatus,
    typeof output === 'string' ? output : '',
  );
}

function updateCheck(
  { res, store, access }: RequestContext,
  checkId: string,
  status: CheckStatus,
  output: string,
): void {
  const check = store.checks.get(checkId);
  if (!check) {
    throw new ConsulHttpError(
      404,
      `Unknown check ID "${checkId}". Ensure that the check ID is passed, not the check name.`,
    );
  }
  if (access !== 'full') {
    throw new ConsulHttpError(
      403,
      permissionDenied(check.serviceName ? 'service:write' : 'node:write', check.serviceName),
    );
  }
  try {
    store.updateTtlCheck(checkId, status, output);
  } catch (error) {
    throw new ConsulHttpError(500, (error as Error).message);
  }
  sendEmpty(res);
}

function agentServices({ res, store, node, access }: RequestContext): void {
  const body: Record<string, unknown> = {};
  if (access === 'full') {
    for (const service of store.services.values()) body[service.id] = renderAgentService(service, node);
  }
  const filtered = access !== 'full' && store.services.size > 0;
  sendJson(res, 200, body, filtered ? { 'X-Consul-Results-Filtered-By-ACLs': 'true' } : {});
}
