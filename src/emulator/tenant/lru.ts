// A small LRU cache bounded by a total weight (events held, characters of blob bodies), so that the
// emulator's memory stays flat whatever it serves. Map keeps insertion order: the first key is the oldest.

export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  private total = 0;
  constructor(
    private readonly maxWeight: number,
    private readonly weigh: (value: V) => number,
  ) {}

  get(key: K): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }

  set(key: K, value: V): void {
    const old = this.map.get(key);
    if (old !== undefined) {
      this.total -= this.weigh(old);
      this.map.delete(key);
    }
    this.map.set(key, value);
    this.total += this.weigh(value);
    while (this.total > this.maxWeight && this.map.size > 1) {
      const first = this.map.keys().next().value as K;
      this.total -= this.weigh(this.map.get(first)!);
      this.map.delete(first);
    }
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }

  get size(): number {
    return this.map.size;
  }

  get weight(): number {
    return this.total;
  }
}
