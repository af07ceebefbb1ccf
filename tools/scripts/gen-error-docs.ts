// Regenerates docs/api/errors.md from the error registry:
//   npx tsx tools/scripts/gen-error-docs.ts > docs/api/errors.md && npx prettier --write docs/api/errors.md
import { ERROR_CODES } from '../../libs/contracts/src/errors';
const rows = Object.entries(ERROR_CODES).map(
  ([code, s]) => `| \`${code}\` | ${s.http} | ${s.grpc} | ${s.retryable ? 'yes' : 'no'} | ${s.description} |`,
);
console.log(`# Error codes

Every error body has one shape, on every endpoint and every service:

\`\`\`json
{ "error": { "code": "VALIDATION_FAILED", "message": "invalid task submission: priority: Too big: expected number to be <=9", "details": { "issues": [{ "path": "priority", "message": "..." }] } } }
\`\`\`

\`code\` is stable (clients switch on it); \`message\` is for people and may change; \`details\` is optional
structured data. The registry lives in \`libs/contracts/src/errors.ts\`; a test checks this table lists every code
with its HTTP status.

| code | HTTP | gRPC | retryable | meaning |
|---|---|---|---|---|
${rows.join('\n')}
`);
