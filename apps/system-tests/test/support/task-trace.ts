import type { ReceivedSpan } from '@contextforge/testing';

/** The OTEL_* variables that make every app process export its spans to `receiverUrl` quickly. */
export function tracingEnv(receiverUrl: string): Record<string, string> {
  return {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiverUrl,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_BSP_SCHEDULE_DELAY: '200',
  };
}

/**
 * The path of spans from the result-store's span applying the task's `succeeded` event up to the
 * root of its trace (child first), e.g. apply <- agent execute <- scheduler dispatch <-
 * result-store create-tasks <- gateway POST /tasks/submit. Undefined until that apply span and
 * every ancestor up to a root were received (processes export on their own schedules).
 */
export function successPath(spans: readonly ReceivedSpan[], taskId: string): ReceivedSpan[] | undefined {
  const applied = spans.find(
    (span) =>
      span.name === 'result-store apply' &&
      span.attributes['contextforge.task_id'] === taskId &&
      span.attributes['contextforge.event'] === 'succeeded',
  );
  if (!applied) return undefined;
  const path = [applied];
  for (let span = applied; span.parentSpanId !== undefined;) {
    const parent = spans.find(
      (candidate) => candidate.traceId === span.traceId && candidate.spanId === span.parentSpanId,
    );
    if (!parent) return undefined;
    path.push(parent);
    span = parent;
  }
  return path;
}

/** `service/name` of each span of a path, with the task id where the span names one. */
export function describePath(path: readonly ReceivedSpan[] | undefined): string[] | undefined {
  return path?.map((span) => {
    const taskId = span.attributes['contextforge.task_id'];
    return `${span.service}/${span.name}${taskId === undefined ? '' : ` [${String(taskId)}]`}`;
  });
}

/** What was received about a task whose path is not complete yet, for a timeout message. */
export function describeMissing(spans: readonly ReceivedSpan[], taskId: string): string {
  const named = spans.filter((span) => span.attributes['contextforge.task_id'] === taskId);
  return `task ${taskId}: spans naming it: ${named.map((span) => `${span.service}/${span.name}`).join(', ') || 'none'}`;
}
