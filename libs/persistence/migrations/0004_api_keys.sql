-- API keys (libs/contracts/src/auth.ts, ports/api-key-store.ts): only the SHA-256 of a key is
-- stored, never the key; the CHECK refuses anything that is not a hex SHA-256 in `hash`.
-- Revoked keys stay (revoked_at set) for audit.

CREATE TABLE api_keys (
  id         text           NOT NULL,
  name       text           NOT NULL,
  role       text           NOT NULL,
  agent_id   text,
  hash       text           NOT NULL,
  created_by text           NOT NULL,
  created_at timestamptz(3) NOT NULL,
  revoked_at timestamptz(3),
  CONSTRAINT api_keys_pkey PRIMARY KEY (id),
  CONSTRAINT api_keys_role_check CHECK (role IN ('agent', 'admin')),
  CONSTRAINT api_keys_hash_check CHECK (hash ~ '^[0-9a-f]{64}$')
);
