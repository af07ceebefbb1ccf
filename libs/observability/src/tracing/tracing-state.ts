// Whether this process records spans: set by startTracing, read on every hot-path call so that a
// process without an exporter pays one boolean check and nothing else.
let active = false;

export function isTracing(): boolean {
  return active;
}

export function setTracing(value: boolean): void {
  active = value;
}
