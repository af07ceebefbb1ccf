import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { GENERATED_DIR, generateGrpcTypes, listFiles } from './grpc-codegen';

describe('generated gRPC types', () => {
  it('match a fresh generation from the proto file (run grpc-codegen.ts if not)', async () => {
    const fresh = await mkdtemp(join(tmpdir(), 'grpc-fresh-'));
    try {
      await generateGrpcTypes(fresh);
      const freshFiles = (await listFiles(fresh)).map((file) => relative(fresh, file));
      const committed = (await listFiles(GENERATED_DIR)).map((file) => relative(GENERATED_DIR, file));
      expect(committed).toEqual(freshFiles);
      for (const file of freshFiles) {
        expect(await readFile(join(GENERATED_DIR, file), 'utf8')).toBe(
          await readFile(join(fresh, file), 'utf8'),
        );
      }
    } finally {
      await rm(fresh, { recursive: true, force: true });
    }
  }, 60_000);
});
