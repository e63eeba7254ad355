import type Database from 'better-sqlite3';

/**
 * The schema this code reads and writes, kept in SQLite's `user_version` so a later migration
 * can tell which layout a file has. 0 means a fresh file.
 */
export const SCHEMA_VERSION = 1;

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
