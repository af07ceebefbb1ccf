import {
  AppError,
  TASK_STATUSES,
  TaskSubmissionSchema,
  parseOrThrow,
  type RegistryApi,
  type ResultStoreApi,
  type TaskView,
} from '@contextforge/contracts';
import type { Logger } from '@contextforge/observability';
import express, { type Express, type RequestHandler } from 'express';
import { z } from 'zod';
import { errorHandler, listen, methodNotAllowed, requireJson, routeNotFound } from '@contextforge/http-kit';

export interface GatewayOptions {
  resultStore: ResultStoreApi;
  registry: RegistryApi;
  logger: Logger;
  /** Largest accepted request body in bytes (seed: 100 MB). */
  bodyLimitBytes: number;
  /** Readiness of the dependencies; /readyz answers 503 while it resolves false. */
  ready?: () => Promise<boolean>;
}

type Method = 'GET' | 'POST' | 'DELETE';
type Routes = Record<string, Partial<Record<Method, RequestHandler[]>>>;

const TaskId = z.uuid();
const ListTasksQuery = z.strictObject({
  status: z.enum(TASK_STATUSES).optional(),
  type: z.string().max(100).optional(),
  agent: z.string().max(100).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

const DeadLettersQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});
const RedriveBody = z.strictObject({ taskIds: z.array(z.uuid()).min(1).max(500) });

/** Until authentication lands every request acts as one client. */
const ANONYMOUS_CLIENT = 'anonymous';

/**
 * The public HTTP API. `createGatewayApp` builds the Express app without listening (tests inject
 * requests); `Gateway.listen` serves it.
 */
export function createGatewayApp(options: GatewayOptions): Express {
  const { resultStore, registry, logger } = options;
  const json = [requireJson, express.json({ limit: options.bodyLimitBytes, strict: false })];

  const loadTask = async (id: string | string[] | undefined): Promise<TaskView> => {
    const parsed = TaskId.safeParse(id);
    const task = parsed.success ? await resultStore.getTask(parsed.data) : undefined;
    if (!task || task.clientId !== ANONYMOUS_CLIENT) {
      throw new AppError('TASK_NOT_FOUND', `no task ${String(id)}`);
    }
    return task;
  };

  const routes: Routes = {
    '/healthz': { GET: [(_req, res) => void res.json({ status: 'ok' })] },
    '/readyz': {
      GET: [
        async (_req, res) => {
          const ready = options.ready ? await options.ready().catch(() => false) : true;
          res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready' });
        },
      ],
    },
    '/tasks/submit': {
      POST: [
        ...json,
        async (req, res) => {
          const submission = parseOrThrow(TaskSubmissionSchema, req.body, 'task submission');
          const { task, created } = await resultStore.submit(submission, ANONYMOUS_CLIENT);
          res.setHeader('Location', `/tasks/${task.id}`);
          if (!created) res.setHeader('Idempotent-Replayed', 'true');
          res.status(202).json({ taskId: task.id, status: task.status });
        },
      ],
    },
    '/tasks': {
      GET: [
        async (req, res) => {
          const query = parseOrThrow(ListTasksQuery, req.query, 'query');
          const page = await resultStore.listTasks({
            clientId: ANONYMOUS_CLIENT,
            limit: query.limit,
            ...(query.status ? { status: query.status } : {}),
            ...(query.type ? { type: query.type } : {}),
            ...(query.agent ? { agentId: query.agent } : {}),
            ...(query.cursor ? { cursor: query.cursor } : {}),
          });
          res.json(page);
        },
      ],
    },
    '/tasks/:id': {
      GET: [async (req, res) => void res.json(await loadTask(req.params['id']))],
      DELETE: [
        async (req, res) => {
          const task = await loadTask(req.params['id']);
          res.json(await resultStore.cancel(task.id, 'cancelled through the API'));
        },
      ],
    },
    '/tasks/:id/redrive': {
      POST: [
        async (req, res) => {
          const task = await loadTask(req.params['id']);
          const outcome = await resultStore.redrive([task.id]);
          const [redriven] = outcome.redriven;
          if (!redriven) {
            throw new AppError(
              'TASK_NOT_DEAD_LETTERED',
              `task ${task.id} is ${task.status}; only dead-lettered tasks can be re-driven`,
              {
                details: { status: task.status },
              },
            );
          }
          res.status(202).json(redriven);
        },
      ],
    },
    '/dead-letters': {
      GET: [
        async (req, res) => {
          const query = parseOrThrow(DeadLettersQuery, req.query, 'query');
          res.json(
            await resultStore.listTasks({
              clientId: ANONYMOUS_CLIENT,
              status: 'dead_lettered',
              limit: query.limit,
              ...(query.cursor ? { cursor: query.cursor } : {}),
            }),
          );
        },
      ],
    },
    '/dead-letters/redrive': {
      POST: [
        ...json,
        async (req, res) => {
          const { taskIds } = parseOrThrow(RedriveBody, req.body, 'redrive request');
          // Only the client's own tasks: others are reported exactly like unknown ids.
          const own: string[] = [];
          const skipped: Array<{ taskId: string; code: string; message: string }> = [];
          for (const taskId of taskIds) {
            const task = await resultStore.getTask(taskId);
            if (task && task.clientId === ANONYMOUS_CLIENT) own.push(taskId);
            else skipped.push({ taskId, code: 'TASK_NOT_FOUND', message: 'no such task' });
          }
          const outcome = own.length > 0 ? await resultStore.redrive(own) : { redriven: [], skipped: [] };
          res.json({ redriven: outcome.redriven, skipped: [...outcome.skipped, ...skipped] });
        },
      ],
    },
    '/tasks/:id/result': {
      GET: [
        async (req, res) => {
          const task = await loadTask(req.params['id']);
          const result = task.status === 'succeeded' ? await resultStore.getResult(task.id) : undefined;
          if (!result) {
            // details.retryable: whether asking again can ever give a result (the error body has
            // no retryable field of its own).
            const retryable = task.status !== 'cancelled' && task.status !== 'dead_lettered';
            throw new AppError(
              'RESULT_NOT_AVAILABLE',
              `task ${task.id} is ${task.status}; it has no result`,
              {
                details: {
                  status: task.status,
                  retryable,
                  ...(task.lastError ? { lastError: task.lastError } : {}),
                },
                retryable,
              },
            );
          }
          res.json(result);
        },
      ],
    },
    '/agents': { GET: [async (_req, res) => void res.json({ agents: await registry.listAgents() })] },
    '/agents/:id': {
      GET: [
        async (req, res) => {
          const agent = await registry.getAgent(String(req.params['id']));
          if (!agent) throw new AppError('AGENT_NOT_FOUND', `no agent ${String(req.params['id'])}`);
          res.json(agent);
        },
      ],
    },
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  for (const [path, methods] of Object.entries(routes)) {
    const route = app.route(path);
    for (const [method, handlers] of Object.entries(methods)) {
      route[method.toLowerCase() as 'get' | 'post' | 'delete'](...(handlers ?? []));
    }
    route.all(methodNotAllowed(Object.keys(methods)));
  }
  app.use(routeNotFound);
  app.use(errorHandler(logger));
  return app;
}

export class Gateway {
  private server: { close(): Promise<void> } | undefined;

  constructor(private readonly options: GatewayOptions) {}

  /** Listens and resolves with the bound port (pass 0 for an ephemeral one). */
  async listen(port: number, host = '0.0.0.0'): Promise<number> {
    const server = await listen(createGatewayApp(this.options), port, host);
    this.server = server;
    return server.port;
  }

  async close(): Promise<void> {
    await this.server?.close();
  }
}
