import type { Client } from 'pg';

/** What the catalogs say about one Postgres schema: the parts the Prisma schema also describes. */
export interface DatabaseShape {
  tables: string[];
  columns: ColumnShape[];
  indexes: IndexShape[];
  foreignKeys: ForeignKeyShape[];
  checks: Array<{ table: string; name: string; definition: string }>;
}

export interface ColumnShape {
  table: string;
  column: string;
  nullable: boolean;
  dataType: string;
  udtName: string;
  datetimePrecision: number | null;
  hasDefault: boolean;
}

export interface IndexShape {
  table: string;
  name: string;
  unique: boolean;
  primary: boolean;
  /** The access method: btree, gin, ... */
  method: string;
  /** "col" or "col DESC", in index order. */
  columns: string[];
}

export interface ForeignKeyShape {
  table: string;
  name: string;
  columns: string[];
  target: string;
  targetColumns: string[];
  /** pg_constraint codes: a no action, r restrict, c cascade, n set null, d set default. */
  onDelete: string;
  onUpdate: string;
}

export async function readDatabaseShape(client: Client, schema: string): Promise<DatabaseShape> {
  const tables = await client.query<{ table: string }>(
    `SELECT table_name AS table FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
    [schema],
  );
  const columns = await client.query<{
    table: string;
    column: string;
    is_nullable: string;
    data_type: string;
    udt_name: string;
    datetime_precision: number | null;
    column_default: string | null;
  }>(
    `SELECT table_name AS table, column_name AS column, is_nullable, data_type, udt_name, datetime_precision,
            column_default
       FROM information_schema.columns WHERE table_schema = $1 ORDER BY table_name, ordinal_position`,
    [schema],
  );
  const indexes = await client.query<{
    table: string;
    name: string;
    unique: boolean;
    primary: boolean;
    def: string;
  }>(
    `SELECT t.relname AS table, i.relname AS name, ix.indisunique AS unique, ix.indisprimary AS primary,
            pg_get_indexdef(ix.indexrelid) AS def
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1`,
    [schema],
  );
  const foreignKeys = await client.query<{
    table: string;
    name: string;
    columns: string[];
    target: string;
    target_columns: string[];
    on_delete: string;
    on_update: string;
  }>(
    `SELECT src.relname AS table, con.conname AS name, tgt.relname AS target,
            con.confdeltype::text AS on_delete, con.confupdtype::text AS on_update,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord) AS columns,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)
              AS target_columns
       FROM pg_constraint con
       JOIN pg_class src ON src.oid = con.conrelid
       JOIN pg_class tgt ON tgt.oid = con.confrelid
       JOIN pg_namespace n ON n.oid = con.connamespace
      WHERE con.contype = 'f' AND n.nspname = $1`,
    [schema],
  );
  const checks = await client.query<{ table: string; name: string; definition: string }>(
    `SELECT c.relname AS table, con.conname AS name, pg_get_constraintdef(con.oid) AS definition
       FROM pg_constraint con
       JOIN pg_class c ON c.oid = con.conrelid
       JOIN pg_namespace n ON n.oid = con.connamespace
      WHERE con.contype = 'c' AND n.nspname = $1`,
    [schema],
  );
  return {
    tables: tables.rows.map((row) => row.table),
    columns: columns.rows.map((row) => ({
      table: row.table,
      column: row.column,
      nullable: row.is_nullable === 'YES',
      dataType: row.data_type,
      udtName: row.udt_name,
      datetimePrecision: row.datetime_precision,
      hasDefault: row.column_default !== null,
    })),
    indexes: indexes.rows.map((row) => ({
      table: row.table,
      name: row.name,
      unique: row.unique,
      primary: row.primary,
      columns: indexDefinitionColumns(row.def),
      method: /\bUSING (\w+)/.exec(row.def)?.[1] ?? 'unknown',
    })),
    foreignKeys: foreignKeys.rows.map((row) => ({
      table: row.table,
      name: row.name,
      columns: row.columns,
      target: row.target,
      targetColumns: row.target_columns,
      onDelete: row.on_delete,
      onUpdate: row.on_update,
    })),
    checks: checks.rows,
  };
}

/** `CREATE INDEX x ON s.t USING btree (a, b DESC)` -> ["a", "b DESC"]. */
function indexDefinitionColumns(definition: string): string[] {
  const list = /\(([^()]*)\)\s*$/.exec(definition)?.[1];
  if (list === undefined) throw new Error(`cannot read index definition: ${definition}`);
  return list.split(',').map((item) => item.trim().replace(/"/g, ''));
}
