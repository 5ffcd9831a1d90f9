// The opportunities' funnel as the server sums it (GET /api/v1/opportunities/funnel,
// docs/internals/SALES.md), the activity report (GET /api/v1/activities/report), their filters,
// and money shown the way a sales report shows it.
import { computed } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { api } from './api';

export interface Sums { count: number; amount: number; weighted: number }
export interface FunnelStage extends Sums { key: string; label: string; exits: number; conversion: number | null; avg_days: number | null }
export interface Funnel {
  source: 'totals' | 'records';
  currency: string;
  stages: FunnelStage[];
  open: Sums;
  won: Sums;
  lost: Sums;
  win_rate: number | null;
  cycle_days: number | null;
  forecast: (Sums & { month: string | null })[];
  other_currencies: (Sums & { currency: string })[];
}
/* The filters of the sales pages; each page's address holds those its report takes (the funnel:
 * region and product; the activity report: kind). */
export interface FunnelFilter { from?: string; to?: string; owner?: number | null; team?: number | null; region?: string; product?: string; kind?: string }

/* An option field a sales page filters by: the filter's param, of which entity's which field. */
export interface OptionFilter { param: 'region' | 'product' | 'kind'; entity: string; field: string }

/* Activities by kind and UTC month: every month and kind listed, the cells that have any. */
export interface ActivityReport {
  from: string;
  to: string;
  months: string[];
  kinds: { key: string; label: string }[];
  data: { month: string; kind: string; count: number }[];
  by_kind: Record<string, number>;
  by_month: Record<string, number>;
  total: number;
}

export function funnelQuery(f: FunnelFilter): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export const loadFunnel = (f: FunnelFilter) => api<Funnel>('GET', `/api/v1/opportunities/funnel${funnelQuery(f)}`);
export const loadActivityReport = (f: FunnelFilter) => api<ActivityReport>('GET', `/api/v1/activities/report${funnelQuery(f)}`);

/* The list's filter of a UTC month "YYYY-MM": from its first day to the next month's, at midnight UTC. */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number);
  const next = m === 12 ? `${String(y + 1).padStart(4, '0')}-01` : `${String(y).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}`;
  return { from: `${month}-01`, to: `${next}-01` };
}

/* Fen as yuan, whole, in the user's locale: ¥12,800,000. */
export function yuan(fen: number, locale: string, currency = 'CNY'): string {
  return new Intl.NumberFormat(locale, { style: 'currency', currency, maximumFractionDigits: 0 }).format(fen / 100);
}

/* Fen as a short figure for a chart or a card: 1,280万 / 12.8M. */
export function yuanShort(fen: number, locale: string): string {
  return new Intl.NumberFormat(locale, { notation: 'compact', maximumFractionDigits: 1 }).format(fen / 100);
}

export const percent = (r: number | null, locale: string) =>
  r === null ? '—' : new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(r);

/* The filter kept in the page's address, so that a funnel can be bookmarked and sent. The
 * address's keep parameters (a page's own, such as a tab) stay when the filter changes. */
export function useFunnelFilter(keep: string[] = []) {
  const route = useRoute();
  const router = useRouter();
  const text = (k: string) => (typeof route.query[k] === 'string' ? String(route.query[k]) : undefined);
  const id = (k: string) => (text(k) && /^\d+$/.test(text(k) as string) ? Number(text(k)) : null);
  return computed<FunnelFilter>({
    get: () => ({ from: text('from'), to: text('to'), owner: id('owner'), team: id('team'), region: text('region'), product: text('product'), kind: text('kind') }),
    set: (f) => {
      const query: Record<string, string> = {};
      for (const k of keep) if (typeof route.query[k] === 'string') query[k] = String(route.query[k]);
      for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== null && v !== '') query[k] = String(v);
      router.replace({ query });
    },
  });
}
