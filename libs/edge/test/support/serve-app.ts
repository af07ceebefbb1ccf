import { AppError, ERROR_CODES } from '@contextforge/contracts';
import express, { type ErrorRequestHandler, type Express } from 'express';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServedApp {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The common error shape (docs/api/errors.md) as libs/http-kit's errorHandler writes it; edge may
 * not depend on http-kit, so its tests carry this small copy.
 */
const errorShape: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
  if (res.headersSent) {
    res.end();
    return;
  }
  const known = error instanceof AppError ? error : new AppError('INTERNAL', 'internal error');
  res.status(ERROR_CODES[known.code].http).json({
    error: { code: known.code, message: known.message, ...(known.details ? { details: known.details } : {}) },
  });
};

/** An Express app built by `setup`, with the common error handler, on a free loopback port. */
export async function serveApp(setup: (app: Express) => void): Promise<ServedApp> {
  const app = express();
  setup(app);
  app.use(errorShape);
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
