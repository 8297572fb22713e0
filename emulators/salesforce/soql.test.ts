// The SOQL subset on its own: grammar edge cases the jsforce-driven tests do not reach.
import { describe, expect, it } from 'vitest';
import { parseSoql, runSoql, SoqlError, type SoqlCatalog, type SoqlRow } from './soql.ts';

const catalog: SoqlCatalog = {
  object: (name) =>
    name.toLowerCase() === 'thing'
      ? { name: 'Thing', fields: ['Id', 'Name', 'Score', 'At', 'OwnerId'], relationships: { Owner: { object: 'Person', idField: 'OwnerId' } } }
      : name.toLowerCase() === 'person'
        ? { name: 'Person', fields: ['Id', 'Email'] }
        : undefined,
  related: (object, id) => (object === 'Person' && id === 'p1' ? { Id: 'p1', Email: 'o@x.test' } : undefined),
};
const rows: SoqlRow[] = [
  { Id: 'a', Name: "O'Brien", Score: 3, At: '2025-08-08T12:00:00.000+0000', OwnerId: 'p1' },
  { Id: 'b', Name: 'beta', Score: null, At: '2025-08-01T00:00:00.000+0000', OwnerId: null },
  { Id: 'c', Name: 'Gamma', Score: 7, At: '2025-08-20T00:00:00.000+0000', OwnerId: 'p1' },
];
const attributes = (type: string) => ({ type });
const ids = (soql: string) => runSoql(catalog, parseSoql(soql), rows, attributes).records.map((r) => r.Id);

describe('SOQL subset', () => {
  it('handles escaped quotes, case-insensitive keywords, fields and string equality', () => {
    expect(ids(`select id from thing where name = 'o\\'brien'`)).toEqual(['a']);
  });

  it('gives AND precedence over OR and honours NOT, parentheses and NOT IN', () => {
    expect(ids(`SELECT Id FROM Thing WHERE Name = 'beta' OR Score > 5 AND Id != 'c'`)).toEqual(['b']);
    expect(ids(`SELECT Id FROM Thing WHERE (Name = 'beta' OR Score > 5) AND NOT Id = 'b'`)).toEqual(['c']);
    expect(ids(`SELECT Id FROM Thing WHERE Id NOT IN ('a', 'b')`)).toEqual(['c']);
  });

  it('compares datetimes, orders with NULLS LAST, and applies LIMIT and OFFSET', () => {
    expect(ids(`SELECT Id FROM Thing WHERE At >= 2025-08-08T12:00:00Z`)).toEqual(['a', 'c']);
    expect(ids(`SELECT Id FROM Thing WHERE At < 2025-08-05`)).toEqual(['b']);
    expect(ids(`SELECT Id FROM Thing ORDER BY Score ASC NULLS LAST`)).toEqual(['a', 'c', 'b']);
    expect(ids(`SELECT Id FROM Thing ORDER BY Score DESC LIMIT 1 OFFSET 1`)).toEqual(['a']);
  });

  it('nests relationship fields and returns null for a missing parent', () => {
    const res = runSoql(catalog, parseSoql(`SELECT Id, Owner.Email FROM Thing WHERE Owner.Email LIKE '%@x.test' OR Id = 'b'`), rows, attributes);
    expect(res.records).toEqual([
      { attributes: { type: 'Thing' }, Id: 'a', Owner: { attributes: { type: 'Person' }, Email: 'o@x.test' } },
      { attributes: { type: 'Thing' }, Id: 'b', Owner: null },
      { attributes: { type: 'Thing' }, Id: 'c', Owner: { attributes: { type: 'Person' }, Email: 'o@x.test' } },
    ]);
  });

  it('rejects malformed queries and unknown fields with Salesforce error codes', () => {
    const code = (fn: () => unknown) => {
      try {
        fn();
      } catch (err) {
        return err instanceof SoqlError ? err.errorCode : 'other';
      }
      return 'none';
    };
    expect(code(() => parseSoql(`SELECT Id FROM Thing WHERE Name = 'open`))).toBe('MALFORMED_QUERY');
    expect(code(() => parseSoql(`SELECT Id FROM Thing LIMIT x`))).toBe('MALFORMED_QUERY');
    expect(code(() => parseSoql(`SELECT Id FROM Thing WHERE Name ~ 'x'`))).toBe('MALFORMED_QUERY');
    expect(code(() => ids(`SELECT Nope FROM Thing`))).toBe('INVALID_FIELD');
    expect(code(() => ids(`SELECT Id FROM Thing WHERE Boss.Email = 'x'`))).toBe('INVALID_FIELD');
  });
});
