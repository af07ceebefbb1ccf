// The checks themselves must catch what they claim to: each case breaks one rule in the rendered base
// and expects exactly that violation.
import { checkPolicies, selects } from '../src/check-policies';
import type { Container, DeploymentSpec, NetworkPolicySpec, PodSpec } from '../src/k8s-types';
import type { Manifest } from '../src/manifest';
import { renderKustomize } from '../src/render-kustomize';
import { validateSchemas } from '../src/validate-schemas';
import { kustomizations, policyOptions } from './repo-paths';

const base = renderKustomize(kustomizations.base);

function edit(change: (manifests: Manifest[]) => void): string[] {
  const copy = structuredClone(base) as Manifest[];
  change(copy);
  return checkPolicies(copy, policyOptions);
}

function named(manifests: Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((m) => m.kind === kind && m.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}

function podSpec(deployment: Manifest): PodSpec {
  const found = (deployment['spec'] as DeploymentSpec).template?.spec;
  if (!found) throw new Error(`no pod spec in ${deployment.metadata.name}`);
  return found;
}

function container(manifests: Manifest[], app: string): Container {
  const found = podSpec(named(manifests, 'Deployment', app)).containers?.[0];
  if (!found) throw new Error(`no container in ${app}`);
  return found;
}

describe('checkPolicies', () => {
  it('passes the base as rendered', () => {
    expect(checkPolicies(base, policyOptions)).toEqual([]);
  });

  it.each<[string, (manifests: Manifest[]) => void, string]>([
    [
      'a missing readiness probe',
      (m) => delete container(m, 'agent').readinessProbe,
      'Deployment/agent container agent: readiness probe is not GET /readyz',
    ],
    [
      'a liveness probe on another path',
      (m) => (container(m, 'registry').livenessProbe = { httpGet: { path: '/', port: 'http' } }),
      'Deployment/registry container registry: liveness probe is not GET /healthz',
    ],
    [
      'no memory limit',
      (m) => delete container(m, 'scheduler').resources?.limits?.['memory'],
      'Deployment/scheduler container scheduler: no memory limits',
    ],
    [
      'a writable root filesystem',
      (m) =>
        (container(m, 'gateway').securityContext = {
          ...container(m, 'gateway').securityContext,
          readOnlyRootFilesystem: false,
        }),
      'Deployment/gateway container gateway: root filesystem is writable',
    ],
    [
      'an added capability',
      (m) =>
        (container(m, 'agent').securityContext = {
          ...container(m, 'agent').securityContext,
          capabilities: { drop: ['ALL'], add: ['NET_ADMIN'] },
        }),
      'Deployment/agent container agent: capabilities not dropped (drop: [ALL], add nothing)',
    ],
    [
      'root',
      (m) => {
        const pod = podSpec(named(m, 'Deployment', 'result-store'));
        pod.securityContext = { ...pod.securityContext, runAsUser: 0 };
      },
      'Deployment/result-store container result-store: runs as uid 0',
    ],
    [
      'no /tmp volume',
      (m) =>
        (container(m, 'agent').volumeMounts = container(m, 'agent').volumeMounts?.filter(
          (v) => v.name !== 'tmp',
        )),
      'Deployment/agent container agent: /tmp is not a writable emptyDir',
    ],
    [
      'a missing PDB',
      (m) => m.splice(m.indexOf(named(m, 'PodDisruptionBudget', 'scheduler')), 1),
      'Deployment/scheduler: no PodDisruptionBudget',
    ],
    [
      'a missing HPA',
      (m) => m.splice(m.indexOf(named(m, 'HorizontalPodAutoscaler', 'gateway')), 1),
      'Deployment/gateway: no HorizontalPodAutoscaler',
    ],
    [
      'a missing Service',
      (m) => m.splice(m.indexOf(named(m, 'Service', 'registry')), 1),
      'Deployment/registry: no Service selects its pods',
    ],
    [
      'a literal JWT secret',
      (m) => {
        const variable = container(m, 'gateway').env?.find((v) => v.name === 'JWT_SECRET');
        if (variable) Object.assign(variable, { value: 'x'.repeat(40), valueFrom: undefined });
      },
      'Deployment/gateway container gateway: JWT_SECRET must come from a secretKeyRef',
    ],
    [
      'a Secret object',
      (m) => m.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'leak' }, stringData: { a: 'b' } }),
      'Secret/leak: Secrets are referenced, never shipped in the manifests',
    ],
    [
      'a credential in a ConfigMap',
      (m) =>
        m.push({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'db' },
          data: { url: 'postgres://cf:hunter2@pg:5432/cf' },
        }),
      'ConfigMap/db: url contains a credential',
    ],
    [
      'no default deny',
      (m) => m.splice(m.indexOf(named(m, 'NetworkPolicy', 'default-deny-all')), 1),
      'no default-deny NetworkPolicy (every pod, Ingress and Egress, no rules)',
    ],
    [
      'agents open to the world',
      (m) =>
        ((named(m, 'NetworkPolicy', 'agent')['spec'] as NetworkPolicySpec).ingress = [
          { ports: [{ port: 8001 }] },
        ]),
      'NetworkPolicy/agent: opens agent to outside traffic',
    ],
    [
      'agents reachable from the gateway',
      (m) =>
        (named(m, 'NetworkPolicy', 'agent')['spec'] as NetworkPolicySpec).ingress?.[0]?.from?.push({
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'gateway' } },
        }),
      'NetworkPolicy/agent: lets gateway reach agent',
    ],
  ])('reports %s', (_case, change, problem) => {
    expect(edit(change)).toContain(problem);
  });
});

describe('selects', () => {
  const labels = { 'app.kubernetes.io/name': 'agent', tier: 'worker' };
  it('follows Kubernetes label-selector semantics', () => {
    expect(selects({}, labels)).toBe(true);
    expect(selects({ matchLabels: { tier: 'worker' } }, labels)).toBe(true);
    expect(selects({ matchLabels: { tier: 'api' } }, labels)).toBe(false);
    expect(
      selects(
        {
          matchExpressions: [
            { key: 'app.kubernetes.io/name', operator: 'In', values: ['agent', 'registry'] },
          ],
        },
        labels,
      ),
    ).toBe(true);
    expect(
      selects({ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['worker'] }] }, labels),
    ).toBe(false);
    expect(selects({ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selects({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }, labels)).toBe(false);
  });
});

describe('validateSchemas', () => {
  it('reports objects that break their schema and kinds it has no schema for', () => {
    const deployment = structuredClone(base.find((m) => m.kind === 'Deployment')) as Manifest;
    const [first] = podSpec(deployment).containers ?? [];
    if (!first) throw new Error('no container');
    first.ports = [{ name: 'http', containerPort: 'eighty' as unknown as number }];
    const problems = validateSchemas([
      deployment,
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } },
    ]);
    expect(problems).toEqual([
      {
        id: `Deployment/${deployment.metadata.name}`,
        error: expect.stringContaining('containerPort must be integer'),
      },
      { id: 'Widget/w', error: expect.stringContaining('no schema for example.com/v1 Widget') },
    ]);
  });
});
