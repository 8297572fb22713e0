// The SOQL subset the emulator answers: SELECT fields (incl. one-level relationship fields such as
// User.Username, and COUNT()) FROM object [WHERE conditions with AND/OR/NOT, parentheses, = != <> < <= > >=,
// [NOT] IN (...), LIKE] [ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], …] [LIMIT n] [OFFSET n].
// Errors carry Salesforce's errorCodes (MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE) so the REST layer
// can answer `[{"message","errorCode"}]` like the real query resource.

export class SoqlError extends Error {
  constructor(
    readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE',
    message: string,
  ) {
    super(message);
  }
}

type Literal = string | number | boolean | null | { datetime: number };

export type Condition =
  | { op: 'and' | 'or'; left: Condition; right: Condition }
  | { op: 'not'; inner: Condition }
  | { op: 'cmp'; field: string; cmp: '=' | '!=' | '<' | '<=' | '>' | '>='; value: Literal }
  | { op: 'in'; field: string; negated: boolean; values: Literal[] }
  | { op: 'like'; field: string; pattern: string };

export interface SoqlQuery {
  object: string;
  /** Field paths as written (`Id`, `User.Username`); empty for COUNT(). */
  fields: string[];
  count: boolean;
  where?: Condition;
  /** ORDER BY fields, most significant first. */
  orderBy?: { field: string; descending: boolean; nullsLast: boolean }[];
  limit?: number;
  offset?: number;
}

type Token = { kind: 'word' | 'string' | 'number' | 'punct'; text: string; value?: string };

function tokenize(soql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < soql.length) {
    const c = soql[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= soql.length) throw new SoqlError('MALFORMED_QUERY', 'unexpected end of query: unterminated string literal');
        const ch = soql[i]!;
        if (ch === '\\') {
          const next = soql[i + 1] ?? '';
          value += next === 'n' ? '\n' : next === 't' ? '\t' : next;
          i += 2;
        } else if (ch === "'") {
          i++;
          break;
        } else {
          value += ch;
          i++;
        }
      }
      tokens.push({ kind: 'string', text: `'${value}'`, value });
    } else if (/[0-9-]/.test(c) && /^-?[0-9]/.test(soql.slice(i, i + 2))) {
      const m = /^-?[0-9][0-9.:TZ+-]*/.exec(soql.slice(i))!;
      tokens.push({ kind: 'number', text: m[0] });
      i += m[0].length;
    } else if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_][A-Za-z0-9_.]*(?::[0-9]+)?/.exec(soql.slice(i))!;
      tokens.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    } else {
      const two = soql.slice(i, i + 2);
      if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
        tokens.push({ kind: 'punct', text: two === '<>' ? '!=' : two });
        i += 2;
      } else if ('=<>(),'.includes(c)) {
        tokens.push({ kind: 'punct', text: c });
        i++;
      } else {
        throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${c}'`);
      }
    }
  }
  return tokens;
}

const DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,3})?(?:Z|[+-]\d{2}:?\d{2})$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Salesforce writes datetimes as `2025-08-08T12:00:00.000+0000`; Date.parse wants the offset with a colon. */
export function parseSalesforceDate(text: string): number {
  return Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
}

export function parseSoql(soql: string): SoqlQuery {
  const tokens = tokenize(soql);
  let pos = 0;
  const peek = () => tokens[pos];
  const isWord = (w: string, t = peek()) => t?.kind === 'word' && t.text.toUpperCase() === w;
  const expectWord = (w: string) => {
    if (!isWord(w)) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${peek()?.text ?? '<EOF>'}', expected ${w}`);
    pos++;
  };
  const expectPunct = (p: string) => {
    const t = peek();
    if (t?.kind !== 'punct' || t.text !== p) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t?.text ?? '<EOF>'}', expected '${p}'`);
    pos++;
  };
  const field = (): string => {
    const t = peek();
    if (t?.kind !== 'word') throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t?.text ?? '<EOF>'}', expected a field`);
    pos++;
    return t.text;
  };
  const literal = (): Literal => {
    const t = peek();
    if (!t) throw new SoqlError('MALFORMED_QUERY', 'unexpected end of query, expected a value');
    pos++;
    if (t.kind === 'string') return t.value!;
    if (t.kind === 'number') {
      if (DATETIME.test(t.text)) return { datetime: parseSalesforceDate(t.text) };
      if (DATE.test(t.text)) return { datetime: Date.parse(`${t.text}T00:00:00Z`) };
      const n = Number(t.text);
      if (Number.isNaN(n)) throw new SoqlError('MALFORMED_QUERY', `value ${t.text} is not a number or a datetime`);
      return n;
    }
    if (t.kind === 'word') {
      const u = t.text.toUpperCase();
      if (u === 'TRUE') return true;
      if (u === 'FALSE') return false;
      if (u === 'NULL') return null;
    }
    throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t.text}', expected a value`);
  };

  expectWord('SELECT');
  const fields: string[] = [];
  let count = false;
  if (isWord('COUNT') && tokens[pos + 1]?.text === '(' && tokens[pos + 2]?.text === ')') {
    count = true;
    pos += 3;
  } else {
    for (;;) {
      fields.push(field());
      if (peek()?.text !== ',') break;
      pos++;
    }
  }
  expectWord('FROM');
  const object = field();

  const comparison = (): Condition => {
    const f = field();
    if (isWord('NOT') && isWord('IN', tokens[pos + 1])) {
      pos += 2;
      return { op: 'in', field: f, negated: true, values: list() };
    }
    if (isWord('IN')) {
      pos++;
      return { op: 'in', field: f, negated: false, values: list() };
    }
    if (isWord('LIKE')) {
      pos++;
      const v = literal();
      if (typeof v !== 'string') throw new SoqlError('MALFORMED_QUERY', 'LIKE needs a string literal');
      return { op: 'like', field: f, pattern: v };
    }
    const t = peek();
    if (t?.kind !== 'punct' || !['=', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t?.text ?? '<EOF>'}', expected an operator`);
    }
    pos++;
    return { op: 'cmp', field: f, cmp: t.text as '=', value: literal() };
  };
  const list = (): Literal[] => {
    expectPunct('(');
    const values: Literal[] = [literal()];
    while (peek()?.text === ',') {
      pos++;
      values.push(literal());
    }
    expectPunct(')');
    return values;
  };
  const unary = (): Condition => {
    if (isWord('NOT')) {
      pos++;
      return { op: 'not', inner: unary() };
    }
    if (peek()?.text === '(') {
      pos++;
      const inner = orExpr();
      expectPunct(')');
      return inner;
    }
    return comparison();
  };
  const andExpr = (): Condition => {
    let left = unary();
    while (isWord('AND')) {
      pos++;
      left = { op: 'and', left, right: unary() };
    }
    return left;
  };
  const orExpr = (): Condition => {
    let left = andExpr();
    while (isWord('OR')) {
      pos++;
      left = { op: 'or', left, right: andExpr() };
    }
    return left;
  };

  const query: SoqlQuery = { object, fields, count };
  if (isWord('WHERE')) {
    pos++;
    query.where = orExpr();
  }
  if (isWord('ORDER')) {
    pos++;
    expectWord('BY');
    query.orderBy = [];
    for (;;) {
      const f = field();
      let descending = false;
      if (isWord('ASC')) pos++;
      else if (isWord('DESC')) {
        pos++;
        descending = true;
      }
      let nullsLast = descending;
      if (isWord('NULLS')) {
        pos++;
        if (isWord('FIRST')) nullsLast = false;
        else if (isWord('LAST')) nullsLast = true;
        else throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${peek()?.text ?? '<EOF>'}', expected FIRST or LAST`);
        pos++;
      }
      query.orderBy.push({ field: f, descending, nullsLast });
      if (peek()?.text !== ',') break;
      pos++;
    }
  }
  const integer = (what: string) => {
    const t = peek();
    if (t?.kind !== 'number' || !/^\d+$/.test(t.text)) throw new SoqlError('MALFORMED_QUERY', `${what} needs a non-negative integer`);
    pos++;
    return Number(t.text);
  };
  if (isWord('LIMIT')) {
    pos++;
    query.limit = integer('LIMIT');
  }
  if (isWord('OFFSET')) {
    pos++;
    query.offset = integer('OFFSET');
  }
  if (pos < tokens.length) throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${tokens[pos]!.text}'`);
  return query;
}

/** A queryable object: canonical field names, relationships (name → target object and the id field), rows. */
export interface SoqlObject {
  name: string;
  fields: readonly string[];
  relationships?: Record<string, { object: string; idField: string }>;
}

/** A row as the emulator's state exposes it: canonical field name → value (datetimes in Salesforce format). */
export type SoqlRow = Record<string, unknown>;

export interface SoqlCatalog {
  object(name: string): SoqlObject | undefined;
  /** The related row for a relationship field, or undefined (null in the answer). */
  related(object: string, id: unknown): SoqlRow | undefined;
}

function canonical(object: SoqlObject, name: string): string {
  const found = object.fields.find((f) => f.toLowerCase() === name.toLowerCase());
  if (!found) {
    throw new SoqlError(
      'INVALID_FIELD',
      `No such column '${name}' on entity '${object.name}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
    );
  }
  return found;
}

/** Resolves `Field` or `Relationship.Field` against the catalog, once, so evaluation is a lookup. */
interface ResolvedPath {
  written: string;
  relationship?: { name: string; object: SoqlObject; idField: string };
  field: string;
}

function resolve(catalog: SoqlCatalog, object: SoqlObject, path: string): ResolvedPath {
  const parts = path.split('.');
  // SOQL allows the object's own name as a prefix (`OauthToken.AppName`).
  if (parts.length === 2 && parts[0]!.toLowerCase() === object.name.toLowerCase()) parts.shift();
  if (parts.length === 1) return { written: path, field: canonical(object, parts[0]!) };
  if (parts.length === 2) {
    const relName = Object.keys(object.relationships ?? {}).find((r) => r.toLowerCase() === parts[0]!.toLowerCase());
    if (!relName) {
      throw new SoqlError(
        'INVALID_FIELD',
        `Didn't understand relationship '${parts[0]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name.`,
      );
    }
    const rel = object.relationships![relName]!;
    const target = catalog.object(rel.object)!;
    return { written: path, relationship: { name: relName, object: target, idField: rel.idField }, field: canonical(target, parts[1]!) };
  }
  throw new SoqlError('MALFORMED_QUERY', `field path ${path} goes deeper than the emulator supports (one relationship)`);
}

function valueAt(catalog: SoqlCatalog, row: SoqlRow, path: ResolvedPath): unknown {
  if (!path.relationship) return row[path.field];
  const related = catalog.related(path.relationship.object.name, row[path.relationship.idField]);
  return related?.[path.field];
}

function compare(a: unknown, b: Literal): number | undefined {
  if (a === null || a === undefined || b === null) return undefined;
  if (typeof b === 'object') return typeof a === 'string' ? parseSalesforceDate(a) - b.datetime : undefined;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a.localeCompare(b);
  return undefined;
}

function equals(a: unknown, b: Literal): boolean {
  if (b === null) return a === null || a === undefined;
  if (typeof b === 'object') return typeof a === 'string' && parseSalesforceDate(a) === b.datetime;
  // SOQL string comparison is case-insensitive.
  if (typeof a === 'string' && typeof b === 'string') return a.toLowerCase() === b.toLowerCase();
  return a === b;
}

export interface SoqlResult {
  totalSize: number;
  /** The selected rows, shaped for the answer (`attributes` first, relationship fields nested); empty for COUNT(). */
  records: Array<Record<string, unknown>>;
}

/** `records[].attributes` of the answer: `{ type, url }` (url only when the row has an Id). */
export type AttributesOf = (object: string, row: SoqlRow) => Record<string, string>;

export function runSoql(catalog: SoqlCatalog, query: SoqlQuery, rows: SoqlRow[], attributes: AttributesOf): SoqlResult {
  const object = catalog.object(query.object)!;
  const selected = query.fields.map((f) => resolve(catalog, object, f));
  const test = (cond: Condition, row: SoqlRow): boolean => {
    switch (cond.op) {
      case 'and':
        return test(cond.left, row) && test(cond.right, row);
      case 'or':
        return test(cond.left, row) || test(cond.right, row);
      case 'not':
        return !test(cond.inner, row);
      case 'in': {
        const v = valueAt(catalog, row, resolve(catalog, object, cond.field));
        const hit = cond.values.some((x) => equals(v, x));
        return cond.negated ? !hit : hit;
      }
      case 'like': {
        const v = valueAt(catalog, row, resolve(catalog, object, cond.field));
        const source = cond.pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/%/g, '.*').replace(/_/g, '.');
        return typeof v === 'string' && new RegExp(`^${source}$`, 'i').test(v);
      }
      case 'cmp': {
        const v = valueAt(catalog, row, resolve(catalog, object, cond.field));
        if (cond.cmp === '=') return equals(v, cond.value);
        if (cond.cmp === '!=') return !equals(v, cond.value);
        const d = compare(v, cond.value);
        if (d === undefined) return false;
        return cond.cmp === '<' ? d < 0 : cond.cmp === '<=' ? d <= 0 : cond.cmp === '>' ? d > 0 : d >= 0;
      }
    }
  };
  let matched = query.where ? rows.filter((r) => test(query.where!, r)) : [...rows];
  if (query.orderBy?.length) {
    const keys = query.orderBy.map((o) => ({ ...o, path: resolve(catalog, object, o.field) }));
    matched.sort((x, y) => {
      for (const { path, descending, nullsLast } of keys) {
        const a = valueAt(catalog, x, path);
        const b = valueAt(catalog, y, path);
        const aNull = a === null || a === undefined;
        const bNull = b === null || b === undefined;
        if (aNull || bNull) {
          if (aNull === bNull) continue;
          return aNull === nullsLast ? 1 : -1;
        }
        const d = typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
        if (d !== 0) return descending ? -d : d;
      }
      return 0;
    });
  }
  if (query.offset) matched = matched.slice(query.offset);
  if (query.limit !== undefined) matched = matched.slice(0, query.limit);
  if (query.count) return { totalSize: matched.length, records: [] };
  return {
    totalSize: matched.length,
    records: matched.map((row) => {
      const fields: Record<string, unknown> = { attributes: attributes(object.name, row) };
      for (const path of selected) {
        if (!path.relationship) {
          fields[path.field] = row[path.field] ?? null;
          continue;
        }
        const related = catalog.related(path.relationship.object.name, row[path.relationship.idField]);
        if (!related) {
          fields[path.relationship.name] = null;
          continue;
        }
        const nested = (fields[path.relationship.name] ??= { attributes: attributes(path.relationship.object.name, related) }) as Record<string, unknown>;
        nested[path.field] = related[path.field] ?? null;
      }
      return fields;
    }),
  };
}
