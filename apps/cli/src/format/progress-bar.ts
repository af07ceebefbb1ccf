export interface ProgressState {
  done: number;
  /** Unknown while the job has not said how much there is. */
  total?: number;
  message?: string;
}

/**
 * One line of progress, e.g. `[#########-----------]  45%  9/20 chunks  analysing src/`. Pure;
 * the caller redraws it with `\r` on a terminal, or prints it on changes elsewhere. Without a
 * total it shows the count only.
 */
export function renderProgressBar(state: ProgressState, width = 30, unit = 'chunks'): string {
  const message = state.message ? `  ${state.message}` : '';
  if (state.total === undefined || state.total <= 0)
    return `[${' '.repeat(width)}]  ${state.done} ${unit}${message}`;
  const ratio = Math.min(1, Math.max(0, state.done / state.total));
  const filled = Math.round(ratio * width);
  const percent = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${percent}  ${state.done}/${state.total} ${unit}${message}`;
}
