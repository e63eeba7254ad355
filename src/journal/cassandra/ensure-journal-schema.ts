import cassandra from 'cassandra-driver';
import { PROBE_ENTITY_ID } from '../journal-probe.js';
import { migrationStatements, tableChecks, type Replication } from './cassandra-schema.js';

const { consistencies, responseErrorCodes } = cassandra.types;

/** The keyspace or some of the journal's tables are missing, and the journal may not create them. */
export class SchemaMissingError extends Error {
  constructor(keyspace: string, missing: readonly string[]) {
    super(
      `keyspace ${keyspace} lacks ${missing.map((table) => `${keyspace}.${table}`).join(', ')}, and this journal ` +
        'does not create its schema: create the keyspace and tables (see cassandra-schema.ts), or let the journal do it',
    );
    this.name = 'SchemaMissingError';
  }
}

/** How long a table another client has just created may take to open for reads. */
const TABLE_OPENING_MS = 10_000;
const TABLE_OPENING_PAUSE_MS = 200;

/**
 * Reads a table at ONE (a schema question, which any replica answers; the caller's reads test
 * quorums). A table that another client created a moment ago is in the schema before its store is
 * open, and Cassandra then fails the read with a server error "Unknown CF <id>" (nodes of a
 * cluster starting together do this): that is waited out, briefly, instead of failing the start.
 */
async function checkTable(client: cassandra.Client, query: string): Promise<void> {
  const deadline = Date.now() + TABLE_OPENING_MS;
  for (;;) {
    try {
      await client.execute(query, [PROBE_ENTITY_ID], { prepare: false, consistency: consistencies.one });
      return;
    } catch (error) {
      // The server error carries no code of its own for this case; its message is all there is.
      const opening = error instanceof cassandra.errors.ResponseError && error.code === responseErrorCodes.serverError && /Unknown CF/.test(error.message);
      if (!opening || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, TABLE_OPENING_PAUSE_MS));
    }
  }
}

/**
 * Makes sure the journal's keyspace and tables exist in the schema the node runs with, and
 * returns the tables it found missing and created (empty when all were there). Reads each table
 * first and runs DDL only when one is missing: DDL that several nodes run at once is what
 * Cassandra handles worst, and with everything present none runs. When `create` is false it
 * throws SchemaMissingError instead; other failures come out as the driver's errors. The tables
 * are those tableChecks lists, so a keyspace made before a table was added (command_ids) gets
 * it the same way as one that lost it.
 */
export async function ensureJournalSchema(
  client: cassandra.Client,
  options: { readonly keyspace: string; readonly replication: Replication; readonly create: boolean },
): Promise<readonly string[]> {
  const missing: string[] = [];
  for (const [table, query] of Object.entries(tableChecks(options.keyspace))) {
    try {
      await checkTable(client, query);
    } catch (error) {
      // `invalid` for a well-formed read of our own columns: the keyspace or table is unknown.
      if (!(error instanceof cassandra.errors.ResponseError) || error.code !== responseErrorCodes.invalid) throw error;
      missing.push(table);
    }
  }
  if (missing.length === 0) return missing;
  if (!options.create) throw new SchemaMissingError(options.keyspace, missing);
  // Each statement is IF NOT EXISTS against the node's running schema: what still exists stays.
  for (const statement of migrationStatements(options.keyspace, options.replication)) {
    await client.execute(statement, [], { prepare: false });
  }
  return missing;
}
