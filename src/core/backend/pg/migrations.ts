/**
 * Bento's schema in PostgreSQL, as numbered migrations (docs/STORE-FORMAT.md,
 * "PostgreSQL backend"). Applied at start, in one transaction under an advisory
 * lock, so replicas starting together apply each exactly once; `bento db migrate`
 * applies them ahead of a deploy and `bento db status` lists them. A migration is
 * never edited once released: a change is a new one.
 */
import type pg from 'pg'
import { DatabaseUnavailableError } from '../../errors.js'
import { quoteIdent } from './sql.js'

export interface Migration {
  version: number
  name: string
  /** SQL with `{s}` standing for the quoted schema. */
  sql: string
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'scopes, stores, chunks, documents, uploads, conversations, retired sessions',
    sql: `
CREATE TABLE {s}.scopes (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('shared', 'session', 'custom')),
  dir text NOT NULL,
  key text NOT NULL,
  created_at timestamptz NOT NULL,
  last_active_at timestamptz NOT NULL,
  UNIQUE (kind, dir)
);
CREATE INDEX scopes_last_active ON {s}.scopes (kind, last_active_at);

CREATE TABLE {s}.stores (
  scope_id bigint NOT NULL REFERENCES {s}.scopes (id) ON DELETE CASCADE,
  part text NOT NULL CHECK (part IN ('documents', 'memory')),
  embedder_id text,
  dimension integer CHECK (dimension > 0),
  space text NOT NULL DEFAULT 'cosine' CHECK (space IN ('cosine', 'l2', 'ip')),
  analyzer jsonb NOT NULL,
  revision bigint NOT NULL DEFAULT 0,
  next_label bigint NOT NULL DEFAULT 0,
  live integer NOT NULL DEFAULT 0,
  token_total bigint NOT NULL DEFAULT 0,
  bytes bigint NOT NULL DEFAULT 0,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (scope_id, part)
);

CREATE TABLE {s}.chunks (
  scope_id bigint NOT NULL,
  part text NOT NULL,
  label bigint NOT NULL,
  document_id text NOT NULL,
  title text NOT NULL,
  text text NOT NULL,
  chunk_index integer NOT NULL,
  metadata jsonb NOT NULL,
  embedding vector NOT NULL,
  lexemes tsvector NOT NULL,
  token_count integer NOT NULL,
  bytes integer NOT NULL,
  PRIMARY KEY (scope_id, part, label),
  FOREIGN KEY (scope_id, part) REFERENCES {s}.stores (scope_id, part) ON DELETE CASCADE
);
CREATE INDEX chunks_document ON {s}.chunks (scope_id, part, document_id);
CREATE INDEX chunks_lexemes ON {s}.chunks USING gin (lexemes);

CREATE TABLE {s}.documents (
  scope_id bigint NOT NULL,
  part text NOT NULL,
  document_id text NOT NULL,
  title text NOT NULL,
  metadata jsonb NOT NULL,
  chunks integer NOT NULL,
  bytes bigint NOT NULL,
  first_label bigint NOT NULL,
  PRIMARY KEY (scope_id, part, document_id),
  FOREIGN KEY (scope_id, part) REFERENCES {s}.stores (scope_id, part) ON DELETE CASCADE
);

CREATE TABLE {s}.uploads (
  scope_id bigint NOT NULL REFERENCES {s}.scopes (id) ON DELETE CASCADE,
  document_id text NOT NULL,
  file_name text NOT NULL,
  size bigint NOT NULL,
  content bytea NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (scope_id, document_id)
);

CREATE TABLE {s}.conversations (
  scope_id bigint NOT NULL REFERENCES {s}.scopes (id) ON DELETE CASCADE,
  id text NOT NULL,
  body jsonb NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (scope_id, id)
);

CREATE TABLE {s}.retired_sessions (
  dir text PRIMARY KEY,
  retired_at timestamptz NOT NULL
);
`,
  },
  {
    version: 2,
    name: 'scope quotas',
    // Operator state keyed by the scope's name, like retired sessions: it outlives the scope's rows.
    sql: `
CREATE TABLE {s}.quotas (
  kind text NOT NULL,
  dir text NOT NULL,
  max_bytes bigint CHECK (max_bytes > 0),
  max_documents bigint CHECK (max_documents > 0),
  PRIMARY KEY (kind, dir)
);
`,
  },
  {
    version: 3,
    name: 'per-store vector indexes',
    // The name of the store's partial HNSW index once it is built and valid (vector-index.ts); NULL: exact scan.
    sql: `
ALTER TABLE {s}.stores ADD COLUMN vector_index text;
`,
  },
]

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version

/** Advisory lock namespace of Bento's migrations ('BENT'); the second key is the schema's hash. */
const MIGRATION_LOCK = 0x42454e54

export interface AppliedMigration {
  version: number
  name: string
  appliedAt: Date
}

export interface MigrationState {
  applied: AppliedMigration[]
  pending: Migration[]
}

const readApplied = async (client: pg.ClientBase, schema: string): Promise<AppliedMigration[]> => {
  const exists = await client.query('SELECT 1 FROM pg_tables WHERE schemaname = $1 AND tablename = $2', [schema, 'schema_migrations'])
  if (exists.rowCount === 0) return []
  const { rows } = await client.query<{ version: number; name: string; applied_at: Date }>(
    `SELECT version, name, applied_at FROM ${quoteIdent(schema)}.schema_migrations ORDER BY version`,
  )
  return rows.map((row) => ({ version: row.version, name: row.name, appliedAt: row.applied_at }))
}

export const migrationState = async (client: pg.ClientBase, schema: string): Promise<MigrationState> => {
  const applied = await readApplied(client, schema)
  const done = new Set(applied.map((migration) => migration.version))
  return { applied, pending: MIGRATIONS.filter((migration) => !done.has(migration.version)) }
}

/** Applies every pending migration in one transaction; resolves to those it applied (none when up to date). */
export const applyMigrations = async (client: pg.ClientBase, schema: string, now: () => Date = () => new Date()): Promise<Migration[]> => {
  const s = quoteIdent(schema)
  await client.query('BEGIN')
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [MIGRATION_LOCK, schema])
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`)
    await client.query(`CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL)`)
    const { applied, pending } = await migrationState(client, schema)
    const newest = applied.at(-1)?.version ?? 0
    if (newest > LATEST_VERSION) {
      throw new DatabaseUnavailableError(`Schema ${schema} is at version ${newest}, newer than this Bento knows (${LATEST_VERSION}): upgrade Bento.`)
    }
    for (const migration of pending) {
      await client.query(migration.sql.replaceAll('{s}', s))
      await client.query(`INSERT INTO ${s}.schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`, [migration.version, migration.name, now()])
    }
    await client.query('COMMIT')
    return pending
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw error
  }
}
