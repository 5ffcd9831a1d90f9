// Words for the parts of a process being edited, for the tables' summaries and the diagrams'
// labels: a condition ("金额 大于 ¥1,000,000.00"), a rule or approver, a step, a transition's
// effects. Names come from the entity's metadata and the roles, in the user's language.
import type { Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { labelIn } from '../../../format';
import type { Entity } from '../../../stores/session';
import { titleOf } from '../../../titles';
import type { Role } from '../shared';
import type { FlowForm, GuardRow, Rule, StepForm, TransitionForm } from './model';

export function useDescribe(entity: Readonly<Ref<Entity | undefined>>, roles: Readonly<Ref<Role[]>>) {
  const { t, locale } = useI18n();
  const list = (xs: string[]) => xs.join(locale.value === 'en' ? ', ' : '、');
  const field = (name: string) => entity.value?.fields.find((f) => f.name === name);
  const fieldName = (name: string) => labelIn(field(name)?.label || { 'zh-CN': name }, locale.value);
  const roleName = (k: string) => labelIn(roles.value.find((r) => r.key === k)?.name || { 'zh-CN': k }, locale.value);
  const named = (x: { zh: string; en: string; key: string }) => (locale.value === 'en' ? x.en || x.zh : x.zh || x.en) || x.key;

  /* One value a condition compares with, in the field's terms (money is kept in fen). */
  function valueText(name: string, v: unknown): string {
    const f = field(name);
    if (v === null || v === undefined || v === '') return '?';
    if (Array.isArray(v)) return list(v.map((x) => valueText(name, x)));
    if (f?.type === 'money' && typeof v === 'number')
      return new Intl.NumberFormat(locale.value, { style: 'currency', currency: 'CNY' }).format(v / 100);
    if ((f?.type === 'enum' || f?.type === 'multienum') && f.options)
      return labelIn(f.options.find((o) => o.key === v)?.label || { 'zh-CN': String(v) }, locale.value);
    if (f?.type === 'user') return titleOf('users', v);
    if (f?.type === 'reference' && f.ref) return titleOf(f.ref, v);
    if (f?.type === 'bool') return v ? t('admin.common.yes') : t('admin.common.no');
    return String(v);
  }
  const conditionText = (g: GuardRow) =>
    [fieldName(g.field), t(`admin.proc.ops.${g.op}`), ...(g.op === 'null' || g.op === 'not_null' ? [] : [valueText(g.field, g.value)])].join(' ');
  const conditionsText = (rows: GuardRow[]) => rows.map(conditionText).join(locale.value === 'en' ? ' and ' : '，且 ');

  /* A who rule, notify target or task assignee (`kinds`), or an approver (`approverKinds`). */
  function ruleText(r: Rule<string>, approver = false): string {
    if (r.kind === 'role') return r.role ? roleName(r.role) : t('admin.proc.kinds.role');
    if (r.kind === 'field') return r.field ? fieldName(r.field) : t('admin.proc.kinds.field');
    if (r.kind === 'user') return r.user ? titleOf('users', r.user) : t('admin.proc.kinds.user');
    if (r.kind === 'head') return t(`admin.proc.heads.${r.head}`);
    return t(approver ? `admin.proc.approverKinds.${r.kind}` : `admin.proc.kinds.${r.kind}`);
  }
  /* "任一人 · 提交人的上级、财务": how a step is decided and by whom. */
  const stepText = (s: StepForm) => `${t(`admin.proc.modes.${s.mode}`)} · ${list(s.approvers.map((r) => ruleText(r, true))) || '?'}`;

  /* What a transition does besides moving the state: the approval it starts (its steps in the
   * tip) and the tasks it creates (each subject and for whom). */
  function effects(tr: TransitionForm, flows: FlowForm[]): { text: string; tip: string }[] {
    const out: { text: string; tip: string }[] = [];
    if (tr.approval) {
      const f = flows.find((x) => x.key === tr.approval);
      out.push({ text: t('admin.proc.effectApproval', { name: f ? named(f) : tr.approval }), tip: f ? f.steps.map(named).join(' → ') : '' });
    }
    if (tr.tasks.length)
      out.push({ text: t('admin.proc.effectTasks', { n: tr.tasks.length }), tip: tr.tasks.map((x) => `${x.subject}（${ruleText(x.assignee)}）`).join('；') });
    return out;
  }
  return { fieldName, roleName, named, conditionText, conditionsText, ruleText, stepText, effects, list };
}
