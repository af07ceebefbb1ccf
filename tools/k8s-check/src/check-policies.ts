import type {
  Container,
  DeploymentSpec,
  HpaSpec,
  LabelSelector,
  NetworkPolicyPeer,
  NetworkPolicySpec,
  PdbSpec,
  ServiceSpec,
} from './k8s-types';
import { manifestId, type Manifest } from './manifest';

export interface PolicyOptions {
  /** Deployments that may accept traffic from outside the cluster (ingress with no `from`, or an ipBlock). */
  publicApps: readonly string[];
  /**
   * Deployments whose ingress is restricted to the pods of the listed Deployments (plus the `monitoring`
   * namespace, for Prometheus), e.g. { agent: ['scheduler', 'registry'] }.
   */
  ingressAllowList: Readonly<Record<string, readonly string[]>>;
}

/** Environment variable names whose value is a credential: only a secretKeyRef may set them. */
const SECRET_ENV = /SECRET|PASSWORD|TOKEN|DATABASE_URL|_KEY$/;
/** A URL with user:password in it, or a secret key written into a config file. */
const SECRET_TEXT = [
  /[a-z+]+:\/\/[^\s/:@'"]+:[^\s/@'"$]+@/i,
  /secret_key:\s*['"]?[^'"\s$]/,
  /acl_token:\s*['"]?[^'"\s$]/,
];

/**
 * The deployment rules every rendered set of manifests must keep. Answers one message per violation
 * (empty: all kept). Checked: every Deployment has /healthz liveness and /readyz readiness probes,
 * CPU and memory requests and limits, a non-root read-only container without privileges or capabilities
 * under seccomp RuntimeDefault, a writable emptyDir /tmp, a termination grace period, Prometheus scrape
 * annotations for one of its ports, and a matching Service, HorizontalPodAutoscaler and
 * PodDisruptionBudget; a default-deny NetworkPolicy exists, only publicApps are reachable from outside
 * and ingressAllowList holds; no Secret object, no literal credential in env or ConfigMaps.
 */
export function checkPolicies(manifests: readonly Manifest[], options: PolicyOptions): string[] {
  const problems: string[] = [];
  const byKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
  const deployments = byKind('Deployment');
  const podLabels = new Map(deployments.map((d) => [d.metadata.name, labelsOf(d)]));

  for (const secret of byKind('Secret'))
    problems.push(`${manifestId(secret)}: Secrets are referenced, never shipped in the manifests`);
  for (const configMap of byKind('ConfigMap')) {
    for (const [key, value] of Object.entries((configMap['data'] ?? {}) as Record<string, string>))
      if (SECRET_TEXT.some((pattern) => pattern.test(value)))
        problems.push(`${manifestId(configMap)}: ${key} contains a credential`);
  }

  for (const deployment of deployments) {
    const id = manifestId(deployment);
    const spec = deployment['spec'] as DeploymentSpec;
    const labels = labelsOf(deployment);
    const pod = spec.template?.spec ?? {};
    if (!spec.selector || !selects(spec.selector, labels))
      problems.push(`${id}: selector does not select its pods`);
    if (pod.terminationGracePeriodSeconds === undefined)
      problems.push(`${id}: no terminationGracePeriodSeconds`);
    const containers = pod.containers ?? [];
    if (containers.length === 0) problems.push(`${id}: no containers`);
    for (const container of containers)
      problems.push(...checkContainer(`${id} container ${container.name}`, container, pod));

    const ports = containers.flatMap((container) =>
      (container.ports ?? []).map((port) => port.containerPort),
    );
    const annotations = spec.template?.metadata?.annotations ?? {};
    if (
      annotations['prometheus.io/scrape'] !== 'true' ||
      !ports.includes(Number(annotations['prometheus.io/port']))
    )
      problems.push(`${id}: no prometheus.io/scrape annotations naming one of its ports`);

    const services = byKind('Service').filter((service) => {
      const selector = (service['spec'] as ServiceSpec).selector;
      return (
        selector !== undefined &&
        Object.keys(selector).length > 0 &&
        selects({ matchLabels: selector }, labels)
      );
    });
    if (services.length === 0) problems.push(`${id}: no Service selects its pods`);
    const servedPorts = new Set(
      services.flatMap((service) => ((service['spec'] as ServiceSpec).ports ?? []).map((port) => port.port)),
    );
    for (const port of ports)
      if (!servedPorts.has(port)) problems.push(`${id}: port ${port} is not in a Service`);

    const hpa = byKind('HorizontalPodAutoscaler').find((candidate) => {
      const target = (candidate['spec'] as HpaSpec).scaleTargetRef;
      return target?.kind === 'Deployment' && target.name === deployment.metadata.name;
    });
    if (!hpa) problems.push(`${id}: no HorizontalPodAutoscaler`);
    else {
      const { minReplicas = 1, maxReplicas = 0 } = hpa['spec'] as HpaSpec;
      if (minReplicas < 1 || maxReplicas < minReplicas)
        problems.push(`${manifestId(hpa)}: bad replica range`);
    }
    const pdb = byKind('PodDisruptionBudget').find((candidate) => {
      const selector = (candidate['spec'] as PdbSpec).selector;
      return selector !== undefined && selects(selector, labels);
    });
    if (!pdb) problems.push(`${id}: no PodDisruptionBudget`);
  }

  problems.push(...checkNetworkPolicies(byKind('NetworkPolicy'), podLabels, options));
  return problems;
}

function checkContainer(
  id: string,
  container: Container,
  pod: NonNullable<DeploymentSpec['template']>['spec'] & {},
): string[] {
  const problems: string[] = [];
  if (container.livenessProbe?.httpGet?.path !== '/healthz')
    problems.push(`${id}: liveness probe is not GET /healthz`);
  if (container.readinessProbe?.httpGet?.path !== '/readyz')
    problems.push(`${id}: readiness probe is not GET /readyz`);
  for (const kind of ['requests', 'limits'] as const)
    for (const resource of ['cpu', 'memory'])
      if (container.resources?.[kind]?.[resource] === undefined)
        problems.push(`${id}: no ${resource} ${kind}`);

  const context = container.securityContext ?? {};
  const podContext = pod.securityContext ?? {};
  if (!(context.runAsNonRoot ?? podContext.runAsNonRoot)) problems.push(`${id}: not runAsNonRoot`);
  if ((context.runAsUser ?? podContext.runAsUser) === 0) problems.push(`${id}: runs as uid 0`);
  if (context.readOnlyRootFilesystem !== true) problems.push(`${id}: root filesystem is writable`);
  if (context.allowPrivilegeEscalation !== false) problems.push(`${id}: allows privilege escalation`);
  if (context.privileged === true) problems.push(`${id}: privileged`);
  if (!context.capabilities?.drop?.includes('ALL') || (context.capabilities.add ?? []).length > 0)
    problems.push(`${id}: capabilities not dropped (drop: [ALL], add nothing)`);
  if ((context.seccompProfile ?? podContext.seccompProfile)?.type !== 'RuntimeDefault')
    problems.push(`${id}: seccomp profile is not RuntimeDefault`);
  const tmp = container.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
  if (!tmp || !pod.volumes?.some((volume) => volume.name === tmp.name && volume.emptyDir !== undefined))
    problems.push(`${id}: /tmp is not a writable emptyDir`);

  for (const variable of container.env ?? [])
    if (SECRET_ENV.test(variable.name) && (variable.value !== undefined || !variable.valueFrom?.secretKeyRef))
      problems.push(`${id}: ${variable.name} must come from a secretKeyRef`);
  return problems;
}

function checkNetworkPolicies(
  policies: readonly Manifest[],
  podLabels: ReadonlyMap<string, Record<string, string>>,
  options: PolicyOptions,
): string[] {
  const problems: string[] = [];
  const specs = policies.map((policy) => ({
    id: manifestId(policy),
    spec: policy['spec'] as NetworkPolicySpec,
  }));
  const defaultDeny = specs.some(
    ({ spec }) =>
      isEmptySelector(spec.podSelector) &&
      spec.policyTypes?.includes('Ingress') &&
      spec.policyTypes.includes('Egress') &&
      (spec.ingress ?? []).length === 0 &&
      (spec.egress ?? []).length === 0,
  );
  if (!defaultDeny) problems.push('no default-deny NetworkPolicy (every pod, Ingress and Egress, no rules)');

  const appsSelectedBy = (selector: LabelSelector | undefined) =>
    [...podLabels].filter(([, labels]) => selects(selector ?? {}, labels)).map(([name]) => name);

  for (const { id, spec } of specs) {
    const targets = appsSelectedBy(spec.podSelector);
    for (const rule of spec.ingress ?? []) {
      const fromOutside =
        rule.from === undefined || rule.from.length === 0 || rule.from.some((peer) => peer.ipBlock);
      const exposed = targets.filter((app) => !options.publicApps.includes(app));
      if (fromOutside && exposed.length > 0)
        problems.push(`${id}: opens ${exposed.join(', ')} to outside traffic`);
      for (const target of targets) {
        const allowed = options.ingressAllowList[target];
        if (!allowed) continue;
        for (const peer of rule.from ?? []) {
          const sources = peerApps(peer, appsSelectedBy);
          if (sources === 'monitoring') continue;
          const stray = sources === 'any' ? ['anything'] : sources.filter((app) => !allowed.includes(app));
          if (stray.length > 0) problems.push(`${id}: lets ${stray.join(', ')} reach ${target}`);
        }
        if (rule.from === undefined || rule.from.length === 0)
          problems.push(`${id}: lets anything reach ${target}`);
      }
    }
  }
  return problems;
}

/** The apps a same-namespace pod peer selects, 'monitoring' for the monitoring namespace, else 'any'. */
function peerApps(
  peer: NetworkPolicyPeer,
  appsSelectedBy: (selector: LabelSelector | undefined) => string[],
): string[] | 'monitoring' | 'any' {
  if (peer.ipBlock) return 'any';
  if (peer.namespaceSelector) {
    const namespace = peer.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'];
    return namespace === 'monitoring' ? 'monitoring' : 'any';
  }
  if (isEmptySelector(peer.podSelector)) return 'any';
  return appsSelectedBy(peer.podSelector);
}

function labelsOf(deployment: Manifest): Record<string, string> {
  return (deployment['spec'] as DeploymentSpec).template?.metadata?.labels ?? {};
}

function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return (
    selector !== undefined &&
    Object.keys(selector.matchLabels ?? {}).length === 0 &&
    (selector.matchExpressions ?? []).length === 0
  );
}

/** Kubernetes label-selector semantics (matchLabels and the four matchExpressions operators). */
export function selects(selector: LabelSelector, labels: Readonly<Record<string, string>>): boolean {
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpressions = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    const value = labels[key];
    switch (operator) {
      case 'In':
        return value !== undefined && values.includes(value);
      case 'NotIn':
        return value === undefined || !values.includes(value);
      case 'Exists':
        return value !== undefined;
      case 'DoesNotExist':
        return value === undefined;
      default:
        return false;
    }
  });
  return byLabels && byExpressions;
}
