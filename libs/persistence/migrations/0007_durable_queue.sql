-- The durable queue every scheduler replica serves (ADR 0012; libs/contracts/src/ports/task-queue.ts).
-- A claim moves a queued task to `dispatched` with a new attempt and stamps the columns below; the
-- task's events of that attempt are applied only with its claim_token (fencing).
ALTER TABLE tasks ADD COLUMN claim_token text;
-- The scheduler replica that claimed the current attempt (for operators; fencing uses the token).
ALTER TABLE tasks ADD COLUMN claimed_by text;
-- The process (instanceId) of the agent the attempt went to: a restarted agent does not run it.
ALTER TABLE tasks ADD COLUMN agent_instance text;
-- A `dispatched` attempt not started by then fails as DISPATCH_EXPIRED.
ALTER TABLE tasks ADD COLUMN lease_expires_at timestamptz(3);
-- A `running` attempt with no outcome by then fails as TASK_TIMEOUT (claim + timeout_ms + grace).
ALTER TABLE tasks ADD COLUMN deadline_at timestamptz(3);
-- A queued task waiting for a retry is not claimed before this time.
ALTER TABLE tasks ADD COLUMN not_before timestamptz(3);
-- Failed attempts that count against max_attempts (the scheduler's retry decisions).
ALTER TABLE tasks ADD COLUMN failures integer NOT NULL DEFAULT 0;

-- Arrival order: FIFO within a priority when tasks share a created_at millisecond (a batch).
ALTER TABLE tasks ADD COLUMN seq bigserial;
DROP INDEX tasks_status_priority_created_at_idx;
CREATE INDEX tasks_status_priority_created_at_seq_idx ON tasks (status, priority DESC, created_at, seq);

-- Open attempts per agent: the claim's capacity count and the lost-agent sweeps.
CREATE INDEX tasks_agent_id_status_idx ON tasks (agent_id, status);
-- The earliest retry time (the claim's "next wake-up"); NULL for every task not waiting for one.
CREATE INDEX tasks_not_before_idx ON tasks (not_before);

-- The transactional outbox: every applied event's TaskChangedMessage, written in the transaction
-- that applied it, published on the task-changes topic by a relay and then deleted (at least once,
-- in id order).
CREATE TABLE outbox (
  id         bigserial      NOT NULL,
  task_id    text           NOT NULL,
  message    jsonb          NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT outbox_pkey PRIMARY KEY (id)
);
