-- Payloads by reference (libs/contracts/src/ports/payload-store.ts): an attempt's output too large
-- for a bus message (payloads.inline_limit), stored by its agent before it publishes `succeeded`
-- with the payload's id as outputRef. Applying that event copies the content into
-- task_results.output. Rows go with their task.
CREATE TABLE payloads (
  id         text           NOT NULL,
  task_id    text           NOT NULL,
  attempt    integer        NOT NULL,
  -- UTF-8 bytes of the content's JSON, as the uploader sent it.
  bytes      integer        NOT NULL,
  content    jsonb          NOT NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT payloads_pkey PRIMARY KEY (id),
  CONSTRAINT payloads_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks (id)
    ON DELETE CASCADE ON UPDATE CASCADE
);

-- The cascade from tasks.
CREATE INDEX payloads_task_id_idx ON payloads (task_id);
