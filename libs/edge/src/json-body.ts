import { AppError } from '@contextforge/contracts';
import type { RequestHandler } from 'express';
import type { IncomingMessage } from 'node:http';
import type { Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, type Zlib } from 'node:zlib';

export interface JsonBodyOptions {
  /** Largest body in bytes, counted after decompression (config `network.body_limit`). */
  limitBytes: number;
  /**
   * Refuse a compressed body once its decoded size passes this multiple of the compressed bytes
   * the decoder has consumed (checked after the first MiB decoded). Unset: only `limitBytes`
   * applies.
   */
  maxInflateRatio?: number;
  /** Called with the size of every decoded chunk as it arrives (instrumentation, tests). */
  onDecodedChunk?: (bytes: number) => void;
}

const RATIO_CHECK_AFTER_BYTES = 1024 * 1024;

/**
 * Express middleware that reads a JSON body into `req.body`, in place of express.json, for routes
 * that take one.
 *
 * - The Content-Type must be `application/json` (charset, if given, utf-8); anything else,
 *   including no Content-Type, is 415 UNSUPPORTED_MEDIA_TYPE before the body is read.
 * - Content-Encoding `gzip`, `deflate`, `br` or `identity` (or none); any other (also a list of
 *   several) is 415.
 * - A Content-Length above the limit is 413 PAYLOAD_TOO_LARGE before anything is read. Then
 *   bytes are counted after decompression while they stream: the moment the count passes the
 *   limit, reading and inflating stop and the answer is 413, so a small gzip "bomb" is never
 *   inflated beyond the limit plus one decoder chunk (16 KiB). Responses to a body that was
 *   cut off carry `Connection: close`: the unread rest is not drained.
 * - An empty body is `{}` (as express.json); otherwise any JSON value; invalid JSON or a corrupt
 *   compressed stream is 400 MALFORMED_JSON.
 *
 * Errors are AppErrors passed to `next` (the common error handler answers them).
 */
export function jsonBody(options: JsonBodyOptions): RequestHandler {
  return (req, res, next) => {
    readJsonBody(req, options).then(
      (body) => {
        req.body = body;
        next();
      },
      (error: unknown) => {
        if (!req.complete) res.setHeader('Connection', 'close');
        next(error);
      },
    );
  };
}

/** The body of `req` parsed as JSON under the rules of `jsonBody`. */
export async function readJsonBody(req: IncomingMessage, options: JsonBodyOptions): Promise<unknown> {
  checkContentType(req.headers['content-type']);
  const decoder = createDecoder(req.headers['content-encoding']);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.limitBytes) {
    throw tooLarge(options.limitBytes);
  }
  const text = (await readDecoded(req, decoder, options)).toString('utf8');
  if (text === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError('MALFORMED_JSON', `the body is not valid JSON: ${(error as Error).message}`);
  }
}

function checkContentType(header: string | undefined): void {
  const [type = '', ...parameters] = (header ?? '').split(';');
  if (type.trim().toLowerCase() !== 'application/json') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'the body must be application/json');
  }
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=');
    const charset = value.trim().replace(/^"|"$/g, '').toLowerCase();
    if (name.trim().toLowerCase() === 'charset' && charset !== 'utf-8' && charset !== 'utf8') {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `the body must be UTF-8, not ${charset}`);
    }
  }
}

function createDecoder(header: string | undefined): (Transform & Zlib) | undefined {
  const encoding = (header ?? 'identity').trim().toLowerCase();
  switch (encoding) {
    case '':
    case 'identity':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      throw new AppError(
        'UNSUPPORTED_MEDIA_TYPE',
        `Content-Encoding ${JSON.stringify(encoding)} is not supported (gzip, deflate, br, identity)`,
      );
  }
}

function readDecoded(
  req: IncomingMessage,
  decoder: (Transform & Zlib) | undefined,
  options: JsonBodyOptions,
): Promise<Buffer> {
  const { limitBytes, maxInflateRatio, onDecodedChunk } = options;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let decoded = 0;
    let settled = false;
    const output = decoder ?? req;

    const finish = (error: AppError | undefined) => {
      if (settled) return;
      settled = true;
      req.off('aborted', onAborted);
      req.off('error', onAborted);
      output.off('data', onData);
      output.off('end', onEnd);
      output.off('error', onDecodeError);
      if (error) {
        chunks.length = 0;
        // Stop reading and inflating at once; the rest of the body is never looked at.
        if (decoder) {
          req.unpipe(decoder);
          decoder.destroy();
        }
        req.pause();
        reject(error);
        return;
      }
      resolve(Buffer.concat(chunks, decoded));
    };
    const onData = (chunk: Buffer) => {
      if (settled) return;
      decoded += chunk.length;
      onDecodedChunk?.(chunk.length);
      if (decoded > limitBytes) {
        finish(tooLarge(limitBytes));
        return;
      }
      if (
        decoder &&
        maxInflateRatio !== undefined &&
        decoded > RATIO_CHECK_AFTER_BYTES &&
        decoded > decoder.bytesWritten * maxInflateRatio
      ) {
        finish(
          new AppError('PAYLOAD_TOO_LARGE', `the body inflates more than ${maxInflateRatio} times; refused`, {
            details: { maxInflateRatio },
          }),
        );
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish(undefined);
    const onAborted = () =>
      finish(new AppError('VALIDATION_FAILED', 'the request was aborted before its body ended'));
    const onDecodeError = (error: Error) =>
      finish(new AppError('MALFORMED_JSON', `the body could not be decoded: ${error.message}`));

    req.on('aborted', onAborted);
    req.on('error', onAborted);
    output.on('error', onDecodeError);
    output.on('end', onEnd);
    if (decoder) {
      req.pipe(decoder);
    }
    output.on('data', onData);
  });
}

function tooLarge(limitBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `the body is larger than the limit of ${limitBytes} bytes`, {
    details: { limitBytes },
  });
}
