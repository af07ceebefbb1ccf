-- Leader leases (see libs/contracts/src/ports/lease-store.ts): one row per lease name.
CREATE TABLE leases (
  name       text           NOT NULL,
  holder     text           NOT NULL,
  expires_at timestamptz(3) NOT NULL,
  CONSTRAINT leases_pkey PRIMARY KEY (name)
);
