// The Prometheus alert rules, judged by promtool (Debian package `prometheus`): the rules parse, their
// unit tests (k8s/base/monitoring/alert-rules.test.yaml) pass, every alert has a test in which it fires
// and one in which a healthy fleet does not fire it, and a broken rule makes those tests fail.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runTool } from '../src/run-tool';
import { repoRoot } from './repo-paths';

const monitoring = join(repoRoot, 'k8s', 'base', 'monitoring');
const install = 'Debian/Ubuntu: apt-get install -y prometheus (CI installs it)';

interface RuleFile {
  groups: { name: string; rules: { alert?: string; expr: string }[] }[];
}
interface RuleTests {
  tests: { name: string; alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
}

const rules = parse(readFileSync(join(monitoring, 'alert-rules.yaml'), 'utf8')) as RuleFile;
const ruleTests = parse(readFileSync(join(monitoring, 'alert-rules.test.yaml'), 'utf8')) as RuleTests;
const alerts = rules.groups.flatMap((group) =>
  group.rules.flatMap((rule) => (rule.alert ? [rule.alert] : [])),
);

/** The metric names the apps export (libs/observability); a rule on any other name never fires. */
const exportedMetrics = [
  'contextforge_tasks_submitted_total',
  'contextforge_tasks_finished_total',
  'contextforge_task_failures_total',
  'contextforge_task_retries_total',
  'contextforge_dead_letters_total',
  'contextforge_task_duration_seconds_bucket',
  'contextforge_task_run_seconds',
  'contextforge_queue_depth',
  'contextforge_agent_in_flight',
  'contextforge_agents',
  'contextforge_agent_circuit_state',
  'contextforge_kafka_consumer_lag',
  'contextforge_http_requests_total',
];

describe('the alert rules', () => {
  it('pass promtool check rules', () => {
    const result = runTool('promtool', ['check', 'rules', join(monitoring, 'alert-rules.yaml')], { install });
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain(`SUCCESS: ${alerts.length} rules found`);
    expect(result.status).toBe(0);
  });

  it('pass their promtool unit tests', () => {
    const result = runTool('promtool', ['test', 'rules', join(monitoring, 'alert-rules.test.yaml')], {
      install,
    });
    expect(result.stdout + result.stderr).toContain('SUCCESS');
    expect(result.status).toBe(0);
  });

  it('cover agent health, failure rate, latency, dead letters, consumer lag and resource use', () => {
    expect(alerts).toEqual(
      expect.arrayContaining([
        'ContextForgeAgentsUnhealthy',
        'ContextForgeNoHealthyAgents',
        'ContextForgeTaskFailureRateHigh',
        'ContextForgeTaskLatencyDegraded',
        'ContextForgeDeadLettersGrowing',
        'ContextForgeKafkaConsumerLagHigh',
        'ContextForgeMemoryNearLimit',
        'ContextForgeCpuNearLimit',
        'ContextForgeEventLoopLagHigh',
      ]),
    );
  });

  it.each(alerts)('%s has a test where it fires and is silent on a healthy fleet', (alert) => {
    const cases = ruleTests.tests.flatMap((test) =>
      (test.alert_rule_test ?? [])
        .filter((check) => check.alertname === alert)
        .map((check) => ({ test, check })),
    );
    expect(cases.some(({ check }) => check.exp_alerts.length > 0)).toBe(true);
    expect(
      cases.some(
        ({ test, check }) => test.name === 'a healthy fleet fires nothing' && check.exp_alerts.length === 0,
      ),
    ).toBe(true);
  });

  it('query only metrics the apps export (or prom-client and kube-state-metrics defaults)', () => {
    const names = rules.groups
      .flatMap((group) => group.rules.map((rule) => rule.expr))
      .flatMap((expr) => expr.match(/\bcontextforge_[a-z_]+/g) ?? []);
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((name) => !exportedMetrics.includes(name))).toEqual([]);
  });

  it('fail their unit tests when a rule is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alert-rules-'));
    try {
      const broken = readFileSync(join(monitoring, 'alert-rules.yaml'), 'utf8').replace(
        'max by (topic, group) (contextforge_kafka_consumer_lag) > 10000',
        'max by (topic, group) (contextforge_kafka_consumer_lag) > 100000',
      );
      writeFileSync(join(dir, 'alert-rules.yaml'), broken);
      copyFileSync(join(monitoring, 'alert-rules.test.yaml'), join(dir, 'alert-rules.test.yaml'));
      const result = runTool('promtool', ['test', 'rules', 'alert-rules.test.yaml'], { install, cwd: dir });
      expect(result.status).not.toBe(0);
      expect(result.stdout + result.stderr).toContain('ContextForgeKafkaConsumerLagHigh');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
