import { loadConfigFromProcess } from '@contextforge/config';
import { startTracing } from '@contextforge/observability';
import { startEmbeddedSystem } from './embedded-system';

async function main(): Promise<void> {
  const config = loadConfigFromProcess({ argv: process.argv.slice(2), env: process.env, cwd: process.cwd() });
  // Every service of the process records under one service.name; span names say which one.
  const tracing = await startTracing({ serviceName: 'contextforge', env: process.env });
  const system = await startEmbeddedSystem(config).catch(async (error: unknown) => {
    await tracing.shutdown();
    throw error;
  });
  const credentials = system.credentials;
  const auth = credentials ? ' -H "authorization: Bearer $CF_TOKEN"' : '';
  const lines = [
    `ContextForge (embedded) is listening on ${system.url}` +
      (system.grpcPort === undefined ? '' : ` (gRPC on port ${system.grpcPort})`),
    `  ${system.agents.length} local agents: ${system.agents.map((agent) => agent.id).join(', ')}`,
    `  database: ${config.database.url}   bus: ${config.coordinator.queue.url}   registry: ${config.registry.url}`,
    `  API docs: ${system.url}/docs   OpenAPI: ${system.url}/openapi.json`,
    credentials
      ? `  dashboard: ${system.url}/dashboard#access_token=${credentials.adminToken}`
      : `  dashboard: ${system.url}/dashboard (asks for an admin token)`,
    '',
    ...(credentials
      ? [
          `Development credentials (valid until ${credentials.expiresAt}; also in ${config.security.credentialsFile}):`,
          `  export CF_TOKEN=${credentials.clientToken}`,
          `  export CF_ADMIN_TOKEN=${credentials.adminToken}`,
          `  agent API key: ${credentials.agentKey}`,
          '',
        ]
      : []),
    'Submit a task:',
    `  curl -s -X POST ${system.url}/tasks/submit${auth} -H 'content-type: application/json' -d '{"type":"echo","input":{"hello":"world"}}'`,
    'Then read it (use the taskId from the answer):',
    `  curl -s${auth} ${system.url}/tasks/<taskId>/result`,
    '',
    'Press Ctrl-C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping...\n`);
    system
      .stop()
      .then(() => tracing.shutdown())
      .then(
        () => process.exit(0),
        () => process.exit(1),
      );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`contextforge: failed to start: ${message}\n`);
  process.exit(1);
});
