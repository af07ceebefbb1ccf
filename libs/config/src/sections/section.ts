import { z } from 'zod';

/**
 * A YAML mapping with exactly these keys (unknown keys are errors, so typos do not pass) whose
 * absence means "all defaults".
 */
export function section<Shape extends z.ZodRawShape>(shape: Shape) {
  // Every key has a default or is optional, so {} is a valid input (TypeScript cannot see that).
  return z.strictObject(shape).prefault({} as never);
}

/** Drops keys whose value is undefined, so optional settings that were not written are absent. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
