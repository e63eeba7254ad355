import type Database from 'better-sqlite3';

/**
 * The schema this code reads and writes, kept in SQLite's `user_version` so a later migration
 * can tell which layout a file has. 0 means a fresh file.
 */
export const SCHEMA_VERSION = 2;

// WITHOUT ROWID: the table is only ever reached through its primary key, so storing rows in the
// key's b-tree saves a second lookup per read and a second index per write.
// The partial index holds only events players see; most events have no update number.
const CREATE_SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    entity_id  TEXT    NOT NULL,
    seq_nr     INTEGER NOT NULL,
    update_seq INTEGER NULL,
    type       TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    stored_at  INTEGER NOT NULL,
    PRIMARY KEY (entity_id, seq_nr)
  ) WITHOUT ROWID;

  CREATE INDEX IF NOT EXISTS events_by_update
    ON events (entity_id, update_seq) WHERE update_seq IS NOT NULL;

  CREATE TABLE IF NOT EXISTS commands (
    entity_id  TEXT    NOT NULL,
    issuer     TEXT    NOT NULL,
    command_id TEXT    NOT NULL,
    seq_nr     INTEGER NULL,
    refusal    TEXT    NULL,
    stored_at  INTEGER NOT NULL,
    PRIMARY KEY (entity_id, issuer, command_id)
  ) WITHOUT ROWID;

  CREATE INDEX IF NOT EXISTS commands_by_age ON commands (stored_at);

  CREATE TABLE IF NOT EXISTS snapshots (
    entity_id TEXT    NOT NULL PRIMARY KEY,
    seq_nr    INTEGER NOT NULL,
    state     TEXT    NOT NULL,
    taken_at  INTEGER NOT NULL
  );
`;

export const SQL = {
  highestSeqNr: 'SELECT max(seq_nr) AS highest FROM events WHERE entity_id = ?',
  insertEvent: `
    INSERT INTO events (entity_id, seq_nr, update_seq, type, payload, stored_at)
    VALUES (?, ?, ?, ?, ?, ?)`,
  readEvents: `
    SELECT entity_id, seq_nr, update_seq, type, payload, stored_at FROM events
    WHERE entity_id = ? AND seq_nr > ?
    ORDER BY seq_nr LIMIT ?`,
  // `update_seq > ?` implies NOT NULL, which lets the planner use the partial index.
  readUpdates: `
    SELECT entity_id, seq_nr, update_seq, type, payload, stored_at FROM events
    WHERE entity_id = ? AND update_seq > ?
    ORDER BY update_seq, seq_nr LIMIT ?`,
  // The WHERE on the upsert keeps a late writer of an older snapshot from replacing a newer one.
  saveSnapshot: `
    INSERT INTO snapshots (entity_id, seq_nr, state, taken_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (entity_id) DO UPDATE SET
      seq_nr = excluded.seq_nr, state = excluded.state, taken_at = excluded.taken_at
    WHERE excluded.seq_nr > snapshots.seq_nr`,
  // An event's key takes over a refusal stored under it (the event is what happened); a refusal
  // never replaces anything: the first outcome of a command is the one its repeats get.
  indexCommand: `
    INSERT INTO commands (entity_id, issuer, command_id, seq_nr, refusal, stored_at) VALUES (?, ?, ?, ?, NULL, ?)
    ON CONFLICT (entity_id, issuer, command_id) DO UPDATE SET seq_nr = excluded.seq_nr, stored_at = excluded.stored_at`,
  recordRefusal: `
    INSERT INTO commands (entity_id, issuer, command_id, seq_nr, refusal, stored_at) VALUES (?, ?, ?, NULL, ?, ?)
    ON CONFLICT (entity_id, issuer, command_id) DO NOTHING`,
  findCommand: `
    SELECT c.seq_nr, c.refusal, c.stored_at AS recorded_at, e.update_seq, e.type, e.payload, e.stored_at
    FROM commands c LEFT JOIN events e ON e.entity_id = c.entity_id AND e.seq_nr = c.seq_nr
    WHERE c.entity_id = ? AND c.issuer = ? AND c.command_id = ?`,
  // A bounded chunk per transaction, so that pruning never holds the write lock for long.
  pruneCommands: `
    DELETE FROM commands WHERE (entity_id, issuer, command_id) IN (
      SELECT entity_id, issuer, command_id FROM commands WHERE stored_at < ? LIMIT ?)`,
  loadSnapshot: 'SELECT entity_id, seq_nr, state, taken_at FROM snapshots WHERE entity_id = ?',
} as const;

export interface EventRow {
  entity_id: string;
  seq_nr: number;
  update_seq: number | null;
  type: string;
  payload: string;
  stored_at: number;
}

export interface CommandRow {
  seq_nr: number | null;
  refusal: string | null;
  recorded_at: number;
  update_seq: number | null;
  type: string | null;
  payload: string | null;
  stored_at: number | null;
}

export interface SnapshotRow {
  entity_id: string;
  seq_nr: number;
  state: string;
  taken_at: number;
}

/**
 * Creates the schema on a fresh file and refuses a file written by a newer version, whose layout
 * this code cannot know.
 */
export function ensureSchema(db: Database.Database): void {
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new Error(
        `journal database has schema version ${version}; this build understands up to ${SCHEMA_VERSION}`,
      );
    }
    db.exec(CREATE_SCHEMA);
    if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}
