/** Partition for a key: FNV-1a over the key's UTF-16 code units, so equal keys share a partition. */
export function partitionForKey(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < key.length; index += 1) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % partitions;
}
