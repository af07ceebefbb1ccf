import { AppError } from '@contextforge/contracts';

/**
 * Loads the generated Prisma client (libs/persistence/src/generated/prisma, gitignored) on first
 * use, so that importing this library costs nothing for the memory adapter. A missing client is a
 * build problem, reported as such.
 */
export async function loadGeneratedClient(): Promise<typeof import('../generated/prisma/client')> {
  try {
    return await import('../generated/prisma/client');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
      throw new AppError(
        'INTERNAL',
        `the Prisma client is not generated (run \`npm run generate\`): ${(error as Error).message}`,
        {
          retryable: false,
          cause: error,
        },
      );
    }
    throw error;
  }
}
