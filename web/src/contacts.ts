// Contacts' own routes as the pages use them (docs/internals/PERSONAL.md): the shapes of their
// closeness, a contact plan's progress and the coming birthdays, and the dates the forms they
// open are preset with.
import type { Score } from './scores';

/* GET /api/v1/contacts/{id}/closeness: a score (src/scores.ts); a factor's value null means never. */
export interface Closeness extends Score {
  level: 'close' | 'warm' | 'cool' | 'cold' | string;
}

/* GET /api/v1/contact_plans/{id}/progress */
export interface PlanProgress {
  id: number;
  touches: number;
  done: number;
  open: number;
  cancelled: number;
  next_due_at: string | null;
  tasks: { id: number; subject: string; due_at: string | null; status: string }[];
}

/* One entry of GET /api/v1/contacts/birthdays, soonest first; `date` is the next birthday. */
export interface Birthday {
  id: number;
  name: string;
  customer: { id: number; name: string } | null;
  date: string;
  days: number;
  lunar: boolean;
  lunar_text: string | null;
}

/* Today as a date field holds it (YYYY-MM-DD), in the browser's zone. */
export function todayDate(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/* A date field's value (YYYY-MM-DD) as the user's locale writes a day of the year: "11月30日 周一". */
export function dayOfYear(date: string, locale: string): string {
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return date;
  return new Date(y, m - 1, d).toLocaleDateString(locale, { month: 'long', day: 'numeric', weekday: 'short' });
}
