import { randomUUID } from 'node:crypto';

/** `<prefix>-<8 hex>`: a fresh namespace (topic prefix, schema, group) for one test. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomUUID().replaceAll('-', '').slice(0, 8)}`;
}
