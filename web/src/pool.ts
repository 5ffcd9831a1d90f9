// The shared customer pool (公海) and a customer's 360° view, as the pages use them: the shapes
// the server answers with (docs/API.md), what moved with a customer said in words, and the
// claim both the pool's list and a customer's page offer.
import { ElMessage } from 'element-plus';
import { api } from './api';
import { i18n } from './i18n';
import { labelIn } from './format';
import type { Sums } from './sales';
import { useSession } from './stores/session';

/* GET /api/v1/customers/{id}/summary */
export interface CustomerSummary {
  id: number;
  name: string;
  owner: { id: number; name: string } | null;
  in_pool: boolean;
  lifecycle_stage: string | null;
  level: string | null;
  customer_type: string | null;
  last_followup_at: string | null;
  days_since_followup: number | null;
  pool_entered_at: string | null;
  pool_due_at: string | null;
  related: { relation: string; label: string; count: number }[];
  open_tasks: number;
  followups_90d: number;
  /* Its opportunities, open and won (CNY, fen); null without the opportunities module. */
  opportunities: { open: Sums; won: Sums } | null;
}

/* One entry of GET /api/v1/customers/{id}/timeline, newest first. */
export interface TimelineItem {
  source: string;
  id: number;
  at: string;
  title: string;
  kind: string | null;
  kind_label: string | null;
  detail: string | null;
  who: { id: number; name: string } | null;
  contact: { id: number; name: string } | null;
  openable: boolean; /* whether the caller may open the record (moves: never) */
}

/* One entry of GET /api/v1/customers/{id}/moves; by_user_id null is the system. */
export interface Move {
  id: number;
  action: string;
  from_user_id: number | null;
  from_user_name: string | null;
  to_user_id: number | null;
  to_user_name: string | null;
  by_user_id: number | null;
  by_user_name: string | null;
  reason: string | null;
  at: string;
}

/* A claim's or handover's answer: the customer, and what moved with it ({"contacts": 2, …}). */
export type Moved = Record<string, number>;
export type WithMoved = Record<string, unknown> & { moved?: Moved };

/* "联系人 2 条、任务 1 条": what moved, by its entity's label; empty when nothing did. */
export function movedList(moved: Moved | undefined): string {
  const { t, locale } = i18n.global;
  const session = useSession();
  const lang = String(locale.value);
  return Object.entries(moved || {})
    .filter(([, n]) => n > 0)
    .map(([name, n]) => {
      const e = session.entity(name);
      return t('c360.movedItem', { what: e ? labelIn(e.label_plural, lang) : name, n });
    })
    .join(lang === 'en' ? ', ' : '、');
}

/* Claims a customer from the pool and says so, with what moved; a refusal (409 with the reason
 * in words: not in the pool any more, the cap reached, given up too recently) is thrown for the
 * caller to show. */
export async function claimCustomer(id: number, name: string): Promise<WithMoved> {
  const t = i18n.global.t;
  const res = await api<WithMoved>('POST', `/api/v1/customers/${id}/claim`);
  const list = movedList(res.moved);
  ElMessage({ type: 'success', message: list ? t('c360.claimedMoved', { name, list }) : t('c360.claimed', { name }), showClose: true, duration: 5000 });
  return res;
}

/* A time as the date-time pickers keep it (YYYY-MM-DDTHH:mm:ss±hh:mm), in the browser's zone. */
export function pickerTime(d: Date): string {
  const p = (n: number) => String(Math.abs(n)).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
    + `${off >= 0 ? '+' : '-'}${p(Math.trunc(off / 60))}:${p(off % 60)}`;
}
