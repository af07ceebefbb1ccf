import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gatewayOpenApiDocument } from '../src/gateway';

describe('docs/api/openapi.json', () => {
  it('is the document the gateway serves (regenerate with tools/scripts/gen-openapi.ts)', () => {
    const committed: unknown = JSON.parse(
      readFileSync(resolve(__dirname, '../../../docs/api/openapi.json'), 'utf8'),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(gatewayOpenApiDocument())));
  });
});
