import type { Express } from 'express';
import { listen } from '../../src';

export interface ServedApp {
  url: string;
  close(): Promise<void>;
}

/** Serves `app` with the lib's own `listen` on a free loopback port. */
export async function serveApp(app: Express): Promise<ServedApp> {
  const server = await listen(app, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${server.port}`, close: () => server.close() };
}

/** A logger destination that keeps each JSON line, to check what was logged (and what was not sent). */
export class LogLines {
  readonly lines: Array<Record<string, unknown>> = [];
  write(line: string): void {
    this.lines.push(JSON.parse(line) as Record<string, unknown>);
  }
}
