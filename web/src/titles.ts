// Names for ids: a reference or user field holds an id, people want to read a name. Titles are
// fetched in batches (one list call per entity for all ids a page asks for in the same tick) and
// kept for the session; the directory of users is fetched once. A record the user may not read
// stays "#id", as the server wants. Organisation units (a record's 所属部门) are no entity: their
// list is fetched once, like the users'.
import { reactive } from 'vue';
import { api } from './api';
import { useSession } from './stores/session';

const titles = reactive(new Map<string, Map<number, string>>());
const pending = new Map<string, Set<number>>();
let scheduled = false;
let usersLoaded: Promise<void> | null = null;

function table(entity: string) {
  let t = titles.get(entity);
  if (!t) {
    t = new Map();
    titles.set(entity, t);
  }
  return t;
}

export interface UserEntry {
  id: number;
  username: string;
  display_name: string;
  org_unit_id: number | null;
  disabled?: boolean;
}
export const users = reactive<UserEntry[]>([]);

export function loadUsers(): Promise<void> {
  usersLoaded ??= api<{ data: UserEntry[] }>('GET', '/api/v1/users').then((r) => {
    users.splice(0, users.length, ...r.data);
    const t = table('users');
    for (const u of r.data) t.set(u.id, u.display_name || u.username);
  }).catch(() => { usersLoaded = null; });
  return usersLoaded;
}

/* The titles of organisation units, as titleOf(ORG_UNITS, id). */
export const ORG_UNITS = 'org-units';
let unitsLoaded: Promise<void> | null = null;

function loadUnits(): Promise<void> {
  unitsLoaded ??= api<{ data: { id: number; name: string }[] }>('GET', '/api/v1/org-units').then((r) => {
    const t = table(ORG_UNITS);
    for (const u of r.data) t.set(u.id, u.name);
  }).catch(() => { unitsLoaded = null; });
  return unitsLoaded;
}

async function flush() {
  scheduled = false;
  const session = useSession();
  const batches = [...pending.entries()];
  pending.clear();
  for (const [entity, ids] of batches) {
    if (entity === 'users' || entity === ORG_UNITS) {
      await (entity === 'users' ? loadUsers() : loadUnits());
      const t = table(entity);
      for (const id of ids) if (!t.has(id)) t.set(id, `#${id}`);
      continue;
    }
    const e = session.entity(entity);
    if (!e?.title_field || !e.permissions.read) continue;
    const list = [...ids];
    for (let i = 0; i < list.length; i += 200) {
      const chunk = list.slice(i, i + 200);
      const q = new URLSearchParams({ id__in: chunk.join(','), fields: e.title_field, limit: '200', total: 'none' });
      const page = await api<{ data: Record<string, unknown>[] }>('GET', `/api/v1/${entity}?${q}`).catch(() => ({ data: [] }));
      const t = table(entity);
      for (const row of page.data) t.set(Number(row.id), String(row[e.title_field] ?? row.id));
      for (const id of chunk) if (!t.has(id)) t.set(id, `#${id}`);
    }
  }
}

/* The title of entity `entity`'s record `id`, or "#id" until it arrives. */
export function titleOf(entity: string, id: unknown): string {
  const n = Number(id);
  if (!Number.isInteger(n)) return String(id ?? '');
  const known = titles.get(entity)?.get(n);
  if (known !== undefined) return known;
  let set = pending.get(entity);
  if (!set) pending.set(entity, (set = new Set()));
  if (!set.has(n)) {
    set.add(n);
    if (!scheduled) {
      scheduled = true;
      queueMicrotask(flush);
    }
  }
  return `#${n}`;
}

/* A title learnt elsewhere (a search result, a record just saved). */
export function rememberTitle(entity: string, id: number, title: string) {
  table(entity).set(id, title);
}
