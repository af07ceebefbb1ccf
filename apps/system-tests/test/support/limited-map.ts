// Moved to @contextforge/testing (the benchmarks use it too).
export { limitedMap } from '@contextforge/testing';
