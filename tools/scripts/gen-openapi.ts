// Regenerates docs/api/openapi.json, the document GET /openapi.json serves (a test checks it is current):
//   npx tsx --tsconfig libs/gateway-service/tsconfig.json tools/scripts/gen-openapi.ts > docs/api/openapi.json
import { gatewayOpenApiDocument } from '../../libs/gateway-service/src/gateway';

console.log(JSON.stringify(gatewayOpenApiDocument(), null, 2));
