// A list's filters as the API takes them (`field=value`, `field__op=value`, docs/API.md) and as
// the URL keeps them, so a filtered list can be bookmarked, shared and saved as a view.
import type { Entity, Field } from './stores/session';

export interface Filter {
  field: string;
  op: string;
  value: string;
}

export const listParams = ['q', 'sort', 'cols', 'view'];

export function filtersFromQuery(e: Entity, query: Record<string, unknown>): Filter[] {
  const out: Filter[] = [];
  for (const [key, raw] of Object.entries(query)) {
    if (listParams.includes(key) || typeof raw !== 'string') continue;
    const [name, op = 'eq'] = key.split('__');
    if (e.fields.some((f) => f.name === name)) out.push({ field: name, op, value: raw });
  }
  return out;
}

export function filtersToQuery(filters: Filter[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of filters) if (f.field && f.value !== '') out[f.op === 'eq' ? f.field : `${f.field}__${f.op}`] = f.value;
  return out;
}

// Who may filter on what: sensitive fields only with the sensitive permission over every record.
export function filterable(e: Entity): Field[] {
  return e.fields.filter((f) => f.operators?.length && (!f.sensitive || e.scopes?.sensitive === 'all'));
}
