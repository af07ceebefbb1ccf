/**
 * A rendered Kubernetes object, as far as the checks read it. The schema validation
 * (validate-schemas.ts) is what guarantees the rest of its shape.
 */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

/** `kind/name`, how the checks name an object in their messages. */
export function manifestId(manifest: Manifest): string {
  return `${manifest.kind}/${manifest.metadata.name}`;
}
