import cassandra from 'cassandra-driver';
import type { EncodedEvent } from '../journal-arguments.js';
import { commandKeyString, type CommandKey, type CommandRecord, type Refusal, type StoredEvent } from '../journal.js';
import type { statements } from './cassandra-schema.js';

/** What the ledger needs of the journal it serves. */
export interface CommandLedgerOptions {
  readonly client: cassandra.Client;
  readonly cql: ReturnType<typeof statements>;
  /** Runs a driver call; the journal's wrapper turns any failure into JournalUnavailableError. */
  readonly driver: <T>(what: string, call: () => Promise<T>) => Promise<T>;
  /** The event stored at `seqNr` of `entityId`, or undefined when that number is not taken. */
  readonly readEvent: (entityId: string, seqNr: number) => Promise<StoredEvent | undefined>;
}

/** Rows per batch and command ids per IN list: bounded requests, whatever the caller hands in. */
const CHUNK = 100;

/**
 * The Cassandra journal's command ledger, in the command_ids table: per (entity, issuer, command
 * id), the sequence number of the event that answered the command and/or the command's refusal.
 * Callers have checked their arguments and that the journal is open.
 *
 * Every write here is a plain write at the client's LOCAL_QUORUM, one UNLOGGED batch per
 * (entity, issuer) partition and the partitions in parallel: a conditional batch cannot span
 * tables or partitions, so the index cannot share the events' Paxos round. Plain writes of
 * their own columns also mean an event's index never erases a refusal under the same key, nor
 * the other way round; a later write of the same column does replace an earlier one.
 */
export class CassandraCommandLedger {
  readonly #options: CommandLedgerOptions;

  constructor(options: CommandLedgerOptions) {
    this.#options = options;
  }

  /**
   * Indexes the events that carry a command, which will get sequence numbers firstSeqNr,
   * firstSeqNr + 1, ... The journal calls this BEFORE its conditional write of them: a process
   * that dies between the two leaves an index row naming a number its write may never take
   * (findCommands then finds nothing there, or the event of whoever did take it, which callers
   * check), never an event without its index, whose command a retry would apply twice. No round
   * trip when no event carries a command.
   */
  async indexEvents(entityId: string, firstSeqNr: number, events: readonly EncodedEvent[], storedAt: Date): Promise<void> {
    const rows = new Map<string, { issuer: string; params: unknown[] }>();
    events.forEach((event, index) => {
      const key = event.command;
      // A command that produced several events is found by its first.
      if (key === undefined || rows.has(commandKeyString(key))) return;
      rows.set(commandKeyString(key), { issuer: key.issuer, params: [entityId, key.issuer, key.commandId, firstSeqNr + index, storedAt] });
    });
    await this.#write('index commands', this.#options.cql.indexCommand, [...rows.values()]);
  }

  /** Stores refusals (their refusal column and stored_at only); durable when it resolves. */
  async recordRefusals(entityId: string, refusals: readonly Refusal[], storedAt: Date): Promise<void> {
    const rows = new Map<string, { issuer: string; params: unknown[] }>();
    for (const { issuer, commandId, commandType, code, message } of refusals) {
      const key = commandKeyString({ issuer, commandId });
      if (rows.has(key)) continue;
      rows.set(key, { issuer, params: [entityId, issuer, commandId, JSON.stringify({ commandType, code, message }), storedAt] });
    }
    await this.#write('record refusals', this.#options.cql.recordRefusal, [...rows.values()]);
  }

  /**
   * What is recorded for `keys`: one read per issuer (per CHUNK ids), the issuers in parallel,
   * then the events the rows name, in parallel. A row whose event is not there (its conditional
   * write never landed, and nobody has taken the number since) answers with its refusal if it
   * has one, and not at all otherwise.
   */
  async find(entityId: string, keys: readonly CommandKey[]): Promise<Map<string, CommandRecord>> {
    const found = new Map<string, CommandRecord>();
    if (keys.length === 0) return found;
    const rows = (await Promise.all(this.#reads(keys).map(([issuer, ids]) => this.#readRows(entityId, issuer, ids)))).flat();
    const events = new Map<number, Promise<StoredEvent | undefined>>();
    for (const { seqNr } of rows) {
      if (seqNr !== null && !events.has(seqNr)) events.set(seqNr, this.#options.readEvent(entityId, seqNr));
    }
    await Promise.all(events.values());
    for (const row of rows) {
      const event = row.seqNr === null ? undefined : await events.get(row.seqNr);
      const key = commandKeyString(row);
      if (event) found.set(key, { kind: 'event', event });
      else if (row.refusal) found.set(key, { kind: 'refusal', refusal: row.refusal, storedAt: row.storedAt });
    }
    return found;
  }

  /** The reads `keys` need: per issuer, its distinct command ids, CHUNK at a time. */
  #reads(keys: readonly CommandKey[]): [issuer: string, commandIds: string[]][] {
    const byIssuer = new Map<string, Set<string>>();
    for (const { issuer, commandId } of keys) byIssuer.set(issuer, (byIssuer.get(issuer) ?? new Set()).add(commandId));
    return [...byIssuer].flatMap(([issuer, ids]) => chunks([...ids]).map((chunk): [string, string[]] => [issuer, chunk]));
  }

  async #readRows(entityId: string, issuer: string, commandIds: readonly string[]): Promise<LedgerRow[]> {
    const result = await this.#options.driver('find commands', () =>
      this.#options.client.execute(this.#options.cql.findCommands, [entityId, issuer, commandIds]),
    );
    return result.rows.map((row) => toLedgerRow(issuer, row));
  }

  /** Writes rows of one statement: per (entity, issuer) partition an UNLOGGED batch, partitions in parallel. */
  async #write(what: string, query: string, rows: readonly { issuer: string; params: unknown[] }[]): Promise<void> {
    const byIssuer = new Map<string, unknown[][]>();
    for (const { issuer, params } of rows) byIssuer.set(issuer, [...(byIssuer.get(issuer) ?? []), params]);
    const { client, driver } = this.#options;
    await Promise.all(
      [...byIssuer.values()].flatMap(chunks).map((batch) =>
        driver(what, () =>
          batch.length === 1
            ? client.execute(query, batch[0])
            : client.batch(batch.map((params) => ({ query, params })), { prepare: true, logged: false }),
        ),
      ),
    );
  }
}

interface LedgerRow extends CommandKey {
  readonly seqNr: number | null;
  readonly refusal: Refusal | undefined;
  readonly storedAt: number;
}

function toLedgerRow(issuer: string, row: cassandra.types.Row): LedgerRow {
  const commandId = row.command_id as string;
  const refusal = typeof row.refusal === 'string' ? (JSON.parse(row.refusal) as Pick<Refusal, 'commandType' | 'code' | 'message'>) : undefined;
  return {
    issuer,
    commandId,
    // bigint comes back as the driver's Long.
    seqNr: row.seq_nr === null ? null : (row.seq_nr as cassandra.types.Long).toNumber(),
    refusal: refusal && { issuer, commandId, commandType: refusal.commandType, code: refusal.code, message: refusal.message },
    storedAt: (row.stored_at as Date | null)?.getTime() ?? 0,
  };
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
