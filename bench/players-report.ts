/**
 * The player benchmark's report: one table with a row per run (size × server), Cairn's ratios to
 * the Colyseus and echo runs of the same size, the conditions that qualify a figure (client and
 * machine CPU), then errors by code, failures and each target's own detail.
 */
import { fixed, markdownTable, mib, ratio, table } from './bench-kit.js';
import type { RunFigures } from './load-run.js';

const sizeOf = (r: RunFigures) => `${r.players}/${r.hunts}`;
const rows = (r: RunFigures, item: string, map: ReadonlyMap<string, number>) =>
  [...map].map(([k, v]) => ({ run: `${r.name} ${sizeOf(r)}`, item, value: `${k.length > 100 ? `${k.slice(0, 99)}…` : k} ×${v}` }));

export function printPlayersReport(results: readonly RunFigures[], o: { command: string; settings: readonly { setting: string; value: string }[] }): void {
  console.log('\n=== Cairn player benchmark ===');
  table([{ setting: 'command', value: o.command }, ...o.settings]);

  const baseline = (r: RunFigures, name: string) => results.find((b) => b.name === name && sizeOf(b) === sizeOf(r));
  const vs = (r: RunFigures, name: string, pick: (f: RunFigures) => number) => {
    const b = baseline(r, name);
    return r.name === name ? '1.00' : ratio(pick(r), b && pick(b));
  };
  const p99 = (f: RunFigures) => Number(f.latency.p99);
  const cpu = (f: RunFigures) => f.cpuUsPerCommand;
  const mem = (f: RunFigures) => f.perPlayerKb;
  console.log('\nSteady window, same players and offered load against each server (ratios: this run ÷ the Colyseus / echo run of the same size)\n');
  markdownTable(
    results.map((r) => ({
      'players/hunts': sizeOf(r),
      server: r.name,
      'offered/s': fixed(r.offered, 0),
      'rps': fixed(r.achieved, 0),
      'p50 ms': r.latency.p50,
      'p99 ms': r.latency.p99,
      'p99.9 ms': r.latency.p999,
      errors: [...r.errors.values()].reduce((a, b) => a + b, 0),
      'CPU µs/cmd': fixed(r.cpuUsPerCommand, 0),
      'RSS MiB': mib(r.rssKb),
      'KiB/player': fixed(r.perPlayerKb),
      'CPU ÷col': vs(r, 'colyseus', cpu),
      'CPU ÷echo': vs(r, 'echo', cpu),
      'p99 ÷col': vs(r, 'colyseus', p99),
      'p99 ÷echo': vs(r, 'echo', p99),
      'mem ÷col': vs(r, 'colyseus', mem),
      'mem ÷echo': vs(r, 'echo', mem),
    })),
  );
  console.log(
    '\nrps: replies/s; latency: send → reply of every command; CPU µs/cmd: server utime+stime over the window ÷ replies; ' +
      'RSS: server VmRSS at the end of the window; KiB/player: server VmRSS with everyone joined and idle, minus before anyone came, ÷ players joined.',
  );

  console.log('\nConditions of each run\n');
  markdownTable(
    results.map((r) => ({
      'players/hunts': sizeOf(r),
      server: r.name,
      'server CPU %': fixed(r.window.serverCpuPct, 0),
      'joined, idle CPU %': fixed(r.joinedCpuPct, 1),
      'client CPU %': fixed(r.window.clientCpuPct, 0),
      'client ELU': fixed(r.window.clientElu, 2),
      'machine CPU %': fixed(r.window.machineCpuPct, 0),
      'idle RSS MiB': mib(r.idleKb),
      'peak RSS MiB': mib(r.peakKb),
      'late ticks': r.late,
      'failed joins': r.connectFailed,
      unanswered: r.unanswered,
    })),
  );

  const detail = results.flatMap((r) => [
    ...rows(r, 'errors (steady)', r.errors),
    ...rows(r, 'script surprises', r.surprises),
    ...rows(r, 'connection/join failures', r.connectFailures),
    ...rows(r, 'connections dropped', r.drops),
    ...rows(r, 'server warnings', r.warnings),
    ...r.detail.map((d) => ({ run: `${r.name} ${sizeOf(r)}`, item: d.item, value: d.value })),
  ]);
  if (detail.length > 0) {
    console.log('\nDetail');
    table(detail);
  }
  if (results.some((r) => r.window.clientElu > 0.9)) {
    console.log('\nNOTE: the bench client\'s event loop was busy over 90% of a window: its latencies include time replies waited in this process.');
  }
  if (results.some((r) => r.window.machineCpuPct > 85)) {
    console.log('\nNOTE: the machine was over 85% busy in a window: latencies include waiting for a core (client and server share it).');
  }
}
