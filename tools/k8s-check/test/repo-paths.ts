import { join } from 'node:path';

/** The repository root and the kustomizations under k8s/. */
export const repoRoot = join(__dirname, '..', '..', '..');
export const kustomizations = {
  base: join(repoRoot, 'k8s', 'base'),
  dev: join(repoRoot, 'k8s', 'overlays', 'dev'),
  prod: join(repoRoot, 'k8s', 'overlays', 'prod'),
} as const;
export const apps = ['gateway', 'registry', 'scheduler', 'result-store', 'agent'] as const;
export const policyOptions = {
  publicApps: ['gateway'],
  ingressAllowList: { agent: ['scheduler', 'registry'] },
};
