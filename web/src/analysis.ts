// Customer analysis and salespeople's performance as the server sums them
// (GET /api/v1/customers/analysis, /api/v1/sales/performance[/customers]; docs/internals/SALES.md
// "Performance and customer analysis").
import { api } from './api';
import { funnelQuery, type FunnelFilter } from './sales';

export const analysisBys = ['industry', 'size', 'region', 'province', 'source', 'purchase'] as const;
export type AnalysisBy = (typeof analysisBys)[number];

export interface AnalysisGroup {
  key: string | null;
  label: string;
  count: number;
  won: number | null;
  amount: number | null;
  other_currencies: { currency: string; won: number; amount: number }[];
  /* the customers' list query that picks the group, or null when the list cannot */
  list: Record<string, string> | null;
}
export interface Analysis { by: AnalysisBy; currency: string; groups: AnalysisGroup[]; total: { count: number; won: number | null; amount: number | null } }

export const loadAnalysis = (by: AnalysisBy, f: FunnelFilter) =>
  api<Analysis>('GET', `/api/v1/customers/analysis${funnelQuery({ by, owner: f.owner, team: f.team } as FunnelFilter)}`);

export interface Metrics {
  new_customers: number;
  previous: number;
  growth: number | null;
  vs_whole: number | null;
  activities: number;
  won: { count: number; amount: number };
  lost: number;
  win_rate: number | null;
  pipeline: { count: number; amount: number; weighted: number };
}
export interface PersonMetrics extends Metrics { user_id: number; name: string | null }
export interface TeamMetrics extends Metrics { org_unit_id: number; name: string | null }
export interface Performance {
  from: string;
  to: string;
  previous: { from: string; to: string };
  currency: string;
  whole: { team_id: number | null; new_customers: number; previous: number; growth: number | null };
  total: Metrics;
  people: PersonMetrics[];
  teams: TeamMetrics[];
}
export const loadPerformance = (f: FunnelFilter) =>
  api<Performance>('GET', `/api/v1/sales/performance${funnelQuery({ from: f.from, to: f.to, team: f.team } as FunnelFilter)}`);

export interface CustomerShare {
  customer_id: number;
  name: string;
  won: number;
  owned: number;
  collaborated: number;
  amount: number;
  customer_total: number;
  share: number | null;
  owned_share: number | null;
}
export const loadShares = (user: number) =>
  api<{ user_id: number; currency: string; data: CustomerShare[] }>('GET', `/api/v1/sales/performance/customers?user=${user}`);

/* A difference of ratios in percentage points: +12.5 pt. */
export function points(r: number | null, locale: string): string {
  if (r === null) return '—';
  const n = new Intl.NumberFormat(locale, { maximumFractionDigits: 1, signDisplay: 'exceptZero' }).format(r * 100);
  return `${n} pt`;
}
