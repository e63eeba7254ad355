/**
 * The competitors of a hunt in leaderboard order, kept as an order-statistics treap: inserting,
 * removing, finding a place and reading the first k all cost O(log n) (plus k), so a scored guess
 * in a hunt of 5,000 competitors costs about what it costs in a hunt of ten.
 */

/** What decides a competitor's place, copied at the time: the live record changes in place. */
export interface RankKey {
  readonly competitorId: string;
  readonly name: string;
  readonly kind: 'team' | 'solo';
  readonly points: number;
  readonly finishedAt?: number;
  readonly lastScoredAt?: number;
  /** Clues solved: shown on the leaderboard, not part of the order. */
  readonly solved: number;
}

/** The fields the order reads; a Competitor has them too. */
export type Ranked = Pick<RankKey, 'competitorId' | 'name' | 'points' | 'finishedAt' | 'lastScoredAt'>;

/**
 * Most points first; among equals, whoever finished first, then whoever reached their points
 * first, then by name and id so that the order is total and the same on every node.
 */
export function compareRanked(a: Ranked, b: Ranked): number {
  return (
    b.points - a.points ||
    (a.finishedAt ?? Infinity) - (b.finishedAt ?? Infinity) ||
    (a.lastScoredAt ?? Infinity) - (b.lastScoredAt ?? Infinity) ||
    byCodeUnits(a.name, b.name) ||
    byCodeUnits(a.competitorId, b.competitorId)
  );
}

/** Not localeCompare: its order depends on the machine's locale, and every node must agree. */
const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

interface Node {
  readonly key: RankKey;
  readonly priority: number;
  size: number;
  left: Node | null;
  right: Node | null;
}

const sizeOf = (node: Node | null): number => (node === null ? 0 : node.size);

function resize(node: Node): Node {
  node.size = 1 + sizeOf(node.left) + sizeOf(node.right);
  return node;
}

/** Splits into the keys before `key` and the keys from `key` on. */
function split(node: Node | null, key: Ranked): [Node | null, Node | null] {
  if (node === null) return [null, null];
  if (compareRanked(node.key, key) < 0) {
    const [left, right] = split(node.right, key);
    node.right = left;
    return [resize(node), right];
  }
  const [left, right] = split(node.left, key);
  node.left = right;
  return [left, resize(node)];
}

/** Joins two treaps where every key of `a` comes before every key of `b`. */
function merge(a: Node | null, b: Node | null): Node | null {
  if (a === null) return b;
  if (b === null) return a;
  if (a.priority > b.priority) {
    a.right = merge(a.right, b);
    return resize(a);
  }
  b.left = merge(a, b.left);
  return resize(b);
}

function withoutFirst(node: Node): Node | null {
  if (node.left === null) return node.right;
  node.left = withoutFirst(node.left);
  return resize(node);
}

export class Ranking {
  private root: Node | null = null;
  private readonly keys = new Map<string, RankKey>();
  // Priorities only shape the tree, never the order, so a fixed xorshift sequence will do.
  private seed = 0x2545f491;

  get size(): number {
    return this.keys.size;
  }

  get(competitorId: string): RankKey | undefined {
    return this.keys.get(competitorId);
  }

  /** Adds the competitor, or moves it to the place its new key gives it. */
  upsert(key: RankKey): void {
    this.remove(key.competitorId);
    const [before, after] = split(this.root, key);
    const node: Node = { key, priority: this.nextPriority(), size: 1, left: null, right: null };
    this.root = merge(merge(before, node), after);
    this.keys.set(key.competitorId, key);
  }

  remove(competitorId: string): void {
    const key = this.keys.get(competitorId);
    if (!key) return;
    const [before, from] = split(this.root, key);
    // `from` starts with `key` itself: the order is total, so no other key compares equal.
    this.root = merge(before, from === null ? null : withoutFirst(from));
    this.keys.delete(competitorId);
  }

  /** How many stored keys come before `key` (which need not be stored). */
  countBefore(key: Ranked): number {
    let count = 0;
    let node = this.root;
    while (node !== null) {
      if (compareRanked(node.key, key) < 0) {
        count += sizeOf(node.left) + 1;
        node = node.right;
      } else {
        node = node.left;
      }
    }
    return count;
  }

  /** The first `limit` keys in order (all of them by default). */
  first(limit = Infinity): RankKey[] {
    const out: RankKey[] = [];
    const stack: Node[] = [];
    let node = this.root;
    while ((node !== null || stack.length > 0) && out.length < limit) {
      while (node !== null) {
        stack.push(node);
        node = node.left;
      }
      const next = stack.pop()!;
      out.push(next.key);
      node = next.right;
    }
    return out;
  }

  private nextPriority(): number {
    let x = this.seed;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.seed = x >>> 0;
    return this.seed;
  }
}
