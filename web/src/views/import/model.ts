// What the import wizard knows: the server's report (docs/API.md, "Export and import"), the
// file's columns, and which fields the user may fill from a file.
import type { Entity, Field } from '../../stores/session';

export interface RowError {
  row?: number;
  field: string | null;
  code: string;
  message: string;
}

export interface Report {
  dry_run: boolean;
  rows: number;
  valid: number;
  invalid: number;
  created: number;
  encoding: string;
  mapping: Record<string, string>;
  unmapped_columns: string[];
  errors_truncated: boolean;
  errors: RowError[];
}

/* One line of the error table, as shown and as downloaded. */
export interface ErrorItem {
  row: string;
  field: string;
  column: string;
  message: string;
}

export interface Column {
  header: string;
  sample: string;
  /* Another column has the same header: a mapping, keyed by header, cannot tell them apart. */
  ambiguous: boolean;
}

/*
 * Fields a file may fill: writable ones, less those the server would refuse for this user
 * (sensitive ones without that permission, the owner without assigning over everyone).
 */
export function importableFields(e: Entity): Field[] {
  const assignAll = e.scopes ? e.scopes.assign === 'all' : !!e.permissions.assign;
  return e.fields.filter(
    (f) => !f.read_only && (!f.sensitive || e.permissions.sensitive) && (f.name !== 'owner_id' || assignAll),
  );
}

/* The server's own rule when it could not tell us its mapping: a field's name or a label,
 * in either language, ignoring ASCII case (src/meta/import_read.c). */
export function matchHeader(fields: Field[], header: string): string {
  const fold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const h = fold(header);
  const f = fields.find((x) => fold(x.name) === h || Object.values(x.label).some((l) => fold(l) === h));
  return f ? f.name : '';
}

export function columnsOf(records: string[][], trim: (s: string) => string): Column[] {
  const headers = (records[0] || []).map(trim);
  const count = new Map<string, number>();
  for (const h of headers) count.set(h, (count.get(h) || 0) + 1);
  return headers.map((header, i) => ({
    header,
    sample: records[1]?.[i] ?? '',
    ambiguous: (count.get(header) || 0) > 1,
  }));
}
