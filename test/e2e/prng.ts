/** A small seeded PRNG (mulberry32) with helpers, so that a failing fuzz run can be replayed from its seed. */
export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  bytes(length: number): Uint8Array {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) out[i] = this.int(0, 255);
    return out;
  }

  /** A string of `length` UTF-16 code units drawn from ASCII, control characters, accents, emoji halves and the rest. */
  string(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) {
      const kind = this.int(0, 9);
      const code =
        kind < 5 ? this.int(0x20, 0x7e) : kind === 5 ? this.int(0, 0x1f) : kind === 6 ? this.int(0xc0, 0x17f) : kind === 7 ? this.int(0xd800, 0xdfff) : this.int(0, 0xffff);
      s += String.fromCharCode(code);
    }
    return s;
  }
}
