import { scrape } from './load-phases.js';

/** The server histograms that show where a command's time goes, by report label. */
const SERIES: readonly { readonly label: string; readonly name: string; readonly labels?: string }[] = [
  { label: 'request at the gateway (frame in → reply out)', name: 'cairn_command_duration_seconds', labels: 'type="submit"' },
  { label: 'Kafka produce (batch → acks from all replicas)', name: 'cairn_bus_produce_duration_seconds' },
  { label: 'command on Kafka (written → read by the owner)', name: 'cairn_bus_consume_delay_seconds', labels: 'topic="commands"' },
  { label: 'reply on Kafka (written → read by the gateway)', name: 'cairn_bus_consume_delay_seconds', labels: 'topic="replies"' },
  { label: 'update on Kafka (written → read by a gateway)', name: 'cairn_bus_consume_delay_seconds', labels: 'topic="updates"' },
];

/**
 * Medians of the servers' own latency histograms over the whole run (ramp included), summed over
 * the nodes: the bucket bound below which half the observations fall, so "≤ 25 ms" reads as
 * "between the next lower bound and 25 ms". Where a series is absent (no Kafka) it says so.
 */
export async function serverMedians(httpUrls: readonly string[]): Promise<Record<string, string>> {

  const scraped = (await Promise.all(httpUrls.map(scrape))).filter((m): m is Map<string, number> => m !== undefined);
  const out: Record<string, string> = {};
  for (const series of SERIES) {
    const buckets = new Map<number, number>();
    for (const metrics of scraped) {
      for (const [key, value] of metrics) {
        const match = /^(\w+)_bucket\{(.*)\}$/.exec(key);
        if (!match || match[1] !== series.name || (series.labels && !match[2]!.includes(series.labels))) continue;
        const le = /le="([^"]+)"/.exec(match[2]!)?.[1];
        if (le === undefined) continue;
        const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
        buckets.set(bound, (buckets.get(bound) ?? 0) + value);
      }
    }
    const sorted = [...buckets].sort(([a], [b]) => a - b);
    const total = sorted.at(-1)?.[1] ?? 0;
    const median = sorted.find(([, count]) => count >= total / 2)?.[0];
    out[series.label] = total === 0 || median === undefined ? '-' : `≤ ${Number.isFinite(median) ? `${+(median * 1000).toFixed(1)} ms` : 'more'} (n=${total})`;
  }
  return out;
}
