// A process definition (docs/internals/PROCESSES.md) as the editor holds it, and back: rows for
// the rules, conditions, targets, tasks and approval steps, each with the kind chosen in a
// select. Members the editor does not know are kept as they were.
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
export type AssigneeKind = 'owner' | 'superior' | 'actor' | 'field' | 'user'; // one person: no roles
export type ApproverKind = 'role' | 'superior' | 'head' | 'field' | 'user';
export type HeadKind = 'department' | 'subsidiary';
// `head` only for an approver of kind "head": the submitter's department or subsidiary.
export interface Rule<K> { kind: K; role: string; field: string; user: number | null; head: HeadKind }
export interface GuardRow { field: string; op: string; value: unknown }
export interface SetRow { field: string; value: unknown }
export interface ShareRow { field: string; access: 'read' | 'edit' }
export type SpanUnit = 's' | 'm' | 'h' | 'd';
/* "3d": a number and its unit; no number, no span. */
export interface Span { n: number | null; unit: SpanUnit }
export type Priority = '' | 'high' | 'normal' | 'low';
/* A task the transition creates about the record, for one person. */
export interface TaskForm {
  subject: string;
  assignee: Rule<AssigneeKind>;
  due_in: Span;
  remind_before: Span;
  priority: Priority;
  description: string;
  rest: Record<string, unknown>;
}
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
  tasks: TaskForm[];
  approval: string; // the key of the approval flow it submits to, or ''
  rest: Record<string, unknown>; // members the editor does not edit
}

/* An approval flow (docs/internals/PROCESSES.md, "Approval flows") and its steps. */
export interface StepForm {
  key: string;
  zh: string;
  en: string;
  mode: 'any' | 'all';
  approvers: Rule<ApproverKind>[];
  when: GuardRow[];
  rest: Record<string, unknown>;
}
export interface FlowForm {
  key: string;
  zh: string;
  en: string;
  on_approve: string;
  on_reject: string;
  on_withdraw: string; // '' when none
  steps: StepForm[];
  rest: Record<string, unknown>;
}

export const whoKinds: WhoKind[] = ['role', 'owner', 'superior', 'field', 'user'];
export const notifyKinds: NotifyKind[] = ['owner', 'superior', 'actor', 'role', 'field', 'user'];
export const assigneeKinds: AssigneeKind[] = ['owner', 'superior', 'actor', 'field', 'user'];
export const approverKinds: ApproverKind[] = ['role', 'superior', 'head', 'field', 'user'];
export const spanUnits: SpanUnit[] = ['m', 'h', 'd', 's'];
export const priorities: Priority[] = ['high', 'normal', 'low'];
export const guardOps = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'null', 'not_null'];
export const rule = <K>(kind: K): Rule<K> => ({ kind, role: '', field: '', user: null, head: 'department' });

export const blankTransition = (): TransitionForm => ({
  key: '', zh: '', en: '', from: [], to: '', who: [], guard: [], require: [], set: [], share: [], notify: [], tasks: [], approval: '', rest: {},
});
export const blankTask = (): TaskForm => ({
  subject: '', assignee: rule('owner'), due_in: { n: null, unit: 'd' }, remind_before: { n: null, unit: 'h' }, priority: '', description: '', rest: {},
});
export const blankStep = (): StepForm => ({ key: '', zh: '', en: '', mode: 'any', approvers: [rule('superior')], when: [], rest: {} });
export const blankFlow = (): FlowForm => ({ key: '', zh: '', en: '', on_approve: '', on_reject: '', on_withdraw: '', steps: [blankStep()], rest: {} });

function toRule<K extends string>(x: unknown): Rule<K> | null {
  if (typeof x === 'string') return rule(x as K);
  if (!x || typeof x !== 'object') return null;
  const o = x as Record<string, unknown>;
  if (typeof o.role === 'string') return { ...rule('role' as K), role: o.role };
  if (typeof o.field === 'string') return { ...rule('field' as K), field: o.field };
  if (typeof o.user === 'number') return { ...rule('user' as K), user: o.user };
  if (o.head === 'department' || o.head === 'subsidiary') return { ...rule('head' as K), head: o.head };
  if (o.owner) return rule('owner' as K);
  if (o.superior) return rule('superior' as K);
  return null;
}
function fromRule(r: Rule<string>, asString: boolean): unknown {
  if (r.kind === 'role') return { role: r.role };
  if (r.kind === 'field') return { field: r.field };
  if (r.kind === 'user') return { user: r.user };
  if (r.kind === 'head') return { head: r.head };
  return asString ? r.kind : { [r.kind]: true };
}
const rules = <K extends string>(list: unknown): Rule<K>[] =>
  (Array.isArray(list) ? list : []).map((x) => toRule<K>(x)).filter((x): x is Rule<K> => !!x);

/* Names in both languages; English falls back to the Chinese, as the server needs both. */
const labelOf = (zh: string, en: string) => ({ 'zh-CN': zh.trim(), en: en.trim() || zh.trim() });

/* Conditions: a transition's guard and a step's when have the same shape. */
const guardRows = (list: unknown): GuardRow[] =>
  (Array.isArray(list) ? list : []).map((g) => ({ field: g.field, op: g.op, value: g.value ?? null }));
const guardJson = (rows: GuardRow[]) =>
  rows.map((g) => (g.op === 'null' || g.op === 'not_null' ? { field: g.field, op: g.op } : { field: g.field, op: g.op, value: g.value }));

export function parseSpan(s: unknown, unit: SpanUnit): Span {
  const m = typeof s === 'string' ? /^(\d+)([smhd])$/.exec(s) : null;
  return m ? { n: Number(m[1]), unit: m[2] as SpanUnit } : { n: null, unit };
}
export const spanText = (s: Span) => (s.n ? `${s.n}${s.unit}` : '');

function taskForm(x: Record<string, unknown>): TaskForm {
  const { subject, assignee, due_in, remind_before, priority, description, ...rest } = x;
  return {
    subject: String(subject ?? ''),
    assignee: toRule<AssigneeKind>(assignee) || rule('owner'),
    due_in: parseSpan(due_in, 'd'),
    remind_before: parseSpan(remind_before, 'h'),
    priority: (['high', 'normal', 'low'].includes(String(priority)) ? priority : '') as Priority,
    description: String(description ?? ''),
    rest,
  };
}
function taskJson(f: TaskForm): Record<string, unknown> {
  const t: Record<string, unknown> = { ...f.rest, subject: f.subject.trim(), assignee: fromRule(f.assignee, true) };
  if (spanText(f.due_in)) t.due_in = spanText(f.due_in);
  if (spanText(f.due_in) && spanText(f.remind_before)) t.remind_before = spanText(f.remind_before);
  if (f.priority) t.priority = f.priority;
  if (f.description.trim()) t.description = f.description.trim();
  return t;
}

export function transitionForm(t: Record<string, unknown>): TransitionForm {
  const { key, label, from, to, who, guard, require, set, share, notify, tasks, approval, ...rest } = t as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    key: String(key ?? ''),
    zh: label?.['zh-CN'] ?? '',
    en: label?.en ?? '',
    from: Array.isArray(from) ? [...from] : [],
    to: String(to ?? ''),
    who: rules<WhoKind>(who),
    guard: guardRows(guard),
    require: Array.isArray(require) ? [...require] : [],
    set: Object.entries(set && typeof set === 'object' ? set : {}).map(([field, value]) => ({ field, value })),
    share: (Array.isArray(share) ? share : []).map((s) => ({ field: s.field, access: s.access === 'read' ? 'read' : 'edit' })),
    notify: rules<NotifyKind>(notify),
    tasks: (Array.isArray(tasks) ? tasks : []).map(taskForm),
    approval: typeof approval === 'string' ? approval : '',
    rest,
  };
}

export function transitionJson(f: TransitionForm): Record<string, unknown> {
  const t: Record<string, unknown> = { ...f.rest, key: f.key.trim(), label: labelOf(f.zh, f.en) };
  if (f.from.length) t.from = [...f.from];
  t.to = f.to;
  if (f.who.length) t.who = f.who.map((r) => fromRule(r, false));
  if (f.guard.length) t.guard = guardJson(f.guard);
  if (f.require.length) t.require = [...f.require];
  if (f.set.length) t.set = Object.fromEntries(f.set.map((s) => [s.field, s.value]));
  if (f.share.length) t.share = f.share.map((s) => ({ field: s.field, access: s.access }));
  if (f.notify.length) t.notify = f.notify.map((r) => fromRule(r, true));
  if (f.tasks.length) t.tasks = f.tasks.map(taskJson);
  if (f.approval) t.approval = f.approval;
  return t;
}

export function flowForm(x: Record<string, unknown>): FlowForm {
  const { key, label, on_approve, on_reject, on_withdraw, steps, ...rest } = x as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  return {
    key: String(key ?? ''),
    zh: label?.['zh-CN'] ?? '',
    en: label?.en ?? '',
    on_approve: String(on_approve ?? ''),
    on_reject: String(on_reject ?? ''),
    on_withdraw: String(on_withdraw ?? ''),
    steps: (Array.isArray(steps) ? steps : []).map((st: Record<string, any>) => { // eslint-disable-line @typescript-eslint/no-explicit-any
      const { key: k, label: l, mode, approvers, when, ...more } = st;
      return { key: String(k ?? ''), zh: l?.['zh-CN'] ?? '', en: l?.en ?? '', mode: mode === 'all' ? 'all' : 'any', approvers: rules<ApproverKind>(approvers), when: guardRows(when), rest: more };
    }),
    rest,
  };
}

export function flowJson(f: FlowForm): Record<string, unknown> {
  const j: Record<string, unknown> = { ...f.rest, key: f.key.trim(), label: labelOf(f.zh, f.en), on_approve: f.on_approve, on_reject: f.on_reject };
  if (f.on_withdraw) j.on_withdraw = f.on_withdraw;
  j.steps = f.steps.map((s) => {
    const st: Record<string, unknown> = { ...s.rest, key: s.key.trim(), label: labelOf(s.zh, s.en) };
    if (s.mode === 'all') st.mode = 'all'; // "any" is the default
    st.approvers = s.approvers.map((r) => fromRule(r, false));
    if (s.when.length) st.when = guardJson(s.when);
    return st;
  });
  return j;
}
