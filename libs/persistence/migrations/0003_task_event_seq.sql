-- Per-task event sequence numbers (libs/contracts/src/task-stream.ts): every applied event of a task
-- is numbered 1, 2, 3, ... without gaps, under the task's row lock; ignored events get no number.
-- tasks.event_seq is the task's latest number (TaskView.eventSeq).

ALTER TABLE tasks ADD COLUMN event_seq integer NOT NULL DEFAULT 0;
ALTER TABLE task_events ADD COLUMN seq integer;

-- Backfill: number the applied events already stored in the order they were stored. Events of one
-- batch share created_at; their own `at` and then the id order them (the best the old rows allow).
WITH numbered AS (
  SELECT id, row_number() OVER (
    PARTITION BY task_id ORDER BY created_at, payload ->> 'at', id
  ) AS seq
  FROM task_events
  WHERE outcome = 'applied'
)
UPDATE task_events AS e SET seq = numbered.seq FROM numbered WHERE e.id = numbered.id;

UPDATE tasks AS t SET event_seq = latest.seq
FROM (SELECT task_id, max(seq) AS seq FROM task_events GROUP BY task_id) AS latest
WHERE t.id = latest.task_id AND latest.seq IS NOT NULL;

ALTER TABLE tasks ADD CONSTRAINT tasks_event_seq_check CHECK (event_seq >= 0);
-- Applied events have a number and ignored ones do not.
ALTER TABLE task_events ADD CONSTRAINT task_events_seq_check CHECK ((seq IS NOT NULL) = (outcome = 'applied'));

-- One event per number and task; also serves "events of a task after seq N" (stream resume).
-- NULLs (ignored events) never conflict.
CREATE UNIQUE INDEX task_events_task_id_seq_key ON task_events (task_id, seq);
-- Tasks finished in a trailing window (task metrics).
CREATE INDEX tasks_finished_at_idx ON tasks (finished_at);
