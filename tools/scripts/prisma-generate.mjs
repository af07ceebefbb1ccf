#!/usr/bin/env node
// Generates the Prisma client of libs/persistence into libs/persistence/src/generated/prisma
// (gitignored). `npm run generate` runs it, and so do `npm test` and the persistence tests'
// Jest globalSetup, so it must be cheap when nothing changed: it does nothing while the generated
// client is newer than the schema. `--force` regenerates anyway.
//
// Usage: node tools/scripts/prisma-generate.mjs [--force]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const schema = join(root, 'libs/persistence/prisma/schema.prisma');
const generatedEntry = join(root, 'libs/persistence/src/generated/prisma/client.ts');
const force = process.argv.includes('--force');

if (!force && existsSync(generatedEntry) && statSync(generatedEntry).mtimeMs > statSync(schema).mtimeMs) {
  console.log('prisma-generate: client is up to date');
  process.exit(0);
}

const env = { ...process.env, CHECKPOINT_DISABLE: '1', PRISMA_HIDE_UPDATE_MESSAGE: '1' };

// WORK-AROUND (see ENVIRONMENT.md, "Prisma 7"): the Prisma CLI insists on a schema-engine binary
// even for `generate`, which never runs it, and downloads one when it finds none; that download
// is impossible on machines without internet access. Pointing PRISMA_SCHEMA_ENGINE_BINARY at any
// existing file satisfies the check. Only done when no real engine is present, so machines that
// have one (and `prisma migrate`, which does need it) are unaffected. Remove this block once the
// CLI stops requiring the engine for `generate`.
if (!hasSchemaEngine()) {
  const placeholder = join(tmpdir(), 'contextforge-prisma', 'schema-engine-placeholder');
  mkdirSync(dirname(placeholder), { recursive: true });
  writeFileSync(
    placeholder,
    '#!/bin/sh\necho "placeholder: no Prisma schema engine on this machine" >&2\nexit 1\n',
    {
      mode: 0o755,
    },
  );
  env.PRISMA_SCHEMA_ENGINE_BINARY = placeholder;
}

const prismaCli = createRequire(import.meta.url).resolve('prisma/build/index.js');
const run = spawnSync(process.execPath, [prismaCli, 'generate', '--schema', schema], {
  cwd: root,
  env,
  stdio: 'inherit',
});
process.exit(run.status ?? 1);

/** A usable engine: named by the environment, installed beside the CLI, or in Prisma's cache. */
function hasSchemaEngine() {
  const configured = process.env.PRISMA_SCHEMA_ENGINE_BINARY;
  if (configured) return existsSync(resolve(root, configured));
  const places = [join(root, 'node_modules/@prisma/engines'), join(root, 'node_modules/prisma')];
  if (places.some((dir) => listDir(dir).some((name) => name.startsWith('schema-engine-')))) return true;
  // Prisma's download cache: ~/.cache/prisma/master/<engine hash>/<platform>/schema-engine-<platform>
  const cache = join(homedir(), '.cache/prisma/master');
  return listDir(cache).some((hash) =>
    listDir(join(cache, hash)).some((platform) =>
      listDir(join(cache, hash, platform)).some((name) => name.startsWith('schema-engine')),
    ),
  );
}

function listDir(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
