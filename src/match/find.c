#include "find.h"
#include "keys.h"
#include "normalize.h"
#include "similarity.h"
#include "core/util.h"
#include "meta/crud.h"
#include "services/settings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

const char *const match_rule_names[MR__MAX] = {"tax_id",  "phone", "mobile", "email",
                                               "website", "name",  "address"};

void match_rules_default(struct match_rules *r)
{
	static const double weights[MR__MAX] = {1.0, 0.85, 0.9, 0.9, 0.7, 1.0, 0.5};
	memcpy(r->weight, weights, sizeof weights);
	r->name_floor = 0.8;
	r->address_floor = 0.8;
	r->threshold = 0.6;
}

static bool unit_number(const json_t *v)
{
	return json_is_number(v) && json_number_value(v) >= 0 && json_number_value(v) <= 1;
}

int match_rules_check(const json_t *doc, struct problem *p)
{
	static const char *const members[] = {"weights", "name_floor", "address_floor", "threshold",
	                                      NULL};
	size_t before = p->n_errors;
	if (!settings_check_members(doc, members, p))
		return -1;
	const char *k;
	json_t *v;
	for (size_t i = 1; members[i]; i++)
		if ((v = json_object_get(doc, members[i])))
			settings_check_number(p, members[i], v, false, 0, 1);
	json_t *w = json_object_get(doc, "weights");
	if (w && !json_is_object(w))
		problem_add(p, "weights", "invalid_value", NULL);
	json_object_foreach(w, k, v)
	{
		size_t r = 0;
		while (r < MR__MAX && !str_eq(match_rule_names[r], k))
			r++;
		const char *at = arena_printf(p->arena, "weights.%s", k);
		if (r == MR__MAX)
			problem_add(p, at, "unknown_field", NULL);
		else
			settings_check_number(p, at, v, false, 0, 1);
	}
	return p->n_errors > before ? -1 : 0;
}

int match_rules_load(struct db *db, struct match_rules *r)
{
	match_rules_default(r);
	json_t *doc = NULL;
	int rc = settings_get(db, "match", &doc);
	if (rc)
		return rc;
	json_t *w = json_object_get(doc, "weights");
	for (size_t i = 0; i < MR__MAX; i++)
		if (unit_number(json_object_get(w, match_rule_names[i])))
			r->weight[i] = json_number_value(json_object_get(w, match_rule_names[i]));
	struct {
		const char *name;
		double *to;
	} scalars[] = {{"name_floor", &r->name_floor},
	               {"address_floor", &r->address_floor},
	               {"threshold", &r->threshold}};
	for (size_t i = 0; i < ARRAY_SIZE(scalars); i++)
		if (unit_number(json_object_get(doc, scalars[i].name)))
			*scalars[i].to = json_number_value(json_object_get(doc, scalars[i].name));
	json_decref(doc);
	return DB_OK;
}

json_t *match_rules_json(const struct match_rules *r)
{
	json_t *w = json_object();
	for (size_t i = 0; i < MR__MAX; i++)
		json_object_set_new(w, match_rule_names[i], json_real(r->weight[i]));
	return json_pack("{s:o, s:f, s:f, s:f}", "weights", w, "name_floor", r->name_floor,
	                 "address_floor", r->address_floor, "threshold", r->threshold);
}

/* ---- Finding ---- */

/* The body in normal forms: exact keys, the core name and address. */
struct probe {
	struct str key[MR__MAX]; /* MR_NAME, MR_ADDRESS: the core forms */
	bool has[MR__MAX];
	struct str mail_domain; /* the e-mail's domain, compared with web domains */
	bool has_mail_domain;
	/* The core name's bigrams, with how many names have each (up to GRAM_POSTINGS + 1). */
	struct {
		int32_t first, second;
		size_t names;
	} grams[MATCH_SIMILARITY_MAX];
	size_t n_grams;
	int64_t records; /* live records of the entity */
};

#define CANDIDATES_MAX 256
#define SCORED_MAX     20  /* candidates by name bigrams alone that are scored */
#define GRAM_POSTINGS  300 /* a bigram in more names than this says too little */
#define EXACT_POSTINGS 50
#define RANK_BATCH     16 /* candidates loaded a query (prefilter's statement lists 16) */

struct candidate {
	int64_t id;
	unsigned exact; /* the rules whose exact keys found it, a bit each (0: none) */
	int grams;      /* name bigrams in common */
	double score;   /* from its match forms (prefilter) */
	bool formed;    /* its forms were read: name_sim and address_sim hold (after the floors) */
	double name_sim, address_sim;
};

struct found {
	struct candidate c[CANDIDATES_MAX];
	size_t n;
	/* Every record id a name bigram found, once per bigram: counted after the lookups. */
	int64_t *gram_ids;
	size_t n_gram_ids, cap;
};

static struct candidate *candidate(struct found *f, int64_t id)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->c[i].id == id)
			return &f->c[i];
	if (f->n == CANDIDATES_MAX)
		return NULL;
	f->c[f->n] = (struct candidate){.id = id};
	return &f->c[f->n++];
}

/* The records with the key of that code into f; *count of them, up to limit + 1. A DB_ code. */
static int lookup(struct op *op, int64_t code, size_t limit, unsigned exact, struct found *f,
                  size_t *count)
{
	struct db_stmt *st;
	int rc = db_prepare(op->db, "SELECT record_id FROM match_keys WHERE code = ? LIMIT ?", &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, code);
	db_bind_int(st, 2, (int64_t)limit + 1);
	int64_t ids[GRAM_POSTINGS + 1];
	size_t n = 0;
	while ((rc = db_step(st)) == DB_ROW && n <= limit)
		ids[n++] = db_column_int(st, 0);
	db_reset(st);
	if (rc != DB_DONE && rc != DB_ROW)
		return rc;
	*count = n;
	/* A bigram shared by too many names is no evidence: left out whole. */
	if (!exact && n > limit)
		return DB_OK;
	if (!exact && n) {
		if (f->n_gram_ids + n > f->cap) {
			f->cap = (f->n_gram_ids + n) * 2;
			f->gram_ids = xrealloc(f->gram_ids, f->cap * sizeof *f->gram_ids);
		}
		memcpy(f->gram_ids + f->n_gram_ids, ids, n * sizeof *ids);
		f->n_gram_ids += n;
	}
	if (!exact)
		return DB_OK;
	for (size_t i = 0; i < n && i < limit; i++) {
		struct candidate *c = candidate(f, ids[i]);
		if (c)
			c->exact |= exact;
	}
	return DB_OK;
}

static int by_id(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

/*
 * The bigram finds counted: each record with how many of the name's bigrams it shares. Those
 * found by an exact key take their count; of the others, the SCORED_MAX sharing the most join
 * the candidates. Sorting the finds once costs n log n, where looking each up among the
 * candidates cost n × candidates.
 */
static void count_grams(struct found *f)
{
	if (!f->n_gram_ids)
		return;
	qsort(f->gram_ids, f->n_gram_ids, sizeof *f->gram_ids, by_id);
	struct candidate best[SCORED_MAX];
	size_t n_best = 0;
	for (size_t i = 0; i < f->n_gram_ids;) {
		size_t j = i;
		while (j < f->n_gram_ids && f->gram_ids[j] == f->gram_ids[i])
			j++;
		struct candidate c = {.id = f->gram_ids[i], .grams = (int)(j - i)};
		i = j;
		bool known = false;
		for (size_t k = 0; k < f->n && !known; k++)
			if (f->c[k].id == c.id) {
				f->c[k].grams = c.grams;
				known = true;
			}
		if (known)
			continue;
		/* Keep the SCORED_MAX with the most bigrams (ties: the lower id, met first). */
		size_t at = n_best;
		while (at > 0 && best[at - 1].grams < c.grams)
			at--;
		if (at == SCORED_MAX)
			continue;
		if (n_best < SCORED_MAX)
			n_best++;
		memmove(&best[at + 1], &best[at], (n_best - 1 - at) * sizeof *best);
		best[at] = c;
	}
	for (size_t k = 0; k < n_best && f->n < CANDIDATES_MAX; k++)
		f->c[f->n++] = best[k];
}

static int by_grams(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;
	if (!a->exact != !b->exact)
		return a->exact ? -1 : 1;
	return a->grams != b->grams ? b->grams - a->grams : (a->id < b->id ? -1 : a->id > b->id);
}

void match_memo_init(struct match_memo *m)
{
	strset_init(&m->common);
}

void match_memo_release(struct match_memo *m)
{
	strset_release(&m->common);
}

/* A name bigram's postings into f (count: how many, up to GRAM_POSTINGS + 1), unless memo knows
 * it as too common already. */
static int lookup_gram(struct op *op, struct match_memo *memo, int64_t code, struct found *f,
                       size_t *count)
{
	char key[24];
	int n = snprintf(key, sizeof key, "%llx", (unsigned long long)code);
	if (memo && strset_get(&memo->common, key, (size_t)n, NULL)) {
		*count = GRAM_POSTINGS + 1;
		return DB_OK;
	}
	int rc = lookup(op, code, GRAM_POSTINGS, 0, f, count);
	if (!rc && memo && *count > GRAM_POSTINGS)
		strset_add(&memo->common, key, (size_t)n, 1, NULL);
	return rc;
}

/* Candidates for the probe, the most promising first, into f. A DB_ code. */
static int gather(struct op *op, const struct match_fields *mf, struct match_memo *memo,
                  struct probe *pr, struct found *f)
{
	static const enum match_kind kinds[MR__MAX] = {MK_TAX,    MK_PHONE, MK_PHONE,  MK_EMAIL,
	                                               MK_DOMAIN, MK_NAME,  MK_ADDRESS};
	size_t count;
	int rc = DB_OK;
	for (size_t r = 0; r < MR__MAX && !rc; r++)
		if (pr->has[r])
			rc =
			    lookup(op, match_key_code(mf, kinds[r], pr->key[r].buf, pr->key[r].len),
			           EXACT_POSTINGS, 1u << r, f, &count);
	if (!rc && pr->has_mail_domain)
		rc = lookup(op,
		            match_key_code(mf, MK_DOMAIN, pr->mail_domain.buf, pr->mail_domain.len),
		            EXACT_POSTINGS, 1u << MR_WEBSITE, f, &count);
	if (!rc && pr->has[MR_NAME]) {
		struct match_keyset grams = {0};
		match_name_grams(mf, pr->key[MR_NAME].buf, pr->key[MR_NAME].len, &grams);
		for (size_t i = 0; i < grams.n && !rc; i++) {
			rc = lookup_gram(op, memo, grams.keys[i].code, f, &count);
			const utf8proc_uint8_t *g = (const utf8proc_uint8_t *)grams.keys[i].key;
			utf8proc_int32_t first = -1, second = -1;
			utf8proc_ssize_t l = utf8proc_iterate(g, -1, &first);
			if (l > 0 && g[l])
				utf8proc_iterate(g + l, -1, &second);
			if (second >= 0 && pr->n_grams < ARRAY_SIZE(pr->grams)) {
				pr->grams[pr->n_grams].first = first;
				pr->grams[pr->n_grams].second = second;
				pr->grams[pr->n_grams].names = count;
				pr->n_grams++;
			}
		}
		match_keyset_free(&grams);
		if (!rc) {
			char table[128];
			snprintf(table, sizeof table, "%s", op->e->name);
			rc = db_query_int(
			    op->db, "SELECT live_rows FROM sys_row_counts WHERE table_name = ?", 1,
			    (const char *[]){table}, &pr->records);
			rc = rc == DB_DONE ? DB_OK : rc;
		}
	}
	count_grams(f);
	qsort(f->c, f->n, sizeof *f->c, by_grams);
	size_t keep = 0;
	while (keep < f->n && (f->c[keep].exact || keep < SCORED_MAX))
		keep++;
	f->n = keep;
	return rc;
}

/* Whether normalising s gives exactly want. */
static bool same_normal(bool (*fn)(struct str *, const char *), const char *s,
                        const struct str *want)
{
	struct str n = STR_INIT;
	bool same = s && fn(&n, s) && n.len == want->len && !memcmp(n.buf, want->buf, n.len);
	str_release(&n);
	return same;
}

/*
 * How much a bigram of the name says: one that few names have, all; one that many have (游艇 in a
 * yacht builder's base), little: log(N / n) / log(N) of N records, at least 0.1. A bigram not in
 * the probe's name is taken as rare.
 */
static double gram_weight(void *ctx, int32_t first, int32_t second)
{
	const struct probe *pr = ctx;
	for (size_t i = 0; i < pr->n_grams; i++) {
		if (pr->grams[i].first != first || pr->grams[i].second != second)
			continue;
		size_t names = pr->grams[i].names;
		if (names > GRAM_POSTINGS)
			return 0.1;
		if (names <= 1 || pr->records <= 2)
			return 1.0;
		double w = log((double)pr->records / (double)names) / log((double)pr->records);
		return w < 0.1 ? 0.1 : w > 1.0 ? 1.0 : w;
	}
	return 1.0;
}

static double similar(bool (*fn)(struct str *, const char *), const char *s, const struct str *want,
                      const struct probe *pr)
{
	struct str n = STR_INIT;
	double d = s && fn(&n, s) ? match_similarity_weighted(n.buf, n.len, want->buf, want->len,
	                                                      pr ? gram_weight : NULL, (void *)pr)
	                          : 0.0;
	str_release(&n);
	return d;
}

/* 1 − Π (1 − weight_r × similarity_r) over the rules that hold; their bits into *reasons. */
static double combine(const struct match_rules *rules, const double *sim, unsigned *reasons)
{
	double miss = 1.0;
	for (size_t r = 0; r < MR__MAX; r++)
		if (sim[r] > 0) {
			miss *= 1.0 - rules->weight[r] * sim[r];
			*reasons |= 1u << r;
		}
	return 1.0 - miss;
}

/* Score one candidate row (columns: id, owner, owner's name, then the compared fields as
 * listed in mf) against the probe. */
static void score(const struct match_rules *rules, const struct probe *pr,
                  const struct candidate *c, const char *const *col, struct match_hit *s)
{
	/* col: in match_columns' order */
	const char *const *phones = col + 2, *const *emails = col + 7, *const *webs = col + 9,
	                  *const *taxes = col + 11;
	for (size_t i = 0; i < 2; i++)
		if (pr->has[MR_TAX_ID] && same_normal(match_tax_id, taxes[i], &pr->key[MR_TAX_ID]))
			s->sim[MR_TAX_ID] = 1;
	for (size_t i = 0; i < 5; i++) {
		if (pr->has[MR_PHONE] && same_normal(match_phone, phones[i], &pr->key[MR_PHONE]))
			s->sim[MR_PHONE] = 1;
		if (pr->has[MR_MOBILE] && same_normal(match_phone, phones[i], &pr->key[MR_MOBILE]))
			s->sim[MR_MOBILE] = 1;
	}
	for (size_t i = 0; i < 2; i++) {
		if (pr->has[MR_EMAIL] && same_normal(match_email, emails[i], &pr->key[MR_EMAIL]))
			s->sim[MR_EMAIL] = 1;
		const char *domains[] = {webs[i], emails[i]};
		for (size_t d = 0; d < 2; d++) {
			if (pr->has[MR_WEBSITE] &&
			    same_normal(match_domain, domains[d], &pr->key[MR_WEBSITE]))
				s->sim[MR_WEBSITE] = 1;
			if (pr->has_mail_domain &&
			    same_normal(match_domain, domains[d], &pr->mail_domain))
				s->sim[MR_WEBSITE] = 1;
		}
	}
	/* Name and address as measured from the stored forms, which are the record's own (written
	 * with it); normalised afresh only for a candidate without them. */
	if (pr->has[MR_NAME]) {
		double d = c && c->formed ? c->name_sim
		                          : similar(match_name, col[0], &pr->key[MR_NAME], pr);
		s->sim[MR_NAME] = d >= rules->name_floor ? d : 0;
	}
	if (pr->has[MR_ADDRESS]) {
		double d = c && c->formed
		               ? c->address_sim
		               : similar(match_address, col[1], &pr->key[MR_ADDRESS], NULL);
		s->sim[MR_ADDRESS] = d >= rules->address_floor ? d : 0;
	}
	s->score = combine(rules, s->sim, &s->reasons);
}

/* The similarity of two core forms by the check's measure (a name's bigrams weighted). */
static double core_similarity(const char *form, const struct str *want, const struct probe *pr,
                              double floor)
{
	double d = match_similarity_weighted(form, strlen(form), want->buf, want->len,
	                                     pr ? gram_weight : NULL, (void *)pr);
	return d >= floor ? d : 0;
}

/* The exact rules whose keys found a candidate hold for it (name and address keys only find:
 * those two are measured). */
static void exact_similarities(unsigned exact, double sim[MR__MAX])
{
	static const enum match_rule rules[] = {MR_TAX_ID, MR_PHONE, MR_MOBILE, MR_EMAIL,
	                                        MR_WEBSITE};
	for (size_t r = 0; r < ARRAY_SIZE(rules); r++)
		if (exact & (1u << rules[r]))
			sim[rules[r]] = 1;
}

static int by_prescore(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/*
 * Score the candidates from their match forms (the stored core name and address) and the exact
 * keys that found them, without reading or normalising their records, and keep the `keep` best
 * that reach the threshold, with their name and address similarities. rank then confirms the
 * exact rules of the few kept on their records, which drops one that a code shared by chance
 * brought in (match/keys.h). An import's dry run checks every row with three kept of up to
 * seventy candidates.
 */
static int prefilter(struct op *op, const struct match_fields *mf, const struct match_rules *rules,
                     const struct probe *pr, struct found *f, int64_t except, size_t keep)
{
	for (size_t i = 0; i < f->n; i++) {
		double sim[MR__MAX] = {0};
		exact_similarities(f->c[i].exact, sim);
		unsigned reasons = 0;
		f->c[i].score = combine(rules, sim, &reasons);
	}
	bool forms = (mf->name && pr->has[MR_NAME]) || (mf->address && pr->has[MR_ADDRESS]);
	int rc = DB_OK;
	for (size_t from = 0; forms && from < f->n && !rc; from += RANK_BATCH) {
		struct db_stmt *st;
		if ((rc =
		         db_prepare(op->db,
		                    /* RANK_BATCH of them */
		                    "SELECT record, name, address FROM match_forms WHERE record IN "
		                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		                    &st)))
			break;
		for (size_t i = 0; i < RANK_BATCH; i++)
			db_bind_int(st, (int)i + 1,
			            from + i < f->n ? match_form_key(mf, f->c[from + i].id) : -1);
		while ((rc = db_step(st)) == DB_ROW) {
			int64_t record = db_column_int(st, 0);
			struct candidate *c = NULL;
			for (size_t i = from; i < f->n && i < from + RANK_BATCH && !c; i++)
				if (match_form_key(mf, f->c[i].id) == record)
					c = &f->c[i];
			if (!c)
				continue;
			double sim[MR__MAX] = {0};
			exact_similarities(c->exact, sim);
			const char *name = db_column_text(st, 1, NULL),
			           *address = db_column_text(st, 2, NULL);
			if (name && pr->has[MR_NAME])
				sim[MR_NAME] =
				    core_similarity(name, &pr->key[MR_NAME], pr, rules->name_floor);
			if (address && pr->has[MR_ADDRESS])
				sim[MR_ADDRESS] = core_similarity(address, &pr->key[MR_ADDRESS],
				                                  NULL, rules->address_floor);
			c->formed = true;
			c->name_sim = sim[MR_NAME];
			c->address_sim = sim[MR_ADDRESS];
			unsigned reasons = 0;
			c->score = combine(rules, sim, &reasons);
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		if (f->c[i].id != except && f->c[i].score > 0 &&
		    f->c[i].score + 1e-9 >= rules->threshold)
			f->c[n++] = f->c[i];
	qsort(f->c, n, sizeof *f->c, by_prescore);
	f->n = n < keep ? n : keep;
	return rc;
}

static int by_score(const void *x, const void *y)
{
	const struct match_hit *a = x, *b = y;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Load and score the candidates; the ones at or over the threshold into *out (*n). */
static int rank(struct op *op, const struct match_fields *mf, const struct match_rules *rules,
                const struct probe *pr, const struct found *f, int64_t except,
                struct match_hit *out, size_t *n)
{
	const char *names[MATCH_COLUMNS];
	match_columns(mf, names);
	struct str sql = STR_INIT;
	str_adds(&sql, "SELECT t.\"id\", t.\"owner_id\", COALESCE(u.display_name, u.username)");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const struct field *fld = names[i] ? entity_field(op->e, names[i]) : NULL;
		if (fld)
			str_addf(&sql, ", t.\"%s\"", fld->name);
		else
			str_adds(&sql, ", NULL");
	}
	/* A fixed number of ids a query, so the statement is prepared once and cached. */
	str_addf(&sql,
	         " FROM \"%s\" t LEFT JOIN users u ON u.id = t.\"owner_id\" WHERE t.\"deleted_at\" "
	         "IS NULL AND t.\"id\" IN (?",
	         op->e->name);
	for (size_t i = 1; i < RANK_BATCH; i++)
		str_adds(&sql, ", ?");
	str_adds(&sql, ")");
	int rc = DB_OK;
	size_t k = 0;
	for (size_t from = 0; from < f->n && !rc; from += RANK_BATCH) {
		struct db_stmt *st;
		if ((rc = db_prepare(op->db, sql.buf, &st)))
			break;
		for (size_t i = 0; i < RANK_BATCH; i++)
			db_bind_int(st, (int)i + 1, from + i < f->n ? f->c[from + i].id : 0);
		while ((rc = db_step(st)) == DB_ROW) {
			int64_t id = db_column_int(st, 0);
			if (id == except)
				continue;
			const char *col[ARRAY_SIZE(names)];
			for (size_t i = 0; i < ARRAY_SIZE(names); i++)
				col[i] = db_column_text(st, (int)i + 3, NULL);
			const struct candidate *c = NULL;
			for (size_t i = from; i < f->n && i < from + RANK_BATCH && !c; i++)
				if (f->c[i].id == id)
					c = &f->c[i];
			struct match_hit sc = {.id = id, .owner_id = db_column_int(st, 1)};
			score(rules, pr, c, col, &sc);
			if (sc.score + 1e-9 < rules->threshold || !sc.reasons)
				continue;
			sc.name = arena_strdup(op->arena, col[0] ? col[0] : "");
			const char *owner = db_column_text(st, 2, NULL);
			sc.owner_name = owner ? arena_strdup(op->arena, owner) : NULL;
			out[k++] = sc;
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	str_release(&sql);
	*n = k;
	return rc;
}

/* The body's members into the probe; errors (a member that is not text) into op->problem. */
static void probe_of(struct op *op, const json_t *body, struct probe *pr, int64_t *except)
{
	typedef bool (*normalizer)(struct str *, const char *);
	static const normalizer fns[MR__MAX] = {match_tax_id, match_phone,  match_phone,
	                                        match_email,  match_domain, match_name,
	                                        match_address};
	for (size_t r = 0; r < MR__MAX; r++) {
		json_t *v = json_object_get(body, match_rule_names[r]);
		if (v && !json_is_string(v) && !json_is_null(v)) {
			problem_add(op->problem, match_rule_names[r], "invalid_type",
			            (const char *[]){"expected", "text", NULL});
			continue;
		}
		pr->has[r] = json_is_string(v) && fns[r](&pr->key[r], json_string_value(v));
	}
	json_t *mail = json_object_get(body, "email");
	pr->has_mail_domain =
	    json_is_string(mail) && match_domain(&pr->mail_domain, json_string_value(mail));
	json_t *id = json_object_get(body, "id");
	*except = json_is_integer(id) ? json_integer_value(id) : 0;
}

int match_best(struct op *op, const struct match_rules *rules, struct match_memo *memo,
               const json_t *body, struct match_hit *hits, size_t max, size_t *n)
{
	*n = 0;
	const struct match_fields *mf = match_fields_of(op->e);
	if (!mf)
		return problem_set(op->problem, 404, "not_found");
	if (!json_is_object(body)) {
		problem_add(op->problem, NULL, "invalid_json", NULL);
		return problem_set(op->problem, 400, "bad_request");
	}
	struct probe pr = {0};
	int64_t except = 0;
	probe_of(op, body, &pr, &except);
	if (!mf->websites[0]) /* no web site to compare a domain with (contacts) */
		pr.has[MR_WEBSITE] = pr.has_mail_domain = false;
	int status = 0;
	bool any = false;
	for (size_t r = 0; r < MR__MAX; r++)
		any |= pr.has[r];
	if (op->problem->n_errors)
		status = problem_set(op->problem, 422, "validation_failed");
	struct found *f = xcalloc(1, sizeof *f);
	int rc = DB_OK;
	/* Two more than asked for go on to be scored from their records: a code shared by chance
	 * can drop one there. */
	if (!status && any && !(rc = gather(op, mf, memo, &pr, f)) &&
	    !(rc = prefilter(op, mf, rules, &pr, f, except, max + 2)) && f->n) {
		struct match_hit *all = xcalloc(f->n, sizeof *all);
		size_t k = 0;
		rc = rank(op, mf, rules, &pr, f, except, all, &k);
		if (k)
			qsort(all, k, sizeof *all, by_score);
		*n = k < max ? k : max;
		memcpy(hits, all, *n * sizeof *all);
		free(all);
	}
	if (rc)
		status = crud_db_error(op, rc, "a duplicate check");
	free(f->gram_ids);
	free(f);
	for (size_t r = 0; r < MR__MAX; r++)
		str_release(&pr.key[r]);
	str_release(&pr.mail_domain);
	return status;
}

void match_hits_json(struct str *out, const struct match_hit *h, size_t n)
{
	str_addc(out, '[');
	for (size_t i = 0; i < n; i++) {
		str_addf(out, "%s{\"id\":%lld,\"name\":", i ? "," : "", (long long)h[i].id);
		str_add_jsons(out, h[i].name);
		str_addf(out, ",\"score\":%.3f,\"reasons\":[", h[i].score);
		size_t k = 0;
		for (size_t r = 0; r < MR__MAX; r++)
			if (h[i].reasons & (1u << r)) {
				str_adds(out, k++ ? "," : "");
				str_add_jsons(out, match_rule_names[r]);
			}
		str_adds(out, "],\"similarity\":{");
		k = 0;
		for (size_t r = 0; r < MR__MAX; r++)
			if (h[i].reasons & (1u << r))
				str_addf(out, "%s\"%s\":%.3f", k++ ? "," : "", match_rule_names[r],
				         h[i].sim[r]);
		str_adds(out, "},\"owner\":");
		if (h[i].owner_id) {
			str_addf(out, "{\"id\":%lld,\"name\":", (long long)h[i].owner_id);
			str_add_jsons(out, h[i].owner_name ? h[i].owner_name : "");
			str_addc(out, '}');
		} else {
			str_adds(out, "null");
		}
		str_addc(out, '}');
	}
	str_addc(out, ']');
}

int match_find(struct op *op, const json_t *body, struct str *out)
{
	struct match_rules rules;
	struct match_hit hits[MATCH_RESULTS_MAX];
	size_t n = 0;
	int rc = match_rules_load(op->db, &rules);
	if (rc)
		return crud_db_error(op, rc, "a duplicate check");
	int status = match_best(op, &rules, NULL, body, hits, MATCH_RESULTS_MAX, &n);
	if (status < 0)
		return status;
	str_adds(out, "{\"data\":");
	match_hits_json(out, hits, n);
	str_addc(out, '}');
	return 200;
}
