// How values of each field type are shown, in the user's language and locale.
import type { Field } from './stores/session';
import { ORG_UNITS, titleOf } from './titles';

export const labelIn = (l: Record<string, string>, locale: string) => l[locale] || l['zh-CN'] || '';

export function formatValue(f: Field, v: unknown, locale: string): string {
  if (v === null || v === undefined) return '';
  const option = (k: unknown) => labelIn(f.options?.find((o) => o.key === k)?.label || { 'zh-CN': String(k) }, locale);
  if (f.type === 'enum') return option(v);
  if (f.type === 'multienum' && Array.isArray(v)) return v.map(option).join(locale === 'en' ? ', ' : '、');
  if ((f.type === 'reference' || f.type === 'user') && f.ref) return titleOf(f.ref, v);
  if (f.name === 'org_unit_id' && f.system) return titleOf(ORG_UNITS, v);
  if (f.type === 'bool') return v ? '✓' : '—';
  if (f.type === 'money' && typeof v === 'object') {
    const m = v as { amount: number; currency: string };
    return new Intl.NumberFormat(locale, { style: 'currency', currency: m.currency }).format(m.amount / 100);
  }
  if (f.type === 'datetime') return new Date(String(v)).toLocaleString(locale);
  if (f.type === 'int' && typeof v === 'number' && !f.system) return v.toLocaleString(locale);
  return String(v);
}

/* "3 minutes ago", "昨天": how long ago (or until) a time is, in the user's language. */
export function relativeTime(iso: string, locale: string, now = Date.now()): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [['second', 60], ['minute', 60], ['hour', 24], ['day', 7], ['week', 4.35], ['month', 12]];
  let v = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(v) < size) return unit === 'second' && Math.abs(v) < 45 ? rtf.format(0, 'second') : rtf.format(Math.round(v), unit);
    v /= size;
  }
  return rtf.format(Math.round(v), 'year');
}
