// The inventory as JSON and CSV (issue 7). Both say what each connector could not see: JSON in
// `coverage`, CSV in `blind_spot` / `unavailable` records beside the credential records, so one file
// opened in a spreadsheet cannot hide a gap. Neither ever holds a secret: rows carry ids only.
import type { HygieneReport } from '../../schemas/sweep.ts';

export const CSV_COLUMNS = [
  'record',
  'provider',
  'credential_id',
  'kind',
  'label',
  'principal',
  'principal_status',
  'scopes',
  'consumers',
  'created_at',
  'last_used_at',
  'flags',
  'detail',
] as const;

export function inventoryJson(report: HygieneReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled. */
function csvField(value: string): string {
  // A leading = + - @ makes spreadsheets evaluate the cell (CSV injection): prefix it with a quote.
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function inventoryCsv(report: HygieneReport): string {
  const lines: string[][] = [[...CSV_COLUMNS]];
  const blank = (record: string, provider: string, detail: string, flags = '') => [record, provider, '', '', '', '', '', '', '', '', '', flags, detail];
  for (const r of report.rows) {
    const c = r.credential;
    lines.push([
      'credential',
      c.provider,
      c.id,
      c.kind,
      c.label,
      c.principal.id,
      c.principal.status,
      c.scopes.join(' '),
      c.consumers.map((x) => x.id).join(' '),
      c.createdAt ?? '',
      c.lastUsedAt ?? '',
      r.flags.map((f) => f.kind).join(' '),
      r.flags.map((f) => f.detail).join('; '),
    ]);
  }
  for (const cov of report.coverage) {
    if (cov.state !== 'inventoried') lines.push(blank(cov.state, cov.provider, cov.error ?? ''));
    for (const spot of cov.blindSpots) lines.push(blank('blind_spot', cov.provider, spot));
  }
  return lines.map((l) => l.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Parses what inventoryCsv wrote (tests, and anyone re-reading an export): one object per record. */
export function parseInventoryCsv(text: string): Record<(typeof CSV_COLUMNS)[number], string>[] {
  const records: string[][] = [];
  let field = '';
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(field), (field = '');
    else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field), records.push(row), (row = []), (field = ''), i++;
    } else field += ch;
  }
  if (field || row.length) row.push(field), records.push(row);
  const [header, ...body] = records;
  if (!header || header.join(',') !== CSV_COLUMNS.join(',')) throw new Error('not a Cordon inventory CSV: unexpected header');
  return body.map((cells) => Object.fromEntries(CSV_COLUMNS.map((col, i) => [col, cells[i] ?? ''])) as Record<(typeof CSV_COLUMNS)[number], string>);
}
