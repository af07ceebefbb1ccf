import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TASK_STATUSES } from '@contextforge/contracts';
import { migrate } from '../src';
import { Prisma } from '../src/generated/prisma/client';
import { readDatabaseShape, type DatabaseShape } from './support/database-shape';
import {
  parsePrismaSchema,
  type PrismaField,
  type PrismaIndexColumn,
  type PrismaModel,
} from './support/prisma-schema';
import { TEST_DATABASE_URL, testSchema, withClient } from './support/postgres';

// The SQL migrations shape the database; prisma/schema.prisma only describes it to the client.
// This test migrates a fresh schema and compares the two, so neither can drift from the other.
const models = parsePrismaSchema(readFileSync(join(__dirname, '../prisma/schema.prisma'), 'utf8'));
const schema = testSchema('prisma_match');
let shape: DatabaseShape;

beforeAll(async () => {
  await migrate(TEST_DATABASE_URL, { schema: schema.name });
  shape = await withClient((client) => readDatabaseShape(client, schema.name));
});

afterAll(async () => {
  await schema.drop();
});

it('reads every model of the Prisma schema', () => {
  expect(models.map((model) => model.name)).toEqual([
    'Task',
    'TaskEvent',
    'TaskResult',
    'IndexedSymbol',
    'Payload',
    'OutboxMessage',
    'Lease',
    'ApiKey',
  ]);
});

it('has exactly one table per model, plus schema_migrations', () => {
  expect(shape.tables).toEqual([...models.map((model) => model.table), 'schema_migrations'].sort());
});

describe.each(models.map((model) => [model.name, model] as const))('model %s', (_name, model) => {
  it('has the same columns, in types, nullability and defaults', () => {
    const actual = shape.columns
      .filter((column) => column.table === model.table)
      .map(({ column, nullable, dataType, udtName, datetimePrecision, hasDefault }) => ({
        column,
        nullable,
        type: describeType(dataType, udtName, datetimePrecision),
        hasDefault,
      }));
    const expected = model.fields.map((field) => ({
      column: field.column,
      nullable: field.optional,
      type: expectedType(field),
      hasDefault: field.hasDefault,
    }));
    expect(sortBy(actual, 'column')).toEqual(sortBy(expected, 'column'));
  });

  it('has the primary key of its @id field, named like Prisma names it', () => {
    const primary = shape.indexes.filter((index) => index.table === model.table && index.primary);
    const ids = model.fields.filter((field) => field.id).map((field) => field.column);
    expect(primary.map(({ name, columns }) => ({ name, columns }))).toEqual([
      { name: `${model.table}_pkey`, columns: ids },
    ]);
  });

  it('has the unique constraints and indexes of @@unique and @@index, named like Prisma names them', () => {
    const actual = shape.indexes
      .filter((index) => index.table === model.table && !index.primary)
      .map(({ name, unique, columns, method }) => ({ name, unique, columns, method }));
    const expected = [
      ...model.uniques.map((columns) => indexShape(model, columns, true, 'btree')),
      ...model.indexes.map((index) => indexShape(model, index.columns, false, index.method)),
    ];
    expect(sortBy(actual, 'name')).toEqual(sortBy(expected, 'name'));
  });

  it('has the foreign keys of its @relation fields', () => {
    const actual = shape.foreignKeys
      .filter((key) => key.table === model.table)
      .map(({ name, columns, target, targetColumns, onDelete, onUpdate }) => ({
        name,
        columns,
        target,
        targetColumns,
        onDelete,
        onUpdate,
      }));
    const expected = model.relations
      .filter((relation) => relation.relation !== undefined)
      .map((relation) => foreignKeyShape(model, relation));
    expect(sortBy(actual, 'name')).toEqual(sortBy(expected, 'name'));
  });

  it('is what the generated client was generated from (npm run generate is current)', () => {
    const scalarFields = (Prisma as unknown as Record<string, Record<string, string> | undefined>)[
      `${model.name}ScalarFieldEnum`
    ];
    // Unsupported("...") fields are columns the generated client leaves out.
    const supported = model.fields.filter((field) => field.unsupported === undefined);
    expect(Object.values(scalarFields ?? {})).toEqual(supported.map((field) => field.name));
  });
});

it('allows exactly the contract task statuses in tasks.status', () => {
  const check = shape.checks.find((candidate) => candidate.name === 'tasks_status_check');
  const allowed = [...(check?.definition ?? '').matchAll(/'([^']+)'/g)].map((match) => match[1]);
  expect(allowed.sort()).toEqual([...TASK_STATUSES].sort());
});

/** information_schema's view of a column type, in one comparable string. */
function describeType(dataType: string, udtName: string, precision: number | null): string {
  if (dataType === 'ARRAY') return `${udtName.replace(/^_/, '')}[]`;
  if (dataType.startsWith('timestamp')) return `${dataType}(${precision ?? '?'})`;
  return dataType;
}

/** The column type Prisma expects for a field on PostgreSQL (the types this schema uses). */
function expectedType(field: PrismaField): string {
  const base: Record<string, string> = {
    String: 'text',
    Int: 'integer',
    Json: 'jsonb',
    Boolean: 'boolean',
    BigInt: 'bigint',
  };
  const arrays: Record<string, string> = { String: 'text[]', Int: 'int4[]' };
  if (field.unsupported !== undefined) return field.unsupported;
  if (field.list) return arrays[field.type] ?? `unmapped ${field.type}[]`;
  if (field.type === 'DateTime') {
    const precision = /\((\d+)\)/.exec(field.nativeType ?? '')?.[1] ?? '3';
    const zone = field.nativeType?.startsWith('Timestamptz') ? 'with' : 'without';
    return `timestamp ${zone} time zone(${precision})`;
  }
  if (field.nativeType !== undefined) return `unmapped native type ${field.nativeType}`;
  return base[field.type] ?? `unmapped ${field.type}`;
}

function indexShape(model: PrismaModel, columns: PrismaIndexColumn[], unique: boolean, method: string) {
  const names = columns.map((column) => column.column);
  return {
    name: `${model.table}_${names.join('_')}_${unique ? 'key' : 'idx'}`,
    unique,
    columns: columns.map((column) => (column.descending ? `${column.column} DESC` : column.column)),
    method,
  };
}

function foreignKeyShape(model: PrismaModel, relation: PrismaField) {
  const actions: Record<string, string> = {
    Cascade: 'c',
    Restrict: 'r',
    NoAction: 'a',
    SetNull: 'n',
    SetDefault: 'd',
  };
  const target = models.find((candidate) => candidate.name === relation.type);
  const columnOf = (owner: PrismaModel | undefined, field: string): string =>
    owner?.fields.find((candidate) => candidate.name === field)?.column ?? `unknown field ${field}`;
  const columns = relation.relation?.fields.map((field) => columnOf(model, field)) ?? [];
  return {
    name: `${model.table}_${columns.join('_')}_fkey`,
    columns,
    target: target?.table ?? `unknown model ${relation.type}`,
    targetColumns: relation.relation?.references.map((field) => columnOf(target, field)) ?? [],
    // Prisma's defaults: onDelete Restrict for a required relation, onUpdate Cascade.
    onDelete: actions[relation.relation?.onDelete ?? 'Restrict'],
    onUpdate: actions[relation.relation?.onUpdate ?? 'Cascade'],
  };
}

function sortBy<T, K extends keyof T>(items: T[], key: K): T[] {
  return [...items].sort((a, b) => String(a[key]).localeCompare(String(b[key])));
}
