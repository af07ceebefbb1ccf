import { DEFAULT_SCAN_EXCLUDES } from '@contextforge/contracts';
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';

const BLOCK = 512;

/** Directory names the repository scan excludes by default (`**\/<name>/**`): not worth uploading. */
export const UPLOAD_EXCLUDED_DIRECTORIES: ReadonlySet<string> = new Set(
  DEFAULT_SCAN_EXCLUDES.flatMap((glob) => {
    const match = /^\*\*\/([^*/?]+)\/\*\*$/.exec(glob);
    return match?.[1] ? [match[1]] : [];
  }),
);

export interface PackStats {
  files: number;
  bytes: number;
  /** Entries left out: symbolic links, devices, sockets, FIFOs (the gateway refuses them). */
  skipped: string[];
}

/**
 * The directory `root` as a gzip-compressed tar stream (POSIX ustar; pax `path` records for names
 * longer than ustar allows), for `analyze --upload`. Holds regular files and directories only,
 * with `/`-separated paths relative to `root`, sorted; leaves out the directories the scan
 * excludes by default (.git, node_modules, dist, ...) and whatever is not a regular file or a
 * directory (listed in `stats.skipped`). Each file is read whole before its header is written, so
 * a file that changes meanwhile cannot corrupt the archive. `stats` is complete when the stream
 * has ended.
 *
 * Left out: modes, owners and times (the gateway ignores them), files above 8 GiB.
 */
export function packDirectory(root: string): { stream: Readable; stats: PackStats } {
  const stats: PackStats = { files: 0, bytes: 0, skipped: [] };
  const tar = Readable.from(tarBlocks(root, stats), { objectMode: false });
  const gzip = createGzip();
  tar.on('error', (error) => gzip.destroy(error));
  return { stream: tar.pipe(gzip), stats };
}

async function* tarBlocks(root: string, stats: PackStats): AsyncGenerator<Buffer> {
  const pending: string[] = [''];
  while (pending.length > 0) {
    const directory = pending.shift() as string;
    const entries: Dirent[] = await readdir(join(root, directory), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirectories: string[] = [];
    for (const entry of entries) {
      const path = directory === '' ? entry.name : `${directory}/${entry.name}`;
      if (entry.isDirectory()) {
        if (UPLOAD_EXCLUDED_DIRECTORIES.has(entry.name)) continue;
        yield* entryBlocks(`${path}/`, '5', 0);
        subdirectories.push(path);
      } else if (entry.isFile()) {
        const content = await readFile(join(root, path));
        yield* entryBlocks(path, '0', content.length);
        yield content;
        const padding = (BLOCK - (content.length % BLOCK)) % BLOCK;
        if (padding > 0) yield Buffer.alloc(padding);
        stats.files += 1;
        stats.bytes += content.length;
      } else {
        stats.skipped.push(path);
      }
    }
    pending.unshift(...subdirectories);
  }
  yield Buffer.alloc(2 * BLOCK);
}

/** The header of one entry, preceded by a pax header when the name does not fit ustar's fields. */
function* entryBlocks(name: string, type: '0' | '5', size: number): Generator<Buffer> {
  const split = splitUstarName(name);
  if (split === undefined) {
    const record = paxRecord('path', name);
    yield header('PaxHeader', 'x', record.length);
    yield record;
    const padding = (BLOCK - (record.length % BLOCK)) % BLOCK;
    if (padding > 0) yield Buffer.alloc(padding);
  }
  yield header(split?.name ?? name.slice(-100), type, size, split?.prefix ?? '');
}

/** ustar's name (100 bytes) and prefix (155 bytes, split at a `/`), or undefined when it does not fit. */
function splitUstarName(name: string): { name: string; prefix: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let index = name.indexOf('/'); index !== -1; index = name.indexOf('/', index + 1)) {
    const prefix = name.slice(0, index);
    const rest = name.slice(index + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') {
      return { name: rest, prefix };
    }
  }
  return undefined;
}

/** "<length> key=value\n", where the length counts itself. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body);
  while (String(length).length + Buffer.byteLength(body) !== length) {
    length = String(length).length + Buffer.byteLength(body);
  }
  return Buffer.from(`${length}${body}`);
}

function header(name: string, type: string, size: number, prefix = ''): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'utf8');
  block.write(type === '5' ? '0000755\0' : '0000644\0', 100);
  block.write('0000000\0', 108);
  block.write('0000000\0', 116);
  block.write(`${size.toString(8).padStart(11, '0')}\0`, 124);
  block.write('00000000000\0', 136);
  block.write('        ', 148);
  block.write(type, 156);
  block.write('ustar\0', 257);
  block.write('00', 263);
  block.write(prefix, 345, 155, 'utf8');
  const sum = block.reduce((total, byte) => total + byte, 0);
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return block;
}
