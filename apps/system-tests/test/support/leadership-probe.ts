/** What a scheduler replica says about itself on GET /leadership. */
export interface LeadershipStatus {
  lease: string;
  holder: string;
  leading: boolean;
}

export async function leadershipOf(url: string): Promise<LeadershipStatus | undefined> {
  try {
    const response = await fetch(`${url}/leadership`, { signal: AbortSignal.timeout(2_000) });
    if (response.status !== 200) {
      await response.body?.cancel();
      return undefined;
    }
    return (await response.json()) as LeadershipStatus;
  } catch {
    return undefined;
  }
}

/**
 * Samples every replica's /leadership answer about every `intervalMs` until stopped, recording
 * which replicas claimed to lead at each sample. A replica that does not answer (killed, paused)
 * counts as not leading.
 */
export class LeadershipSampler {
  readonly samples: Array<{ at: number; leaders: string[] }> = [];
  private running = true;
  private readonly loop: Promise<void>;

  constructor(
    private readonly urls: Record<string, string>,
    intervalMs = 100,
  ) {
    this.loop = this.run(intervalMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** Replicas that claimed to lead at some sample taken in [from, to). */
  leadersBetween(from: number, to: number): string[] {
    const names = this.samples
      .filter((sample) => sample.at >= from && sample.at < to)
      .flatMap((sample) => sample.leaders);
    return [...new Set(names)];
  }

  private async run(intervalMs: number): Promise<void> {
    while (this.running) {
      const at = Date.now();
      const answers = await Promise.all(
        Object.entries(this.urls).map(async ([name, url]) => ({ name, status: await leadershipOf(url) })),
      );
      this.samples.push({
        at,
        leaders: answers.filter((answer) => answer.status?.leading).map((answer) => answer.name),
      });
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
