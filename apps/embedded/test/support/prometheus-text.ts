/** One sample of a Prometheus text exposition. */
export interface Series {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Every sample of a Prometheus text exposition (comments and blank lines skipped). */
export function parseExposition(text: string): Series[] {
  const series: Series[] = [];
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match?.[1] || match[3] === undefined) continue;
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((pair) => [pair[1], pair[2]]),
    );
    series.push({ name: match[1], labels, value: Number(match[3]) });
  }
  return series;
}

/** Whether a sample is of `name` and carries every label of `labels`. */
export function matches(entry: Series, name: string, labels: Record<string, string>): boolean {
  return entry.name === name && Object.entries(labels).every(([key, value]) => entry.labels[key] === value);
}
