/**
 * A small reader for the subset of the Prisma schema language that prisma/schema.prisma uses
 * (models with scalar, Unsupported("...") and relation fields, @id, @map, @default, @db.*,
 * @relation, @@id, @@map, @@unique, @@index with an optional `type: Gin`). It fails on anything it does not understand, so a schema feature added later cannot
 * slip past the schema test unchecked.
 */
export interface PrismaField {
  name: string;
  /** The database column (@map, else the field name). */
  column: string;
  /** Prisma type: String, Int, Json, DateTime, ... or a model name for relation fields. */
  type: string;
  optional: boolean;
  list: boolean;
  id: boolean;
  hasDefault: boolean;
  /** @db.X(args) without the "@db." prefix, e.g. Timestamptz(3). */
  nativeType?: string;
  /** The database type of an Unsupported("...") field (absent from the generated client). */
  unsupported?: string;
  relation?: { fields: string[]; references: string[]; onDelete?: string; onUpdate?: string };
}

export interface PrismaIndexColumn {
  column: string;
  descending: boolean;
}

/** An @@index: its columns and its access method (btree unless `type:` says otherwise). */
export interface PrismaIndex {
  columns: PrismaIndexColumn[];
  method: string;
}

export interface PrismaModel {
  name: string;
  table: string;
  /** Scalar fields (stored in columns), in declaration order. */
  fields: PrismaField[];
  /** Relation fields (not columns). */
  relations: PrismaField[];
  uniques: PrismaIndexColumn[][];
  indexes: PrismaIndex[];
}

const SCALAR_TYPES = new Set([
  'String',
  'Int',
  'BigInt',
  'Float',
  'Decimal',
  'Boolean',
  'DateTime',
  'Json',
  'Bytes',
]);

export function parsePrismaSchema(text: string): PrismaModel[] {
  const withoutComments = text.replace(/\/\/.*$/gm, '');
  const modelNames = [...withoutComments.matchAll(/^model\s+(\w+)\s*\{/gm)].map((match) => match[1] ?? '');
  const models: PrismaModel[] = [];
  for (const match of withoutComments.matchAll(/^model\s+(\w+)\s*\{([^}]*)\}/gm)) {
    const [, name = '', body = ''] = match;
    models.push(parseModel(name, body, new Set(modelNames)));
  }
  return models;
}

function parseModel(name: string, body: string, modelNames: ReadonlySet<string>): PrismaModel {
  const model: PrismaModel = { name, table: name, fields: [], relations: [], uniques: [], indexes: [] };
  const blockLines: string[] = [];
  for (const raw of body.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('@@')) {
      blockLines.push(line);
      continue;
    }
    const field = /^(\w+)\s+(\w+)(?:\("([^"]+)"\))?(\[\])?(\?)?\s*(.*)$/.exec(line);
    if (!field) throw new Error(`model ${name}: cannot read field line "${line}"`);
    const [, fieldName = '', type = '', unsupported, list, optional, attributes = ''] = field;
    const parsed = parseField(fieldName, type, list !== undefined, optional !== undefined, attributes);
    if (type === 'Unsupported' && unsupported !== undefined) model.fields.push({ ...parsed, unsupported });
    else if (modelNames.has(type)) model.relations.push(parsed);
    else if (SCALAR_TYPES.has(type)) model.fields.push(parsed);
    else throw new Error(`model ${name}: unknown type ${type} of field ${fieldName}`);
  }
  const columnOf = (fieldName: string): string => {
    const field = model.fields.find((candidate) => candidate.name === fieldName);
    if (!field) throw new Error(`model ${name}: block attribute names unknown field ${fieldName}`);
    return field.column;
  };
  for (const line of blockLines) {
    const map = /^@@map\("([^"]+)"\)$/.exec(line);
    const unique = /^@@unique\(\[([^\]]+)\]\)$/.exec(line);
    const index = /^@@index\(\[([^\]]+)\](?:,\s*type:\s*(\w+))?\)$/.exec(line);
    const id = /^@@id\(\[([^\]]+)\]\)$/.exec(line);
    if (map) model.table = map[1] ?? name;
    else if (unique) model.uniques.push(indexColumns(unique[1] ?? '', columnOf));
    else if (index) {
      const columns = indexColumns(index[1] ?? '', columnOf);
      model.indexes.push({ columns, method: (index[2] ?? 'BTree').toLowerCase() });
    } else if (id) {
      const ids = new Set((id[1] ?? '').split(',').map((item) => item.trim()));
      model.fields = model.fields.map((field) => (ids.has(field.name) ? { ...field, id: true } : field));
    } else throw new Error(`model ${name}: unsupported block attribute "${line}"`);
  }
  return model;
}

function parseField(
  name: string,
  type: string,
  list: boolean,
  optional: boolean,
  attributes: string,
): PrismaField {
  const field: PrismaField = {
    name,
    column: /@map\("([^"]+)"\)/.exec(attributes)?.[1] ?? name,
    type,
    optional,
    list,
    id: /@id\b/.test(attributes),
    hasDefault: /@default\(/.test(attributes),
  };
  const native = /@db\.(\w+(?:\([^)]*\))?)/.exec(attributes)?.[1];
  if (native) field.nativeType = native;
  const relation = /@relation\(([^)]*)\)/.exec(attributes)?.[1];
  if (relation) {
    const list = (key: string): string[] =>
      (new RegExp(`${key}:\\s*\\[([^\\]]*)\\]`).exec(relation)?.[1] ?? '')
        .split(',')
        .map((item) => item.trim());
    const onDelete = /onDelete:\s*(\w+)/.exec(relation)?.[1];
    const onUpdate = /onUpdate:\s*(\w+)/.exec(relation)?.[1];
    field.relation = {
      fields: list('fields'),
      references: list('references'),
      ...(onDelete ? { onDelete } : {}),
      ...(onUpdate ? { onUpdate } : {}),
    };
  }
  const unknown = attributes
    .replace(/@(map|default|relation)\((?:[^()]|\([^()]*\))*\)/g, '')
    .replace(/@db\.\w+(\([^)]*\))?/g, '')
    .replace(/@id\b/g, '')
    .trim();
  if (unknown !== '') throw new Error(`field ${name}: unsupported attributes "${unknown}"`);
  return field;
}

function indexColumns(list: string, columnOf: (field: string) => string): PrismaIndexColumn[] {
  return list.split(',').map((item) => {
    const match = /^\s*(\w+)(?:\(sort:\s*(Asc|Desc)\))?\s*$/.exec(item);
    if (!match) throw new Error(`cannot read index column "${item}"`);
    return { column: columnOf(match[1] ?? ''), descending: match[2] === 'Desc' };
  });
}
