import { AppError } from '@contextforge/contracts';

/** One problem with the configuration: the YAML key path (`coordinator.queue.url`) and what is wrong. */
export interface ConfigIssue {
  path: string;
  message: string;
}

/**
 * Thrown by the loaders when the configuration is unusable. The message has one line per issue,
 * `config: <key path>: <what was expected, what was found>`, so a failed start-up says every
 * mistake at once; `details.issues` holds the same list as data. Code CONFIG_INVALID.
 */
export class ConfigError extends AppError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super('CONFIG_INVALID', issues.map(formatIssue).join('\n'), { details: { issues: [...issues] } });
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

function formatIssue(issue: ConfigIssue): string {
  return issue.path === '' ? `config: ${issue.message}` : `config: ${issue.path}: ${issue.message}`;
}
