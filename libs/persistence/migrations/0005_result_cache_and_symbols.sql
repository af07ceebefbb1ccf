-- The result cache and the symbol index (libs/contracts/src/ports/task-repository.ts:
-- CreateTaskOptions.cacheKey, searchSymbols).

-- tasks.cache_key: sha256 of (task type, agent type version, canonical input), computed by the
-- gateway; NULL when the task may not be cached. tasks.cached_from / task_results.cached_from: the
-- task whose result this task copied (a cache hit); NULL for a task that ran.
ALTER TABLE tasks ADD COLUMN cache_key text;
ALTER TABLE tasks ADD COLUMN cached_from text;
ALTER TABLE task_results ADD COLUMN cached_from text;

-- The cache lookup: a client's tasks with a key (the query also asks for status 'succeeded').
-- Not a partial index: the Prisma schema, which the schema test compares with these tables, cannot
-- express one.
CREATE INDEX tasks_client_id_cache_key_idx ON tasks (client_id, cache_key);

-- One row per valid SymbolDef of a succeeded task's output. `search` is built by the writer
-- (write-sql.ts) from the name's words (weight A), the kind (B), the file path's segments (C) and
-- the signature's words (D), all with the `simple` configuration (no stemming, no stop words).
CREATE TABLE symbols (
  task_id    text     NOT NULL,
  ordinal    integer  NOT NULL,
  client_id  text     NOT NULL,
  kind       text     NOT NULL,
  name       text     NOT NULL,
  file       text     NOT NULL,
  start_line integer  NOT NULL,
  end_line   integer  NOT NULL,
  signature  text     NOT NULL,
  language   text     NOT NULL,
  search     tsvector NOT NULL,
  CONSTRAINT symbols_pkey PRIMARY KEY (task_id, ordinal),
  CONSTRAINT symbols_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks (id)
    ON DELETE CASCADE ON UPDATE CASCADE
);

CREATE INDEX symbols_search_idx ON symbols USING gin (search);
-- A client's symbols (search scoped to one client).
CREATE INDEX symbols_client_id_idx ON symbols (client_id);
