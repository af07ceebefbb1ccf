import { AppError } from '@contextforge/contracts';
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export interface ExtractLimits {
  /** Most entries (files and directories) an archive may hold. */
  maxEntries: number;
  /** Most bytes of file content, summed over the archive. */
  maxBytes: number;
}

export interface ExtractReport {
  files: number;
  bytes: number;
}

const BLOCK = 512;

/**
 * Unpacks a tar stream (ustar, with GNU long names `L` and pax `x` path records) into `target`,
 * a fresh empty directory. Only regular files and directories are written; anything else
 * (symbolic and hard links, devices, FIFOs), an absolute path, a `..` segment, a NUL in a name, a
 * truncated archive or one above `limits` is refused with VALIDATION_FAILED (PAYLOAD_TOO_LARGE
 * for the limits) before anything outside `target` could be touched: names are checked before a
 * file is opened, and no link is ever created, so no path can lead out of `target`.
 *
 * Left out: file modes, owners and times (files are written 0644), sparse files and sizes above
 * 8 GiB (base-256 sizes are refused).
 */
export async function extractTar(
  source: AsyncIterable<Buffer>,
  target: string,
  limits: ExtractLimits,
): Promise<ExtractReport> {
  const report: ExtractReport = { files: 0, bytes: 0 };
  let pending: Buffer = Buffer.alloc(0);
  let entries = 0;
  let ended = false;
  /** The entry whose content is being read. */
  let current: { handle: FileHandle | undefined; remaining: number; padding: number } | undefined;
  /** A name for the next entry from a GNU `L` or pax `x` record. */
  let longName: string | undefined;
  /** Content of an `L`/`x` record being collected. */
  let meta: { type: 'L' | 'x'; remaining: number; padding: number; chunks: Buffer[] } | undefined;

  try {
    for await (const chunk of source) {
      if (ended) continue;
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        if (current) {
          if (current.remaining > 0) {
            if (pending.length === 0) break;
            const part = pending.subarray(0, Math.min(current.remaining, pending.length));
            if (current.handle) await current.handle.write(part);
            current.remaining -= part.length;
            pending = pending.subarray(part.length);
            continue;
          }
          if (pending.length < current.padding) break;
          pending = pending.subarray(current.padding);
          await current.handle?.close();
          current = undefined;
          continue;
        }
        if (meta) {
          const need = meta.remaining + meta.padding;
          if (pending.length < need) break;
          meta.chunks.push(pending.subarray(0, meta.remaining));
          pending = pending.subarray(need);
          const text = Buffer.concat(meta.chunks).toString('utf8');
          longName = meta.type === 'L' ? text.replace(/\0.*$/s, '') : (paxPath(text) ?? longName);
          meta = undefined;
          continue;
        }
        if (pending.length < BLOCK) break;
        const header = pending.subarray(0, BLOCK);
        pending = pending.subarray(BLOCK);
        if (header.every((byte) => byte === 0)) {
          ended = true;
          break;
        }
        checkChecksum(header);
        const type = String.fromCharCode(header[156] ?? 0);
        const size = octal(header, 124, 12);
        const padding = (BLOCK - (size % BLOCK)) % BLOCK;
        if (type === 'L' || type === 'x') {
          if (size > 64 * 1024) throw invalid('an extended header is too large');
          meta = { type, remaining: size, padding, chunks: [] };
          continue;
        }
        if (type === 'g') {
          current = { handle: undefined, remaining: size, padding };
          continue;
        }
        const name = longName ?? headerName(header);
        longName = undefined;
        entries += 1;
        if (entries > limits.maxEntries) {
          throw new AppError('PAYLOAD_TOO_LARGE', `the archive has more than ${limits.maxEntries} entries`);
        }
        const path = safePath(name);
        if (type === '5') {
          if (path !== '') await mkdir(join(target, path), { recursive: true });
          current = { handle: undefined, remaining: size, padding };
          continue;
        }
        if (type !== '0' && type !== '\0' && type !== '7') {
          throw invalid(
            `entry ${JSON.stringify(name)} is not a regular file or directory (type ${JSON.stringify(type)})`,
          );
        }
        if (path === '') throw invalid('a file entry has an empty name');
        report.bytes += size;
        if (report.bytes > limits.maxBytes) {
          throw new AppError(
            'PAYLOAD_TOO_LARGE',
            `the archive unpacks to more than ${limits.maxBytes} bytes`,
          );
        }
        const file = join(target, path);
        await mkdir(join(file, '..'), { recursive: true });
        current = { handle: await open(file, 'w', 0o644), remaining: size, padding };
        report.files += 1;
      }
    }
    if (!ended || current || meta) throw invalid('the archive is truncated');
    return report;
  } finally {
    await current?.handle?.close().catch(() => undefined);
  }
}

function invalid(message: string): AppError {
  return new AppError('VALIDATION_FAILED', `invalid archive: ${message}`, {
    details: { issues: [{ path: 'body', message }] },
  });
}

function field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? length : end).toString('utf8');
}

function octal(header: Buffer, offset: number, length: number): number {
  if (((header[offset] ?? 0) & 0x80) !== 0) throw invalid('base-256 sizes (above 8 GiB) are not supported');
  const text = field(header, offset, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) throw invalid(`a header number is not octal: ${JSON.stringify(text)}`);
  return parseInt(text, 8);
}

function checkChecksum(header: Buffer): void {
  const expected = octal(header, 148, 8);
  let sum = 0;
  for (let index = 0; index < BLOCK; index += 1) {
    sum += index >= 148 && index < 156 ? 0x20 : (header[index] as number);
  }
  if (sum !== expected) throw invalid('a header checksum does not match (not a tar archive?)');
}

function headerName(header: Buffer): string {
  const name = field(header, 0, 100);
  const magic = field(header, 257, 6);
  const prefix = magic.startsWith('ustar') ? field(header, 345, 155) : '';
  return prefix ? `${prefix}/${name}` : name;
}

/** The `path` record of a pax extended header ("<length> path=<value>\n" records). */
function paxPath(text: string): string | undefined {
  let rest = text;
  while (rest.length > 0) {
    const space = rest.indexOf(' ');
    const length = Number(rest.slice(0, space));
    if (space <= 0 || !Number.isInteger(length) || length <= space) return undefined;
    const record = Buffer.from(rest).subarray(0, length).toString('utf8');
    const [key, ...value] = record.slice(space + 1, -1).split('=');
    if (key === 'path') return value.join('=');
    rest = Buffer.from(rest).subarray(length).toString('utf8');
  }
  return undefined;
}

/** The entry's path relative to the target, or a VALIDATION_FAILED naming why it is refused. */
function safePath(name: string): string {
  if (name.includes('\0')) throw invalid('an entry name contains NUL');
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name) || name.includes('\\')) {
    throw invalid(`entry ${JSON.stringify(name)} has an absolute or non-POSIX path`);
  }
  const segments = name.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) throw invalid(`entry ${JSON.stringify(name)} leaves the archive's directory`);
  return segments.join('/');
}
