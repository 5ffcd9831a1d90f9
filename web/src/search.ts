// Search across every entity the user may read and that has searchable fields, one list call per
// entity in parallel: each call obeys that entity's permissions, and a new entity joins the
// search by being searchable in the metadata.
import { api } from './api';
import { useSession, type Entity } from './stores/session';

export interface Hit { entity: Entity; id: number; title: string; row: Record<string, unknown> }
export interface HitGroup { entity: Entity; hits: Hit[]; total: number; exact: boolean }

export async function searchEverywhere(q: string, perEntity: number): Promise<HitGroup[]> {
  const session = useSession();
  const targets = session.entities.filter((e) => e.searchable && e.permissions.read && e.title_field);
  const groups = await Promise.all(targets.map(async (e) => {
    const params = new URLSearchParams({ q, limit: String(perEntity) });
    const page = await api<{ data: Record<string, unknown>[]; total?: number; total_exact?: boolean }>('GET', `/api/v1/${e.name}?${params}`)
      .catch(() => ({ data: [], total: 0, total_exact: true }));
    const hits = page.data.map((row) => ({ entity: e, id: Number(row.id), title: String(row[e.title_field!] ?? row.id), row }));
    return { entity: e, hits, total: page.total ?? hits.length, exact: page.total_exact ?? true };
  }));
  return groups.filter((g) => g.hits.length);
}
