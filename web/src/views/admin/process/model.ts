// A process definition (docs/internals/PROCESSES.md) as the editor holds it, and back: rows for
// the rules, conditions and targets, each with the kind chosen in a select. Members the editor
// does not know are kept as they were.
export type L = Record<string, string>;
export interface Definition {
  entity: string;
  label: L;
  state_field: string;
  initial: string;
  transitions: Record<string, unknown>[];
  [more: string]: unknown;
}
export interface ProcessRow { key: string; entity: string; version: number; updated_at: string; definition: Definition }

export type WhoKind = 'role' | 'owner' | 'superior' | 'field' | 'user';
export type NotifyKind = 'owner' | 'superior' | 'actor' | 'role' | 'field' | 'user';
export interface Rule<K> { kind: K; role: string; field: string; user: number | null }
export interface GuardRow { field: string; op: string; value: unknown }
export interface SetRow { field: string; value: unknown }
export interface ShareRow { field: string; access: 'read' | 'edit' }
export interface TransitionForm {
  key: string;
  zh: string;
  en: string;
  from: string[];
  to: string;
  who: Rule<WhoKind>[];
  guard: GuardRow[];
  require: string[];
  set: SetRow[];
  share: ShareRow[];
  notify: Rule<NotifyKind>[];
  rest: Record<string, unknown>; // members the editor does not edit
}

export const whoKinds: WhoKind[] = ['role', 'owner', 'superior', 'field', 'user'];
export const notifyKinds: NotifyKind[] = ['owner', 'superior', 'actor', 'role', 'field', 'user'];
export const guardOps = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'null', 'not_null'];
export const rule = <K>(kind: K): Rule<K> => ({ kind, role: '', field: '', user: null });

export const blankTransition = (): TransitionForm => ({
  key: '', zh: '', en: '', from: [], to: '', who: [], guard: [], require: [], set: [], share: [], notify: [], rest: {},
});

function toRule<K extends string>(x: unknown): Rule<K> | null {
  if (typeof x === 'string') return rule(x as K);
  if (!x || typeof x !== 'object') return null;
  const o = x as Record<string, unknown>;
  if (typeof o.role === 'string') return { ...rule('role' as K), role: o.role };
  if (typeof o.field === 'string') return { ...rule('field' as K), field: o.field };
  if (typeof o.user === 'number') return { ...rule('user' as K), user: o.user };
  if (o.owner) return rule('owner' as K);
  if (o.superior) return rule('superior' as K);
  return null;
}
function fromRule(r: Rule<string>, asString: boolean): unknown {
  if (r.kind === 'role') return { role: r.role };
  if (r.kind === 'field') return { field: r.field };
  if (r.kind === 'user') return { user: r.user };
  return asString ? r.kind : { [r.kind]: true };
}

export function transitionForm(t: Record<string, unknown>): TransitionForm {
  const { key, label, from, to, who, guard, require, set, share, notify, ...rest } = t as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    key: String(key ?? ''),
    zh: label?.['zh-CN'] ?? '',
    en: label?.en ?? '',
    from: Array.isArray(from) ? [...from] : [],
    to: String(to ?? ''),
    who: (Array.isArray(who) ? who : []).map((x) => toRule<WhoKind>(x)).filter((x): x is Rule<WhoKind> => !!x),
    guard: (Array.isArray(guard) ? guard : []).map((g) => ({ field: g.field, op: g.op, value: g.value ?? null })),
    require: Array.isArray(require) ? [...require] : [],
    set: Object.entries(set && typeof set === 'object' ? set : {}).map(([field, value]) => ({ field, value })),
    share: (Array.isArray(share) ? share : []).map((s) => ({ field: s.field, access: s.access === 'read' ? 'read' : 'edit' })),
    notify: (Array.isArray(notify) ? notify : []).map((x) => toRule<NotifyKind>(x)).filter((x): x is Rule<NotifyKind> => !!x),
    rest,
  };
}

export function transitionJson(f: TransitionForm): Record<string, unknown> {
  const t: Record<string, unknown> = { ...f.rest, key: f.key.trim(), label: { 'zh-CN': f.zh.trim(), en: f.en.trim() || f.zh.trim() } };
  if (f.from.length) t.from = [...f.from];
  t.to = f.to;
  if (f.who.length) t.who = f.who.map((r) => fromRule(r, false));
  if (f.guard.length) t.guard = f.guard.map((g) => (g.op === 'null' || g.op === 'not_null' ? { field: g.field, op: g.op } : { field: g.field, op: g.op, value: g.value }));
  if (f.require.length) t.require = [...f.require];
  if (f.set.length) t.set = Object.fromEntries(f.set.map((s) => [s.field, s.value]));
  if (f.share.length) t.share = f.share.map((s) => ({ field: s.field, access: s.access }));
  if (f.notify.length) t.notify = f.notify.map((r) => fromRule(r, true));
  return t;
}
