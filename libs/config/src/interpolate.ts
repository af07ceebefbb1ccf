import { formatPath } from '@contextforge/contracts';
import type { ConfigIssue } from './config-error';

export type EnvRecord = Readonly<Record<string, string | undefined>>;

export type InterpolationResult = { ok: true; value: string } | { ok: false; problems: string[] };

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Expands environment references in one string:
 *   `${NAME}`            the variable's value; an unset variable is a problem (an empty one is "")
 *   `${NAME:-fallback}`  the value, or `fallback` when the variable is unset or empty
 *   `$$`                 a literal `$`
 * Any other `$` stays as it is (`$HOME` is not expanded: only the braced form is). Fallbacks are
 * taken literally; they are not expanded again, and cannot contain `}`.
 */
export function interpolateString(text: string, env: EnvRecord): InterpolationResult {
  const problems: string[] = [];
  let out = '';
  let index = 0;
  while (index < text.length) {
    const dollar = text.indexOf('$', index);
    if (dollar === -1) {
      out += text.slice(index);
      break;
    }
    out += text.slice(index, dollar);
    const next = text[dollar + 1];
    if (next === '$') {
      out += '$';
      index = dollar + 2;
      continue;
    }
    if (next !== '{') {
      out += '$';
      index = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    if (close === -1) {
      problems.push('unterminated "${" (write "$$" for a literal "$")');
      break;
    }
    const body = text.slice(dollar + 2, close);
    const separator = body.indexOf(':-');
    const name = separator === -1 ? body : body.slice(0, separator);
    const fallback = separator === -1 ? undefined : body.slice(separator + 2);
    index = close + 1;
    if (!VARIABLE_NAME.test(name)) {
      problems.push(`"\${${body}}" is not a valid reference (expected \${NAME} or \${NAME:-default})`);
      continue;
    }
    const value = env[name];
    if (fallback !== undefined) {
      out += value === undefined || value === '' ? fallback : value;
    } else if (value === undefined) {
      problems.push(`environment variable ${name} is not set (write \${${name}:-default} to give a default)`);
    } else {
      out += value;
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: out };
}

/**
 * Expands references in every string value of a parsed YAML tree (keys are left alone) and
 * returns a new tree; problems are reported against the key path of the string that has them.
 * A mapping value that was made only of references and expands to "" is removed, i.e. unset:
 * `acl_token: ${CONSUL_HTTP_TOKEN:-}` leaves the key at its default when the variable is empty.
 */
export function interpolateTree(tree: unknown, env: EnvRecord): { value: unknown; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const walk = (node: unknown, path: Array<string | number>): unknown => {
    if (typeof node === 'string') {
      const result = interpolateString(node, env);
      if (result.ok) return result.value;
      for (const problem of result.problems) issues.push({ path: formatPath(path), message: problem });
      return node;
    }
    if (Array.isArray(node)) return node.map((item, position) => walk(item, [...path, position]));
    if (isPlainObject(node)) {
      const entries = Object.entries(node)
        .map(([key, child]): [string, unknown] => [key, walk(child, [...path, key])])
        .filter(([key, expanded]) => !(expanded === '' && node[key] !== ''));
      return Object.fromEntries(entries);
    }
    return node;
  };
  return { value: walk(tree, []), issues };
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
