import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { manifestId, type Manifest } from './manifest';

export interface SchemaProblem {
  id: string;
  error: string;
}

/**
 * Validates every object against the Kubernetes schema of its apiVersion and kind (npm package
 * kubernetes-models, run in a child process by schema-validator.mjs). Answers one problem per invalid
 * object, or per object whose kind has no schema; an empty list means all valid.
 *
 * Left out: the models' schemas allow unknown fields (as the API server's non-strict decoding does), so
 * a misspelt optional field is not reported here; the policy checks read the fields that matter.
 */
export function validateSchemas(manifests: readonly Manifest[]): SchemaProblem[] {
  const output = execFileSync(process.execPath, [join(__dirname, 'schema-validator.mjs')], {
    input: JSON.stringify(manifests),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const problems = JSON.parse(output) as { index: number; error: string }[];
  return problems.map(({ index, error }) => {
    const manifest = manifests[index];
    return { id: manifest ? manifestId(manifest) : `#${index}`, error };
  });
}
