import { z } from 'zod';

/**
 * Who is calling. Every gateway operation (REST, WebSocket, gRPC) receives one; authorization
 * decisions read it, never the raw credentials.
 *
 * - client: a JWT bearer; `id` is the token's `sub` and is the `clientId` of the tasks it submits.
 *   A client sees and cancels only its own tasks; another client's task answers TASK_NOT_FOUND.
 * - agent: an API key; `id` is `agent-key:<keyId>`. May register, heartbeat and deregister agents
 *   (only `agentId` when the key is bound to one) and submit tasks (rate-limited per agent).
 * - `admin` in `roles` (a JWT `roles` claim, or an admin API key): manages agents and API keys and
 *   sees every client's tasks.
 *
 * Roles by credential: a JWT gives ['client'], plus 'admin' when its `roles` claim (an array of
 * strings) lists it; other names in the claim are ignored and a token can never grant 'agent'. An
 * agent API key gives ['agent']; an admin API key gives ['agent', 'admin'] (automation that manages
 * the fleet may also act as an agent).
 */
/** The JWT algorithms the gateway can be configured to accept (one of them, pinned). */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export const ROLES = ['client', 'agent', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  kind: 'client' | 'agent';
  /** Stable identity: the JWT subject, or `agent-key:<keyId>`. */
  id: string;
  roles: readonly Role[];
  /** For an API key bound to one agent id: the only agent it may act as. */
  agentId?: string;
  /** The API key id, for agent principals. */
  keyId?: string;
}

export function isAdmin(principal: Principal): boolean {
  return principal.roles.includes('admin');
}

/**
 * API keys look like `cfk_<keyId>_<secret>`: a fixed prefix (so secret scanners and people
 * recognise them), a public id (12 lower-case base32 characters) to find the record, and a
 * 32-byte random secret (43 base64url characters). Only a SHA-256 hash of the whole key is stored;
 * a plain fast hash is right for 256-bit random secrets (nothing to brute-force), and verification
 * compares hashes in constant time.
 */
export const API_KEY_PREFIX = 'cfk_';
export const API_KEY_PATTERN = /^cfk_([a-z2-7]{12})_([A-Za-z0-9_-]{43})$/;

export const ApiKeyRoleSchema = z.enum(['agent', 'admin']);
export type ApiKeyRole = z.output<typeof ApiKeyRoleSchema>;

/** Body of POST /api-keys (admin only). */
export const CreateApiKeyRequestSchema = z.strictObject({
  /** What the key is for, e.g. "agents in eu-west-1". */
  name: z.string().min(1).max(200),
  role: ApiKeyRoleSchema.default('agent'),
  /** Binds an agent key to one agent id. */
  agentId: z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]*$/, 'letters, digits and . _ : - only')
    .optional(),
});
export type CreateApiKeyRequest = z.output<typeof CreateApiKeyRequestSchema>;

/** An API key as stored: never the key itself, only its hash. */
export interface StoredApiKey {
  /** The public id inside the key (`cfk_<id>_...`). */
  id: string;
  name: string;
  role: ApiKeyRole;
  agentId?: string;
  /** Hex SHA-256 of the whole key string. */
  hash: string;
  /** Principal id of the admin who created it. */
  createdBy: string;
  createdAt: string;
  revokedAt?: string;
}

/** An API key as the API shows it (GET /api-keys): no hash. */
export const ApiKeyViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: ApiKeyRoleSchema,
  agentId: z.string().optional(),
  /** The recognisable start of the key, `cfk_<id>`, for finding it in a secret store. */
  prefix: z.string(),
  createdBy: z.string(),
  createdAt: z.iso.datetime(),
  revokedAt: z.iso.datetime().optional(),
});
export type ApiKeyView = z.output<typeof ApiKeyViewSchema>;

export function apiKeyView(key: StoredApiKey): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    role: key.role,
    ...(key.agentId === undefined ? {} : { agentId: key.agentId }),
    prefix: `${API_KEY_PREFIX}${key.id}`,
    createdBy: key.createdBy,
    createdAt: key.createdAt,
    ...(key.revokedAt === undefined ? {} : { revokedAt: key.revokedAt }),
  };
}

/**
 * Turns request credentials into a Principal (libs/auth implements it: JWT bearer tokens for
 * clients, `cfk_` API keys for agents and admins). Used alike by REST, WebSocket and gRPC.
 * Rejects with AppError UNAUTHENTICATED for missing, malformed, expired, revoked or untrusted
 * credentials, and never with anything else for bad input (a store outage is SERVICE_UNAVAILABLE).
 * The message says what is wrong without repeating the credential; `details.reason` names it in
 * one stable word (libs/auth `AuthFailureReason`, e.g. `expired`, `wrong_audience`, `revoked_api_key`).
 */
export interface Authenticator {
  /**
   * `authorization`: the raw Authorization header (or gRPC metadata) value, `Bearer <jwt>` or
   * `Bearer cfk_...`; `apiKey`: an X-API-Key header value.
   */
  authenticate(credentials: { authorization?: string; apiKey?: string }): Promise<Principal>;
}
