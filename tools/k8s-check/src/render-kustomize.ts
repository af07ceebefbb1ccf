import { parseAllDocuments } from 'yaml';
import type { Manifest } from './manifest';
import { runTool } from './run-tool';

/**
 * Renders a kustomization directory with `kubectl kustomize` (kustomize v5 built into kubectl) and
 * parses every object. Throws when kubectl is missing, the render fails or a document is not an object
 * with apiVersion, kind and metadata.name.
 */
export function renderKustomize(dir: string): Manifest[] {
  const { stdout, stderr, status } = runTool('kubectl', ['kustomize', dir], {
    install: 'kubectl >= 1.27 with built-in kustomize, e.g. the Debian/Kubernetes apt package "kubectl"',
  });
  if (status !== 0) throw new Error(`kubectl kustomize ${dir} failed:\n${stderr}`);
  return parseAllDocuments(stdout).map((document, index) => {
    if (document.errors.length > 0) throw new Error(`document ${index}: ${document.errors[0]?.message}`);
    const value: unknown = document.toJS();
    if (!isManifest(value)) throw new Error(`document ${index} is not a Kubernetes object`);
    return value;
  });
}

function isManifest(value: unknown): value is Manifest {
  if (typeof value !== 'object' || value === null) return false;
  const { apiVersion, kind, metadata } = value as Record<string, unknown>;
  return (
    typeof apiVersion === 'string' &&
    typeof kind === 'string' &&
    typeof metadata === 'object' &&
    metadata !== null &&
    typeof (metadata as Record<string, unknown>)['name'] === 'string'
  );
}
