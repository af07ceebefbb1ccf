import { open } from 'node:fs/promises';

/**
 * The last `lines` lines of a log file (reads at most the last 64 KiB), for error messages.
 * A missing or unreadable file yields a note instead of throwing: it is only ever used to
 * explain another failure.
 */
export async function tailFile(path: string, lines = 40): Promise<string> {
  try {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const length = Math.min(size, 64 * 1024);
      const buffer = Buffer.alloc(length);
      await file.read(buffer, 0, length, size - length);
      const text = buffer.toString('utf8').replace(/\n$/, '');
      return text.split('\n').slice(-lines).join('\n');
    } finally {
      await file.close();
    }
  } catch (error) {
    return `(no log at ${path}: ${error instanceof Error ? error.message : String(error)})`;
  }
}
