// Moved to @contextforge/testing (the benchmarks read the same tables).
export { describeHistory, leaseHolder, statusCounts, taskEvents } from '@contextforge/testing';
export type { EventRow } from '@contextforge/testing';
