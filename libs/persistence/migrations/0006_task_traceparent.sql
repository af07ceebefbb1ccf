-- The W3C trace context a task was submitted in (Task.traceparent): a scheduler that adopts the
-- task after a restart or a change of leader, or a re-drive, continues the submission's trace.
ALTER TABLE tasks ADD COLUMN traceparent text;
