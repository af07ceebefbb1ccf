import { z } from 'zod';
import type { Config } from './config-types';
import { agentSection } from './sections/agent-section';
import { coordinatorSection } from './sections/coordinator-section';
import { loggingSection, networkSection, securitySection } from './sections/network-section';
import {
  databaseSection,
  embeddedSection,
  payloadsSection,
  registrySection,
  resultStoreSection,
  schedulerSection,
} from './sections/services-section';

/**
 * The whole file: snake_case YAML in, camelCase `Config` out. Each section validates and maps its
 * own keys; the last step fills defaults that depend on another section.
 */
export const configSchema = z
  .strictObject({
    agent: agentSection,
    coordinator: coordinatorSection,
    registry: registrySection,
    database: databaseSection,
    scheduler: schedulerSection,
    result_store: resultStoreSection,
    payloads: payloadsSection,
    embedded: embeddedSection,
    network: networkSection,
    security: securitySection,
    logging: loggingSection,
  })
  .transform((sections): Config => ({
    // An agent registers with the same discovery the registry watches unless told otherwise.
    agent: {
      ...sections.agent,
      registry: { ...sections.agent.registry, url: sections.agent.registry.url ?? sections.registry.url },
    },
    coordinator: sections.coordinator,
    registry: sections.registry,
    database: sections.database,
    scheduler: sections.scheduler,
    resultStore: sections.result_store,
    payloads: sections.payloads,
    embedded: sections.embedded,
    network: sections.network,
    security: sections.security,
    logging: sections.logging,
  }));

/** The keys a mapping at `path` may have, or undefined when `path` is not a mapping in the schema. */
export function knownKeysAt(path: ReadonlyArray<PropertyKey>): string[] | undefined {
  let schema: z.ZodType | undefined = configSchema;
  for (const segment of path) {
    const object = unwrapToObject(schema);
    schema = object?.shape[String(segment)] as z.ZodType | undefined;
  }
  const object = unwrapToObject(schema);
  return object ? Object.keys(object.shape) : undefined;
}

function unwrapToObject(schema: z.ZodType | undefined): z.ZodObject | undefined {
  let current: unknown = schema;
  for (let depth = 0; depth < 10; depth += 1) {
    if (current instanceof z.ZodObject) return current;
    if (current instanceof z.ZodPipe) current = current.in;
    else if (
      current instanceof z.ZodPrefault ||
      current instanceof z.ZodOptional ||
      current instanceof z.ZodDefault
    )
      current = current.unwrap();
    else return undefined;
  }
  return undefined;
}

/** Every key path the schema knows, e.g. `coordinator.queue.url` (for documentation checks). */
export function allKeyPaths(prefix: readonly string[] = []): string[] {
  return (knownKeysAt(prefix) ?? []).flatMap((key) => {
    const path = [...prefix, key];
    const nested = knownKeysAt(path) === undefined ? [] : allKeyPaths(path);
    return [path.join('.'), ...nested];
  });
}
