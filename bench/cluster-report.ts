/**
 * The cluster benchmark's report: one table with a column per setup, the embedded setup of the
 * same run as the baseline of the ratios, then the detail that explains a bad figure (errors by
 * code, failed connections, server warnings) and the setups that did not start.
 */
import { fixed, mib, ratio, table } from './bench-kit.js';
import type { SetupFigures } from './cluster-load.js';

export interface SetupOutcome {
  name: string;
  figures?: SetupFigures;
  /** Why the setup has no figures (it did not start, or its run threw), with the log tail. */
  failure?: string;
}

/** One row per message with its count; long messages (library warnings quoting a migration guide) cut to keep the table readable. */
const rows = (setup: string, item: string, map: ReadonlyMap<string, number>) =>
  map.size === 0
    ? [{ setup, item, value: 'none' }]
    : [...map].map(([k, v]) => ({ setup, item, value: `${k.length > 100 ? `${k.slice(0, 99)}…` : k} ×${v}` }));

export function printReport(outcomes: readonly SetupOutcome[], settings: readonly { setting: string; value: string | number }[]): void {
  console.log('\n=== Cairn cluster benchmark ===');
  table(settings);

  const base = outcomes.find((o) => o.name === 'embedded')?.figures;
  const row = (metric: string, value: (f: SetupFigures) => string | number) => {
    const cells: Record<string, string | number> = { metric };
    for (const o of outcomes) cells[o.name] = o.figures ? value(o.figures) : 'failed (below)';
    return cells;
  };
  console.log('\nSteady phase, same offered load against each setup (embedded = the baseline of the ratios)');
  table([
    row('setup', (f) => f.describe),
    row('Cairn processes', (f) => f.processes),
    row('offered commands/s', (f) => fixed(f.offered, 0)),
    row('offered by connected players commands/s', (f) => fixed(f.offeredConnected, 0)),
    row('achieved commands/s', (f) => fixed(f.achieved, 0)),
    row('achieved / embedded', (f) => ratio(f.achieved, base?.achieved)),
    row('replies measured', (f) => f.latency.count),
    row('latency p50 ms (send → result, all commands)', (f) => f.latency.p50),
    row('latency p99 ms', (f) => f.latency.p99),
    row('latency p99.9 ms', (f) => f.latency.p999),
    row('latency max ms', (f) => f.latency.max),
    row('p50 / embedded', (f) => ratio(Number(f.latency.p50), base && Number(base.latency.p50))),
    row('submits only p50 / p99 / p99.9 ms', (f) => `${f.submitLatency.p50} / ${f.submitLatency.p99} / ${f.submitLatency.p999}`),
    row('failed connections (connect or join)', (f) => f.connectFailed),
    row('errors (steady): all', (f) => f.errors.total),
    row('errors: timeouts (server or no reply)', (f) => f.errors.timeouts),
    row('errors: unavailable', (f) => f.errors.unavailable),
    row('errors: other', (f) => f.errors.other),
    row('ticks late (previous action unanswered)', (f) => f.late),
    row('actions unanswered after the drain', (f) => f.unanswered),
    row('server CPU % of 1 core (sum over processes)', (f) => fixed(f.window.serverCpuPct, 0)),
    row('server idle RSS MiB (sum)', (f) => mib(f.idleRssKb)),
    row('server peak RSS MiB (sum of each VmHWM)', (f) => mib(f.peakRssKb)),
    row('Kafka + Cassandra CPU % of 1 core', (f) => fixed(f.servicesCpuPct, 0)),
    row('bench client CPU % of 1 core', (f) => fixed(f.window.clientCpuPct, 0)),
    row('bench client event-loop utilisation', (f) => fixed(f.window.clientElu, 2)),
    row('machine CPU % (all cores)', (f) => fixed(f.window.machineCpuPct, 0)),
  ]);

  const withMedians = outcomes.flatMap((o) => (o.figures ? [o.figures] : []));
  if (withMedians.length > 0) {
    console.log('\nWhere the time goes: medians of the servers\' own histograms (whole run, all nodes)');
    const labels = Object.keys(withMedians[0]!.serverMedians);
    table(labels.map((label) => Object.fromEntries([['timed', label], ...withMedians.map((f) => [f.name, f.serverMedians[label]])])));
  }

  const measured = outcomes.flatMap((o) => (o.figures ? [o.figures] : []));
  const codes = [...new Set(measured.flatMap((f) => [...f.errors.byCode.keys()]))].sort();
  console.log('\nErrors in the steady phase, by code');
  if (codes.length > 0) table(codes.map((code) => Object.fromEntries([['code', code], ...measured.map((f) => [f.name, f.errors.byCode.get(code) ?? 0])])));
  else console.log('  none');

  if (measured.length > 0) {
    console.log('\nPer setup');
    table(
      measured.flatMap((f) => [
        ...(f.names ? [{ setup: f.name, item: 'Kafka and Cassandra names', value: f.names }] : []),
        ...rows(f.name, 'connection/join failures', f.connectFailures),
        ...rows(f.name, 'connections dropped after joining', f.drops),
        ...rows(f.name, 'server warnings (pino level >= 40)', f.warnings),
      ]),
    );
  }

  if (measured.some((f) => f.window.clientElu > 0.9)) {
    console.log(
      '\nNOTE: the bench client\'s event loop was busy over 90% of a steady phase: latencies include time the replies waited in this process, not only in the servers.',
    );
  }
  for (const f of measured) {
    if (f.window.machineCpuPct > 85) {
      console.log(
        `\nNOTE: the machine's cores were ${f.window.machineCpuPct.toFixed(0)}% busy during the ${f.name} steady phase: ` +
          'its latencies include waiting for a core, and would be lower with Kafka, Cassandra and the client elsewhere.',
      );
    }
  }
  for (const o of outcomes) if (o.failure) console.log(`\n${o.name} FAILED:\n${o.failure}`);
  for (const f of measured) for (const p of f.problems) console.log(`\n${f.name} PROBLEM:\n${p}`);
}
