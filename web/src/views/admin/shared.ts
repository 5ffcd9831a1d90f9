// What the administration pages share: copying a secret, the organisation tree, option rows,
// sending a test message.
import { reactive, ref } from 'vue';
import { ElMessage } from 'element-plus';
import { api } from '../../api';
import { i18n } from '../../i18n';
import { clearErrors, showProblem } from '../../problems';

/* A test message of a channel (mail to an address, SMS to a mobile) queued in the outbox: the
 * recipient typed, its error, and the outbox id once queued. */
export function useTestSend(channel: 'mail' | 'sms', field: 'to' | 'mobile') {
  const recipient = ref('');
  const errors = reactive<Record<string, string>>({});
  const testing = ref(false);
  const queued = ref(0);
  async function send() {
    clearErrors(errors);
    if (!recipient.value.trim()) {
      errors[field] = i18n.global.t('admin.common.required');
      return;
    }
    testing.value = true;
    try {
      queued.value = (await api<{ outbox_id: number }>('POST', `/api/v1/settings/${channel}/test`, { [field]: recipient.value.trim() })).outbox_id;
    } catch (e) {
      showProblem(e, errors, [field]);
    } finally {
      testing.value = false;
    }
  }
  return { recipient, errors, testing, queued, send };
}

/* Copy text; without the clipboard API (plain http on the office network) fall back to a
 * hidden text area and the old copy command. */
export async function copyText(text: string) {
  const t = i18n.global.t;
  try {
    if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(text);
    else {
      const ta = document.createElement('textarea');
      ta.value = text;
      ta.setAttribute('readonly', '');
      ta.style.position = 'fixed';
      ta.style.opacity = '0';
      document.body.appendChild(ta);
      ta.select();
      document.execCommand('copy');
      ta.remove();
    }
    ElMessage.success(t('admin.common.copied'));
  } catch {
    ElMessage.error(t('admin.common.copyFailed'));
  }
}

export interface OrgUnit {
  id: number;
  parent_id: number | null;
  name: string;
  kind: 'company' | 'subsidiary' | 'department' | 'team';
  path: string;
  head_user_id: number | null;
  members: number;
}

export interface OrgNode extends OrgUnit {
  children: OrgNode[];
}

/* The flat list (in tree order) as nested nodes. */
export function orgTree(units: OrgUnit[]): OrgNode[] {
  const byId = new Map<number, OrgNode>();
  const roots: OrgNode[] = [];
  for (const u of units) byId.set(u.id, { ...u, children: [] });
  for (const n of byId.values()) {
    const parent = n.parent_id ? byId.get(n.parent_id) : undefined;
    if (parent) parent.children.push(n);
    else roots.push(n);
  }
  return roots;
}

export const orgKinds = ['company', 'subsidiary', 'department', 'team'] as const;
export const kindTag: Record<string, 'danger' | 'success' | 'warning' | 'info' | 'primary'> = {
  company: 'danger', subsidiary: 'success', department: 'primary', team: 'info',
};

export interface UserRow {
  id: number;
  username: string;
  display_name: string | null;
  disabled: boolean;
  created_at: string;
  org_unit_id: number | null;
  position: string | null;
  superior_id: number | null;
  email: string | null;
  mobile: string | null;
  locale: string | null;
  roles?: string[];
}

export interface Role {
  key: string;
  name: Record<string, string>;
  builtin: boolean;
  users: number;
  permissions: Record<string, Record<string, string>>;
}

/* What /api/v1/meta says of a field and an entity, as these pages use it (the session's types
 * carry less). */
export interface MetaOption {
  key: string;
  label: Record<string, string>;
  disabled?: boolean;
}
export interface MetaField {
  name: string;
  type: string;
  label: Record<string, string>;
  help?: Record<string, string>;
  section: string | null;
  required: boolean;
  unique: boolean;
  indexed: boolean;
  searchable: boolean;
  sensitive: boolean;
  read_only: boolean;
  system: boolean;
  custom: boolean;
  max_length?: number;
  min?: number;
  max?: number;
  scale?: number;
  ref?: string;
  default?: unknown;
  options?: MetaOption[];
}
export interface MetaEntity {
  name: string;
  label: Record<string, string>;
  label_plural: Record<string, string>;
  owned?: boolean;
  sections: { key: string; label: Record<string, string> }[];
  fields: MetaField[];
}

export const dateTime = (v: string | null | undefined, locale: string) => (v ? new Date(v).toLocaleString(locale) : '');

/* An option being edited; `kept` marks a key the model already has (it is not retyped: records
 * hold it). */
export interface OptionRow {
  key: string;
  zh: string;
  en: string;
  disabled: boolean;
  kept: boolean;
}

export const toOptionRows = (opts: MetaOption[] = []): OptionRow[] =>
  opts.map((o) => ({ key: o.key, zh: o.label['zh-CN'] || '', en: o.label.en || '', disabled: !!o.disabled, kept: true }));

export const fromOptionRows = (rows: OptionRow[]): MetaOption[] =>
  rows.map((r) => {
    const label: Record<string, string> = {};
    if (r.zh.trim()) label['zh-CN'] = r.zh.trim();
    if (r.en.trim()) label.en = r.en.trim();
    return { key: r.key.trim(), label, ...(r.disabled ? { disabled: true } : {}) };
  });

/* What the registry would refuse, said at the row (it answers such mistakes without naming
 * the option). Returns errors by row index, and '' for the list as a whole. */
export function checkOptions(rows: OptionRow[]): Record<string, string> {
  const t = i18n.global.t;
  const errs: Record<string, string> = {};
  if (!rows.length) errs[''] = t('admin.field.optionsNeeded');
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const k = r.key.trim();
    if (!/^[a-z0-9_-]{1,60}$/.test(k)) errs[i] = t('admin.field.optionKeyRule');
    else if (seen.has(k)) errs[i] = t('admin.field.optionKeyTwice', { key: k });
    else if (!r.zh.trim() && !r.en.trim()) errs[i] = t('admin.field.optionLabelNeeded');
    seen.add(k);
  });
  return errs;
}
