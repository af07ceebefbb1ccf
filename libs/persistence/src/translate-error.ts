import { AppError } from '@contextforge/contracts';

/**
 * Turns whatever Prisma, its pg driver adapter, `pg` or the socket layer threw into an AppError,
 * so nothing above the adapter sees database error types:
 *
 * - the database cannot be reached, refused or dropped the connection, is starting up or shutting
 *   down, has no free connection, or rejected our credentials/database name -> SERVICE_UNAVAILABLE
 *   (retryable: the bus redelivers, the gateway answers 503);
 * - AppErrors pass through unchanged;
 * - anything else -> INTERNAL, keeping the original as `cause` for the log.
 *
 * Messages name the operation and a short reason (the SQLSTATE and the server's message for
 * INTERNAL), never SQL text or Prisma's call-site excerpts.
 */
export function translateError(error: unknown, operation: string): AppError {
  if (error instanceof AppError) return error;
  const chain = causeChain(error);
  for (const link of chain) {
    const reason = unavailableReason(link);
    if (reason) {
      return new AppError('SERVICE_UNAVAILABLE', `database unavailable (${reason}) during ${operation}`, {
        details: { operation, reason },
        cause: error,
      });
    }
  }
  const code = firstField(chain, 'originalCode') ?? firstField(chain, 'code');
  const databaseMessage = firstField(chain, 'originalMessage') ?? postgresMessage(chain);
  const summary = [code, databaseMessage].filter((part) => part !== undefined).join(': ');
  return new AppError('INTERNAL', `database error during ${operation}${summary ? ` (${summary})` : ''}`, {
    details: { operation, ...(code ? { code } : {}) },
    cause: error,
  });
}

function firstField(chain: readonly object[], key: string): string | undefined {
  return chain.map((link) => stringField(link, key)).find((value) => value !== undefined);
}

/** The message of a Postgres server error (pg's DatabaseError has a severity): no SQL text in it. */
function postgresMessage(chain: readonly object[]): string | undefined {
  const serverError = chain.find((link) => stringField(link, 'severity') !== undefined);
  return serverError ? stringField(serverError, 'message') : undefined;
}

/** Prisma error codes for "could not talk to the database" (P1xxx) and pool/transaction timeouts. */
const PRISMA_UNAVAILABLE = new Set(['P1001', 'P1002', 'P1003', 'P1008', 'P1010', 'P1011', 'P1017', 'P2024']);
/** Kinds of @prisma/driver-adapter-utils errors that mean the same. */
const ADAPTER_UNAVAILABLE = new Set([
  'DatabaseNotReachable',
  'ConnectionClosed',
  'SocketTimeout',
  'TooManyConnections',
  'TlsConnectionError',
  'DatabaseDoesNotExist',
  'DatabaseAccessDenied',
  'AuthenticationFailed',
]);
/** Node socket errors. */
const SOCKET_UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);
/** Errors `pg` raises without a code. */
const MESSAGE_UNAVAILABLE =
  /connection terminated|connection error|too many connections|timeout exceeded when trying to connect|cannot use a pool after calling end|client was closed/i;

function unavailableReason(link: object): string | undefined {
  const kind = stringField(link, 'kind');
  if (kind && ADAPTER_UNAVAILABLE.has(kind)) return kind;
  for (const code of [stringField(link, 'code'), stringField(link, 'originalCode')]) {
    if (code === undefined) continue;
    if (PRISMA_UNAVAILABLE.has(code) || SOCKET_UNAVAILABLE.has(code)) return code;
    // SQLSTATE 08 connection exception, 53 insufficient resources, 57P0x shutdown/starting up,
    // 28 invalid authorization, 3D000 unknown database.
    if (
      /^(08|53)[0-9A-Z]{3}$/.test(code) ||
      /^57P0[1-4]$/.test(code) ||
      /^28[0-9A-Z]{3}$/.test(code) ||
      code === '3D000'
    ) {
      return code;
    }
  }
  const message = stringField(link, 'message');
  const match = message === undefined ? null : MESSAGE_UNAVAILABLE.exec(message);
  return match ? match[0].toLowerCase() : undefined;
}

/** The error, its `cause`s and Prisma's `meta.driverAdapterError` (bounded, cycle-safe). */
function causeChain(error: unknown): object[] {
  const chain: object[] = [];
  const queue: unknown[] = [error];
  while (queue.length > 0 && chain.length < 10) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null || chain.includes(next)) continue;
    chain.push(next);
    const record = next as Record<string, unknown>;
    queue.push(record['cause']);
    const meta = record['meta'];
    if (typeof meta === 'object' && meta !== null)
      queue.push((meta as Record<string, unknown>)['driverAdapterError']);
    const errors = record['errors'];
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return chain;
}

function stringField(value: object, key: string): string | undefined {
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' ? field : undefined;
}
