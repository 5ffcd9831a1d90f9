// The scores a record's page shows as a card (src/components/ScoreCard.vue): a contact's closeness
// (ContactCloseness.vue) and a customer's loyalty (CustomerLoyalty.vue). Both answer in one shape:
// 0–100, a level with its label, and the factors that add up to it, so one card shows either.
import { ref, watch, type Ref } from 'vue';
import { useI18n } from 'vue-i18n';
import { api } from './api';

/* One factor of a score: its actual value (null when there was nothing to count: never
 * contacted, no business), its points of its maximum and its rule, in the server's words. */
export interface ScoreFactor {
  key: string;
  label: string;
  value: number | null;
  points: number;
  max: number;
  rule: string;
}

/* What every score route answers: the score 0–100, its level and the factors. */
export interface Score {
  id: number;
  score: number;
  level: string;
  level_label: string;
  factors: ScoreFactor[];
}

/* GET /api/v1/{entity}/{id}/loyalty: the score from repeat business. `sources` are the entities
 * whose records count as business (none declared: no business can be recorded yet); level
 * `none` with no deals. */
export interface Loyalty extends Score {
  level: 'loyal' | 'steady' | 'occasional' | 'lapsing' | 'none' | string;
  deals: number;
  first_at: string | null;
  last_at: string | null;
  sources: { entity: string; label: string }[];
}

/* Element Plus's kinds of colour; a card names one per level. */
export type Tone = 'success' | 'primary' | 'warning' | 'danger' | 'info';

/*
 * The score at `path()`, asked again when the path, `stamp()` or the language changes (the
 * labels and rules come in the request's language). Null while there is none or when it cannot
 * be had: not worth a message, the page says what is wrong with the record itself. An answer
 * that comes after a newer question was asked is dropped, so a quick change of record or
 * language never ends on the older one.
 */
export function useScore<T extends Score>(path: () => string, stamp: () => unknown): Ref<T | null> {
  const { locale } = useI18n();
  const score = ref(null) as Ref<T | null>;
  let asked = 0;
  watch(() => [path(), stamp(), locale.value], async () => {
    const mine = ++asked;
    const got = await api<T>('GET', path()).catch(() => null);
    if (mine === asked) score.value = got;
  }, { immediate: true });
  return score;
}
