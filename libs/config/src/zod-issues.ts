import { formatPath } from '@contextforge/contracts';
import type { z } from 'zod';
import type { ConfigIssue } from './config-error';
import { knownKeysAt } from './config-schema';
import { describeValue } from './fields';

/**
 * Turns the schema's issues into one ConfigIssue per problem: unknown keys one by one (with the
 * closest known key as a hint), wrong shapes as "expected a mapping, got ...".
 */
export function toConfigIssues(error: z.ZodError): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const known = knownKeysAt(issue.path) ?? [];
      for (const key of issue.keys) {
        const hint = closest(key, known);
        issues.push({
          path: formatPath([...issue.path, key]),
          message: `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}; expected one of ${known.join(', ')}`,
        });
      }
    } else if (issue.code === 'invalid_type' && issue.expected === 'object') {
      issues.push({
        path: formatPath(issue.path),
        message: `expected a mapping, got ${describeValue(issue.input)}`,
      });
    } else {
      issues.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return issues;
}

/** The known key nearest to `key` by edit distance, when it is near enough to be a likely typo. */
function closest(key: string, known: readonly string[]): string | undefined {
  const normalized = key.toLowerCase().replaceAll('-', '_');
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(normalized, candidate);
    if (!best || distance < best.distance) best = { key: candidate, distance };
  }
  return best && best.distance <= Math.max(2, Math.floor(key.length / 3)) ? best.key : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
