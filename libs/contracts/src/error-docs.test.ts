import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ERROR_CODES } from './errors';

describe('docs/api/errors.md', () => {
  const doc = readFileSync(join(__dirname, '..', '..', '..', 'docs', 'api', 'errors.md'), 'utf8');

  it.each(Object.entries(ERROR_CODES))(
    'lists %s with its HTTP status, gRPC status and retryability',
    (code, spec) => {
      const row = doc.split('\n').find((line) => new RegExp(`^\\|\\s*\`${code}\`\\s*\\|`).test(line));
      expect(row).toBeDefined();
      const cells = (row ?? '').split('|').map((cell) => cell.trim());
      expect(cells.slice(2, 5)).toEqual([String(spec.http), spec.grpc, spec.retryable ? 'yes' : 'no']);
    },
  );
});
