// A failed call's problem (docs/API.md) shown where it belongs: each error at its form field,
// the rest in a message.
import { ElMessage } from 'element-plus';
import { ApiError } from './api';
import { i18n } from './i18n';

/* Words for the server's codes where its own message would mislead here (keyed by field:code). */
export type Override = Record<string, string>;

/* The field a server path names in a form: "ip_allowlist.user[0]" → "ip_allowlist.user",
 * "totp_roles[2]" → "totp_roles". */
export const fieldKey = (f: string) => f.replace(/\[\d+\]$/, '');

/*
 * Put a failed call's field errors into `errors` when the form has that field (a key of
 * `known`, or accepted by `known` as a function); anything else goes to a message. Returns true
 * when at least one error landed at a field.
 */
export function showProblem(
  e: unknown,
  errors: Record<string, string>,
  known: string[] | ((field: string) => boolean) = [],
  override: Override = {},
): boolean {
  const t = i18n.global.t;
  if (!(e instanceof ApiError)) {
    ElMessage.error(t('admin.common.failed'));
    return false;
  }
  const p = e.problem;
  const has = typeof known === 'function' ? known : (f: string) => known.includes(f);
  const rest: string[] = [];
  let placed = false;
  for (const err of p.errors || []) {
    const msg = override[`${err.field}:${err.code}`] || override[`:${err.code}`] || err.message;
    const key = err.field ? fieldKey(err.field) : '';
    if (key && has(key)) {
      errors[key] = errors[key] ? `${errors[key]}；${msg}` : msg;
      placed = true;
    } else {
      // Generic words ("必填") say little without the field they are about.
      const generic = ['required', 'invalid_type', 'invalid_value', 'unknown_field'].includes(err.code);
      rest.push(err.field && generic ? `${err.field}: ${msg}` : msg);
    }
  }
  if (rest.length || !placed) {
    const detail = typeof p.detail === 'string' && p.detail !== p.title ? p.detail : '';
    ElMessage({ type: 'error', message: rest.length ? rest.join('；') : detail || p.title || t('admin.common.failed'), showClose: true, duration: 6000 });
  }
  return placed;
}

export function clearErrors(errors: Record<string, string>) {
  for (const k of Object.keys(errors)) delete errors[k];
}

/*
 * A refusal inside a dialog: the errors of the fields it shows (`known`) at them in `errors`,
 * the rest (not allowed, gone, a conflict) returned as one text for above its form.
 */
export function placeProblem(e: unknown, errors: Record<string, string>, known: string[]): string {
  const t = i18n.global.t;
  if (!(e instanceof ApiError)) return t('admin.common.failed');
  const rest: string[] = [];
  for (const err of e.problem.errors || []) {
    const key = err.field ? fieldKey(err.field) : '';
    if (key && known.includes(key)) errors[key] = errors[key] ? `${errors[key]}；${err.message}` : err.message;
    else rest.push(err.message);
  }
  if (!e.problem.errors?.length) rest.push(String(e.problem.detail || e.problem.title || t('admin.common.failed')));
  return rest.join('；');
}
