// Renders the base and both overlays with `kubectl kustomize`, validates every object against the
// Kubernetes schemas (kubernetes-models) and checks the deployment policies and the configuration
// each pod would load.
import { loadConfig, type Config } from '@contextforge/config';
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import { checkPolicies } from '../src/check-policies';
import type { Container, DeploymentSpec, HpaSpec, LabelSelector, PdbSpec } from '../src/k8s-types';
import type { Manifest } from '../src/manifest';
import { renderKustomize } from '../src/render-kustomize';
import { validateSchemas } from '../src/validate-schemas';
import { apps, kustomizations, policyOptions, repoRoot } from './repo-paths';

const fakeSecrets: Record<string, string> = {
  'jwt-secret': 'a-test-secret-of-at-least-32-characters',
  'database-url': 'postgres://contextforge@postgres:5432/contextforge',
  'consul-token': 'test-token',
};

/** The port key each app listens on. */
const portOf: Record<(typeof apps)[number], (config: Config) => number> = {
  gateway: (config) => config.coordinator.port,
  registry: (config) => config.registry.port,
  scheduler: (config) => config.scheduler.port,
  'result-store': (config) => config.resultStore.port,
  agent: (config) => config.agent.port,
};

function find(manifests: readonly Manifest[], kind: string, name: string): Manifest {
  const found = manifests.find((manifest) => manifest.kind === kind && manifest.metadata.name === name);
  if (!found) throw new Error(`no ${kind}/${name}`);
  return found;
}

function containerOf(deployment: Manifest): Container {
  const container = (deployment['spec'] as DeploymentSpec).template?.spec?.containers?.[0];
  if (!container) throw new Error(`${deployment.metadata.name} has no container`);
  return container;
}

/** The environment the container gets, as the kubelet builds it (envFrom, then env with $(VAR) refs). */
function containerEnv(manifests: readonly Manifest[], container: Container): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const name = source.configMapRef?.name;
    if (name) Object.assign(env, find(manifests, 'ConfigMap', name)['data']);
  }
  for (const variable of container.env ?? []) {
    const secret = variable.valueFrom?.secretKeyRef;
    const field = variable.valueFrom?.fieldRef?.fieldPath;
    if (secret) env[variable.name] = fakeSecrets[secret.key] ?? '';
    else if (field === 'metadata.name') env[variable.name] = `${container.name}-5d8f9c7b6-x2k4q`;
    else if (field === 'status.podIP') env[variable.name] = '10.1.2.3';
    else
      env[variable.name] = (variable.value ?? '').replace(
        /\$\(([A-Z0-9_]+)\)/g,
        (_, ref: string) => env[ref] ?? '',
      );
  }
  return env;
}

/** The configuration file the pod mounts at CONTEXTFORGE_CONFIG. */
function mountedConfig(
  manifests: readonly Manifest[],
  deployment: Manifest,
  env: Record<string, string>,
): string {
  const path = env['CONTEXTFORGE_CONFIG'];
  if (!path) throw new Error('CONTEXTFORGE_CONFIG is not set');
  const mount = containerOf(deployment).volumeMounts?.find(
    (candidate) => candidate.mountPath === posix.dirname(path),
  );
  const volume = (deployment['spec'] as DeploymentSpec).template?.spec?.volumes?.find(
    (v) => v.name === mount?.name,
  );
  if (!volume?.configMap) throw new Error(`${path} is not on a ConfigMap volume`);
  const data = find(manifests, 'ConfigMap', volume.configMap.name)['data'] as Record<string, string>;
  const text = data[posix.basename(path)];
  if (text === undefined) throw new Error(`the ConfigMap has no ${posix.basename(path)}`);
  return text;
}

describe.each(Object.entries(kustomizations))('the %s kustomization', (_name, dir) => {
  const manifests = renderKustomize(dir);

  it('renders a Deployment, Service, HPA and PDB per app, NetworkPolicies and the ConfigMaps', () => {
    for (const app of apps)
      for (const kind of ['Deployment', 'Service', 'HorizontalPodAutoscaler', 'PodDisruptionBudget'])
        expect(find(manifests, kind, app)).toBeDefined();
    expect(manifests.filter((m) => m.kind === 'NetworkPolicy').length).toBeGreaterThanOrEqual(5);
    expect(manifests.filter((m) => m.kind === 'ConfigMap').map((m) => m.metadata.name)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^contextforge-config-/),
        expect.stringMatching(/^contextforge-env-/),
        expect.stringMatching(/^contextforge-alert-rules-/),
      ]),
    );
  });

  it('validates every object against the Kubernetes schemas', () => {
    expect(validateSchemas(manifests)).toEqual([]);
  });

  it('keeps every deployment policy', () => {
    expect(checkPolicies(manifests, policyOptions)).toEqual([]);
  });

  it.each(apps)('gives %s a configuration that loads and listens on its container port', (app) => {
    const deployment = find(manifests, 'Deployment', app);
    const container = containerOf(deployment);
    const env = containerEnv(manifests, container);
    const config = loadConfig({ yamlText: mountedConfig(manifests, deployment, env), env });
    expect(container.ports?.find((port) => port.name === 'http')?.containerPort).toBe(portOf[app](config));
    expect(config.coordinator.queue.type).toBe('kafka');
    expect(config.security.devCredentials).toBe(false);
    if (app === 'result-store' || app === 'scheduler') expect(config.database.url).toMatch(/^postgres:\/\//);
    if (app !== 'gateway' && app !== 'result-store') expect(config.registry.url).toMatch(/^consul/);
    if (app === 'gateway') {
      expect(config.security.authentication.secretKey).toBe(fakeSecrets['jwt-secret']);
      expect(container.ports?.find((port) => port.name === 'grpc')?.containerPort).toBe(
        config.coordinator.grpc.port,
      );
    }
    if (app === 'agent') {
      expect(config.agent.id).toBe('agent-5d8f9c7b6-x2k4q');
      expect(config.agent.endpoint).toBe(`http://10.1.2.3:${config.agent.port}`);
    }
  });

  it('lets every scheduler replica dispatch: no single-leader settings, PostgreSQL in reach', () => {
    const spec = find(manifests, 'Deployment', 'scheduler')['spec'] as DeploymentSpec;
    expect(spec.strategy?.type ?? 'RollingUpdate').toBe('RollingUpdate');
    expect(spec.strategy?.rollingUpdate?.maxSurge ?? '25%').not.toBe(0);
    const hpa = find(manifests, 'HorizontalPodAutoscaler', 'scheduler')['spec'] as HpaSpec;
    expect(hpa.metrics?.map((metric) => metric.resource?.name)).toEqual(['cpu']);
    expect(hpa.maxReplicas).toBeGreaterThan(2);
    const postgres = find(manifests, 'NetworkPolicy', 'allow-postgres')['spec'] as {
      podSelector: LabelSelector;
    };
    expect(
      postgres.podSelector.matchExpressions?.find((e) => e.key === 'app.kubernetes.io/name')?.values,
    ).toEqual(expect.arrayContaining(['result-store', 'scheduler']));
  });

  it('gives agents a grace period that covers the preStop pause and the drain', () => {
    const deployment = find(manifests, 'Deployment', 'agent');
    const container = containerOf(deployment);
    const env = containerEnv(manifests, container);
    const config = loadConfig({ yamlText: mountedConfig(manifests, deployment, env), env });
    const grace = (deployment['spec'] as DeploymentSpec).template?.spec?.terminationGracePeriodSeconds ?? 0;
    const preStop = container.lifecycle?.preStop?.sleep?.seconds ?? 0;
    expect(grace).toBeGreaterThanOrEqual(preStop + config.agent.drainTimeout / 1000 + 5);
  });

  it('shares one ReadWriteMany workspace between the gateway and the agents at the same path', () => {
    const mounts = (['gateway', 'agent'] as const).map((app) => {
      const deployment = find(manifests, 'Deployment', app);
      const mount = containerOf(deployment).volumeMounts?.find((m) => m.name === 'workspace');
      const volume = (deployment['spec'] as DeploymentSpec).template?.spec?.volumes?.find(
        (v) => v.name === 'workspace',
      );
      return {
        path: mount?.mountPath,
        readOnly: mount?.readOnly,
        claim: volume?.persistentVolumeClaim?.claimName,
      };
    });
    expect(mounts[0]).toEqual({
      path: '/app/.contextforge/workspace',
      readOnly: false,
      claim: 'contextforge-workspace',
    });
    expect(mounts[1]).toEqual({
      path: '/app/.contextforge/workspace',
      readOnly: true,
      claim: 'contextforge-workspace',
    });
    const claim = find(manifests, 'PersistentVolumeClaim', 'contextforge-workspace');
    expect((claim['spec'] as { accessModes: string[] }).accessModes).toEqual(['ReadWriteMany']);
  });

  it('ships the alert rules file unchanged in its ConfigMap', () => {
    const configMap = manifests.find((m) => m.metadata.name.startsWith('contextforge-alert-rules-'));
    const rules = readFileSync(`${repoRoot}/k8s/base/monitoring/alert-rules.yaml`, 'utf8');
    expect((configMap?.['data'] as Record<string, string>)['contextforge-alerts.yaml']).toBe(rules);
  });
});

describe('the overlays', () => {
  const hpaMetrics = (dir: string) =>
    ((find(renderKustomize(dir), 'HorizontalPodAutoscaler', 'agent')['spec'] as HpaSpec).metrics ?? []).map(
      (metric) => metric.resource?.name ?? metric.external?.metric.name,
    );

  it('scale agents on CPU, and in prod on the queue depth too', () => {
    expect(hpaMetrics(kustomizations.dev)).toEqual(['cpu']);
    expect(hpaMetrics(kustomizations.prod)).toEqual(['cpu', 'contextforge_queue_depth']);
  });

  it('put everything into their own namespace, which enforces the restricted pod security standard', () => {
    for (const [dir, namespace] of [
      [kustomizations.dev, 'contextforge-dev'],
      [kustomizations.prod, 'contextforge'],
    ] as const) {
      const manifests = renderKustomize(dir);
      expect(
        find(manifests, 'Namespace', namespace).metadata.labels?.['pod-security.kubernetes.io/enforce'],
      ).toBe('restricted');
      const namespaced = manifests.filter((m) => m.kind !== 'Namespace');
      expect(namespaced.filter((m) => m.metadata.namespace !== namespace)).toEqual([]);
    }
  });

  it('run two scheduler replicas or more in prod, from 2 on CPU, and keep one through disruptions', () => {
    const prod = renderKustomize(kustomizations.prod);
    expect((find(prod, 'Deployment', 'scheduler')['spec'] as DeploymentSpec).replicas).toBeGreaterThanOrEqual(
      2,
    );
    expect((find(prod, 'HorizontalPodAutoscaler', 'scheduler')['spec'] as HpaSpec).minReplicas).toBe(2);
    expect(find(prod, 'PodDisruptionBudget', 'scheduler')['spec']).toMatchObject({ minAvailable: 1 });
    expect(find(prod, 'PodDisruptionBudget', 'scheduler')['spec']).not.toHaveProperty('maxUnavailable');
    // Dev runs one: a PDB of minAvailable 1 would block every node drain there.
    const dev = find(renderKustomize(kustomizations.dev), 'PodDisruptionBudget', 'scheduler')[
      'spec'
    ] as PdbSpec;
    expect({ minAvailable: dev.minAvailable, maxUnavailable: dev.maxUnavailable }).toEqual({
      minAvailable: undefined,
      maxUnavailable: 1,
    });
  });

  it('pin image tags in prod', () => {
    const manifests = renderKustomize(kustomizations.prod);
    for (const app of apps)
      expect(containerOf(find(manifests, 'Deployment', app)).image).toBe(`ghcr.io/contextforge/${app}:0.1.0`);
  });
});
