import {
  AppError,
  DEFAULT_REPO_JOB_TIMEOUT_MS,
  REPO_JOB_TASK_TYPES,
  RepoAnalysisInputSchema,
  RepositoryArchiveQuerySchema,
  RepositoryJobRequestSchema,
  TaskSubmissionSchema,
  parseOrThrow,
  repositoryRootProblem,
  type Principal,
  type RepositoryJobRequest,
  type ResultStoreApi,
  type SubmitOutcome,
} from '@contextforge/contracts';
import { randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extractTar } from './extract-tar';

/**
 * Where and how much the gateway unpacks uploaded repositories. The workspace must be readable by
 * the agents at the same path: the embedded mode shares the machine; in a cluster it is a volume
 * mounted at the same path on the gateways and on the agents that run repo-scan and repo-chunk.
 */
export interface RepositoryJobSettings {
  /** One new directory per upload is made here (default `.contextforge/workspace`, from the cwd). */
  workspaceDir: string;
  /** Largest compressed upload (default 100 MiB; startGateway passes network.body_limit). */
  maxArchiveBytes: number;
  /** Largest unpacked size (default 1 GiB) and number of entries (default 100,000). */
  maxExtractedBytes: number;
  maxEntries: number;
}

export const DEFAULT_REPOSITORY_JOB_SETTINGS: RepositoryJobSettings = {
  workspaceDir: '.contextforge/workspace',
  maxArchiveBytes: 100 * 1024 * 1024,
  maxExtractedBytes: 1024 * 1024 * 1024,
  maxEntries: 100_000,
};

type JobOptions = Omit<RepositoryJobRequest, 'source'>;

/** Use case 1 for the gateway: repository jobs from a path or from an uploaded .tar.gz. */
export class RepositoryJobs {
  private readonly settings: RepositoryJobSettings;

  constructor(
    private readonly resultStore: Pick<ResultStoreApi, 'submit'>,
    settings: Partial<RepositoryJobSettings> = {},
  ) {
    this.settings = { ...DEFAULT_REPOSITORY_JOB_SETTINGS, ...settings };
  }

  async submitPath(principal: Principal, request: unknown): Promise<SubmitOutcome> {
    const { source, ...options } = parseOrThrow(RepositoryJobRequestSchema, request, 'repository job');
    const problem = repositoryRootProblem(source.path);
    if (problem) {
      throw new AppError('VALIDATION_FAILED', `source.path ${problem}`, {
        details: { issues: [{ path: 'source.path', message: problem }] },
      });
    }
    return this.submit(principal, source.path, options);
  }

  /**
   * Unpacks `archive` (gzip-compressed tar) into a new workspace directory and submits the job
   * over it. A refused archive leaves nothing behind.
   */
  async submitArchive(
    principal: Principal,
    archive: AsyncIterable<Uint8Array>,
    query: unknown,
  ): Promise<SubmitOutcome> {
    const options = parseOrThrow(RepositoryArchiveQuerySchema, query ?? {}, 'query');
    const directory = resolve(this.settings.workspaceDir, randomUUID());
    await mkdir(directory, { recursive: true });
    try {
      await extractTar(this.gunzip(archive), directory, {
        maxBytes: this.settings.maxExtractedBytes,
        maxEntries: this.settings.maxEntries,
      });
    } catch (error) {
      await rm(directory, { recursive: true, force: true });
      if (error instanceof AppError) throw error;
      throw new AppError('VALIDATION_FAILED', `invalid archive: ${(error as Error).message}`, {
        details: { issues: [{ path: 'body', message: 'not a gzip-compressed tar archive' }] },
      });
    }
    return this.submit(principal, directory, options);
  }

  private async submit(principal: Principal, root: string, options: JobOptions): Promise<SubmitOutcome> {
    const { priority, maxAttempts, idempotencyKey, ...jobInput } = options;
    const input = parseOrThrow(RepoAnalysisInputSchema, { root, ...jobInput }, 'repository job');
    const submission = parseOrThrow(
      TaskSubmissionSchema,
      {
        type: REPO_JOB_TASK_TYPES.job,
        input,
        // The job's overall deadline: it ends failed, naming the chunks still missing, after this.
        timeoutMs: DEFAULT_REPO_JOB_TIMEOUT_MS,
        ...(priority === undefined ? {} : { priority }),
        ...(maxAttempts === undefined ? {} : { maxAttempts }),
        ...(idempotencyKey === undefined ? {} : { idempotencyKey }),
      },
      'repository job',
    );
    return this.resultStore.submit(submission, principal.id);
  }

  /** The decompressed archive; more than maxArchiveBytes compressed is PAYLOAD_TOO_LARGE. */
  private gunzip(archive: AsyncIterable<Uint8Array>): AsyncIterable<Buffer> {
    const limit = this.settings.maxArchiveBytes;
    async function* counted() {
      let bytes = 0;
      for await (const chunk of archive) {
        bytes += chunk.length;
        if (bytes > limit)
          throw new AppError('PAYLOAD_TOO_LARGE', `the archive is larger than ${limit} bytes`);
        yield chunk;
      }
    }
    const gunzip = createGunzip();
    const input = Readable.from(counted());
    input.on('error', (error) => gunzip.destroy(error));
    return input.pipe(gunzip);
  }
}
