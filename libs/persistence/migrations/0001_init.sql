-- Tasks, their event history and results. prisma/schema.prisma mirrors these tables for the typed
-- client (test/prisma-schema-matches-migrations.test.ts checks that both agree). Constraint and
-- index names follow Prisma's naming convention so that a future `prisma db pull` or diff is clean.
-- Tables are created unqualified: the migration runner sets the search_path to the target schema.

CREATE TABLE tasks (
  id                    text           NOT NULL,
  client_id             text           NOT NULL,
  type                  text           NOT NULL,
  input                 jsonb          NOT NULL,
  priority              integer        NOT NULL,
  required_capabilities text[]         NOT NULL,
  timeout_ms            integer        NOT NULL,
  max_attempts          integer        NOT NULL,
  idempotency_key       text,
  parent_id             text,
  status                text           NOT NULL,
  status_reason         text,
  attempt               integer        NOT NULL,
  agent_id              text,
  last_error            jsonb,
  created_at            timestamptz(3) NOT NULL DEFAULT now(),
  updated_at            timestamptz(3) NOT NULL DEFAULT now(),
  finished_at           timestamptz(3),
  CONSTRAINT tasks_pkey PRIMARY KEY (id),
  CONSTRAINT tasks_status_check CHECK (
    status IN ('queued', 'dispatched', 'running', 'failed', 'succeeded', 'cancelled', 'dead_lettered')
  ),
  CONSTRAINT tasks_attempt_check CHECK (attempt >= 0)
);

-- Idempotent submission per client. NULL keys never conflict (tasks without a key).
CREATE UNIQUE INDEX tasks_client_id_idempotency_key_key ON tasks (client_id, idempotency_key);
-- The queue view: tasks of a status by priority, oldest first (scheduler recovery, metrics).
CREATE INDEX tasks_status_priority_created_at_idx ON tasks (status, priority DESC, created_at);
-- GET /tasks for one client, newest first, keyset-paged on (created_at, id).
CREATE INDEX tasks_client_id_created_at_id_idx ON tasks (client_id, created_at DESC, id DESC);
-- GET /tasks across clients (operators), newest first.
CREATE INDEX tasks_created_at_id_idx ON tasks (created_at DESC, id DESC);

CREATE TABLE task_events (
  id         text           NOT NULL,
  task_id    text           NOT NULL,
  attempt    integer        NOT NULL,
  type       text           NOT NULL,
  payload    jsonb          NOT NULL,
  outcome    text           NOT NULL,
  reason     text,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT task_events_pkey PRIMARY KEY (id),
  CONSTRAINT task_events_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks (id)
    ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT task_events_outcome_check CHECK (outcome IN ('applied', 'ignored'))
);

CREATE INDEX task_events_task_id_created_at_idx ON task_events (task_id, created_at);

CREATE TABLE task_results (
  task_id     text           NOT NULL,
  attempt     integer        NOT NULL,
  agent_id    text           NOT NULL,
  output      jsonb          NOT NULL,
  duration_ms integer        NOT NULL,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT task_results_pkey PRIMARY KEY (task_id),
  CONSTRAINT task_results_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks (id)
    ON DELETE CASCADE ON UPDATE CASCADE
);
