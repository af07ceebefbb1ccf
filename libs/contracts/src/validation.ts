import type { z } from 'zod';
import { AppError, type ErrorCode } from './errors';

export interface ValidationIssue {
  path: string;
  message: string;
}

/** `a.b[2].c` style path, `(root)` for the value itself. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : index === 0 ? String(part) : `.${String(part)}`,
    )
    .join('');
}

export function toIssues(error: z.ZodError): ValidationIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/**
 * Validates `value` against `schema`; on failure throws an AppError whose message names the first
 * field path and whose details list every issue.
 */
export function parseOrThrow<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
  code: ErrorCode = 'VALIDATION_FAILED',
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = toIssues(parsed.error);
  const first = issues[0];
  const summary = first ? `${first.path}: ${first.message}` : 'invalid';
  throw new AppError(code, `invalid ${what}: ${summary}`, { details: { issues } });
}
