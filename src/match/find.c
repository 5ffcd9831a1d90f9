#include "find.h"
#include "keys.h"
#include "normalize.h"
#include "similarity.h"
#include "core/timeutil.h"
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
#define RANK_BATCH     16 /* candidates loaded a query, at most */

struct candidate {
	int64_t id;
	unsigned exact; /* the rules whose exact keys found it, a bit each (0: none) */
	int grams;      /* name bigrams in common */
	double score;   /* from its match forms (prefilter) */
	bool settled;   /* its forms cannot change its score: not read (prefilter) */
	bool formed;    /* its forms were read: name_sim and address_sim hold (after the floors) */
	double name_sim, address_sim;
};

struct found {
	struct candidate c[CANDIDATES_MAX];
	size_t n;
	/* The rules one of whose keys has more records than were read (EXACT_POSTINGS): a
	 * candidate may share its value without that key having found it. */
	unsigned capped;
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

static void add_gram_ids(struct found *f, const int64_t *ids, size_t n)
{
	if (!n)
		return;
	if (f->n_gram_ids + n > f->cap) {
		f->cap = (f->n_gram_ids + n) * 2;
		f->gram_ids = xrealloc(f->gram_ids, f->cap * sizeof *f->gram_ids);
	}
	memcpy(f->gram_ids + f->n_gram_ids, ids, n * sizeof *ids);
	f->n_gram_ids += n;
}

/* The records with the name bigram of that code into f's finds; *count of them, up to
 * GRAM_POSTINGS + 1. A DB_ code. */
static int lookup_postings(struct op *op, int64_t code, struct found *f, size_t *count)
{
	*count = 0;
	/* Most bigrams a check meets are common ones (游艇, 有限): whether there are more than
	 * GRAM_POSTINGS is asked first, so their hundreds of keys need not come out one by one. */
	struct db_stmt *st;
	int rc =
	    db_prepare(op->db, "SELECT 1 FROM match_keys WHERE code = ? LIMIT 1 OFFSET ?", &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, code);
	db_bind_int(st, 2, GRAM_POSTINGS);
	rc = db_step(st);
	db_reset(st);
	if (rc == DB_ROW) {
		*count = GRAM_POSTINGS + 1;
		return DB_OK;
	}
	if (rc != DB_DONE)
		return rc;
	rc = db_prepare(op->db, "SELECT record_id FROM match_keys WHERE code = ? LIMIT ?", &st);
	if (rc)
		return rc;
	db_bind_int(st, 1, code);
	db_bind_int(st, 2, GRAM_POSTINGS);
	int64_t ids[GRAM_POSTINGS];
	size_t n = 0;
	while ((rc = db_step(st)) == DB_ROW && n < GRAM_POSTINGS)
		ids[n++] = db_column_int(st, 0);
	db_reset(st);
	if (rc != DB_DONE && rc != DB_ROW)
		return rc;
	*count = n;
	add_gram_ids(f, ids, n);
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
	pthread_mutex_init(&m->lock, NULL);
	strset_init(&m->grams);
	m->ids = NULL;
	m->n_ids = m->cap_ids = 0;
	m->records = -1;
}

void match_memo_release(struct match_memo *m)
{
	strset_release(&m->grams);
	free(m->ids);
	pthread_mutex_destroy(&m->lock);
}

/*
 * The bigrams found in more than GRAM_POSTINGS names, remembered by the process: nearly every
 * check meets some (游艇, 俱乐部 in a yacht builder's base), and asking the index about one costs
 * tens of microseconds. A bigram that common stays so (hundreds of its names would have to go),
 * so the set outlives the request; it is forgotten after COMMON_TTL_NS, at COMMON_MAX bigrams,
 * and when a check asks another database (tests open several in one process).
 */
#define COMMON_TTL_NS (600 * (int64_t)1000000000)
#define COMMON_MAX    65536
static struct {
	pthread_mutex_t lock;
	struct strset codes; /* valid while target is set */
	char *target;        /* the database's (db_target) */
	int64_t since_ns;
} common_grams = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* The set for db, empty if it was another's or too old. Called with the lock held. */
static struct strset *common_for(const struct db *db)
{
	const char *target = db_target(db);
	int64_t now = time_mono_ns();
	if (common_grams.target &&
	    (strcmp(common_grams.target, target) || now - common_grams.since_ns > COMMON_TTL_NS ||
	     common_grams.codes.used >= COMMON_MAX)) {
		strset_release(&common_grams.codes);
		free(common_grams.target);
		common_grams.target = NULL;
	}
	if (!common_grams.target) {
		strset_init(&common_grams.codes);
		common_grams.target = xstrdup(target);
		common_grams.since_ns = now;
	}
	return &common_grams.codes;
}

static bool known_common(const struct db *db, int64_t code)
{
	pthread_mutex_lock(&common_grams.lock);
	bool known = strset_get(common_for(db), (const char *)&code, sizeof code, NULL);
	pthread_mutex_unlock(&common_grams.lock);
	return known;
}

static void remember_common(const struct db *db, int64_t code)
{
	pthread_mutex_lock(&common_grams.lock);
	strset_add(common_for(db), (const char *)&code, sizeof code, 0, NULL);
	pthread_mutex_unlock(&common_grams.lock);
}

/* A name bigram's postings into f (count: how many, up to GRAM_POSTINGS + 1): a common one from
 * the process's set, a rarer one from memo (an import's) if it has met the bigram before. */
static int lookup_gram(struct op *op, struct match_memo *memo, int64_t code, struct found *f,
                       size_t *count)
{
	if (known_common(op->db, code)) {
		*count = GRAM_POSTINGS + 1;
		return DB_OK;
	}
	const char *key = (const char *)&code;
	int64_t at;
	if (memo) {
		pthread_mutex_lock(&memo->lock);
		bool known = strset_get(&memo->grams, key, sizeof code, &at);
		if (known) {
			*count = (size_t)(at & 0xffff);
			add_gram_ids(f, memo->ids + (at >> 16), *count);
		}
		pthread_mutex_unlock(&memo->lock);
		if (known)
			return DB_OK;
	}
	/* Two threads may both look a new bigram up: the second to finish adds nothing. */
	size_t before = f->n_gram_ids;
	int rc = lookup_postings(op, code, f, count);
	if (rc)
		return rc;
	if (*count > GRAM_POSTINGS) {
		remember_common(op->db, code);
		return DB_OK;
	}
	if (!memo)
		return DB_OK;
	pthread_mutex_lock(&memo->lock);
	if (memo->n_ids + *count <= MATCH_MEMO_IDS &&
	    !strset_get(&memo->grams, key, sizeof code, NULL)) {
		if (memo->n_ids + *count > memo->cap_ids) {
			memo->cap_ids = memo->cap_ids ? memo->cap_ids * 2 : 4096;
			if (memo->cap_ids > MATCH_MEMO_IDS)
				memo->cap_ids = MATCH_MEMO_IDS;
			memo->ids = xrealloc(memo->ids, memo->cap_ids * sizeof *memo->ids);
		}
		if (*count)
			memcpy(memo->ids + memo->n_ids, f->gram_ids + before,
			       *count * sizeof *memo->ids);
		strset_add(&memo->grams, key, sizeof code, (int64_t)(memo->n_ids << 16 | *count),
		           NULL);
		memo->n_ids += *count;
	}
	pthread_mutex_unlock(&memo->lock);
	return DB_OK;
}

/* The statement of a text built for it (released here). A DB_ code. */
static int prepare_built(struct op *op, struct str *sql, struct db_stmt **st)
{
	int rc = db_prepare(op->db, sql->buf, st);
	str_release(sql);
	return rc;
}

/* A body's exact keys: one a rule, and its mail's domain. */
#define EXACT_KEYS_MAX (MR__MAX + 1)

/* The texts of lookup_exact's statements for 1 … EXACT_KEYS_MAX keys, made once. */
static char *exact_sql[EXACT_KEYS_MAX + 1];
static pthread_once_t exact_sql_once = PTHREAD_ONCE_INIT;

static void exact_sql_make(void)
{
	for (size_t n = 1; n <= EXACT_KEYS_MAX; n++) {
		struct str sql = STR_INIT;
		for (size_t i = 0; i < n; i++)
			str_addf(
			    &sql,
			    "%sSELECT %zu, record_id FROM (SELECT record_id FROM match_keys WHERE "
			    "code = ? ORDER BY record_id LIMIT %d) k%zu",
			    i ? " UNION ALL " : "", i, EXACT_POSTINGS + 1, i);
		exact_sql[n] = sql.buf;
	}
}

/*
 * The records with each exact key (codes[i], found for the rules bits[i]) into f, at most
 * EXACT_POSTINGS a key, in one statement: a body's half a dozen keys are otherwise as many
 * statements, each with its own round of bind, step and reset.
 */
static int lookup_exact(struct op *op, const int64_t *codes, const unsigned *bits, size_t n,
                        struct found *f)
{
	if (!n)
		return DB_OK;
	pthread_once(&exact_sql_once, exact_sql_make);
	struct db_stmt *st;
	int rc = db_prepare(op->db, exact_sql[n], &st);
	if (rc)
		return rc;
	for (size_t i = 0; i < n; i++)
		db_bind_int(st, (int)i + 1, codes[i]);
	size_t taken[EXACT_KEYS_MAX] = {0};
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t i = db_column_int(st, 0);
		if (i < 0 || (size_t)i >= n)
			continue;
		if (taken[i]++ >= EXACT_POSTINGS) {
			/* The name and address keys only find: what they share is measured. */
			f->capped |= bits[i] & ~(1u << MR_NAME | 1u << MR_ADDRESS);
			continue;
		}
		struct candidate *c = candidate(f, db_column_int(st, 1));
		if (c)
			c->exact |= bits[i];
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

/* How many live records the entity has, from memo once it knows. A DB_ code. */
static int count_records(struct op *op, struct match_memo *memo, int64_t *records)
{
	if (memo) {
		pthread_mutex_lock(&memo->lock);
		*records = memo->records;
		pthread_mutex_unlock(&memo->lock);
		if (*records >= 0)
			return DB_OK;
	}
	int rc = db_query_int(op->db, "SELECT live_rows FROM sys_row_counts WHERE table_name = ?",
	                      1, (const char *[]){op->e->name}, records);
	rc = rc == DB_DONE ? DB_OK : rc;
	if (!rc && memo) {
		pthread_mutex_lock(&memo->lock);
		memo->records = *records;
		pthread_mutex_unlock(&memo->lock);
	}
	return rc;
}

/* Candidates for the probe, the most promising first, into f. A DB_ code. */
static int gather(struct op *op, const struct match_fields *mf, struct match_memo *memo,
                  struct probe *pr, struct found *f)
{
	static const enum match_kind kinds[MR__MAX] = {MK_TAX,    MK_PHONE, MK_PHONE,  MK_EMAIL,
	                                               MK_DOMAIN, MK_NAME,  MK_ADDRESS};
	int64_t codes[EXACT_KEYS_MAX];
	unsigned bits[EXACT_KEYS_MAX];
	size_t n = 0;
	for (size_t r = 0; r < MR__MAX; r++)
		if (pr->has[r]) {
			codes[n] = match_key_code(mf, kinds[r], pr->key[r].buf, pr->key[r].len);
			bits[n++] = 1u << r;
		}
	/* The mail's domain, unless it is the site's (a company's usual case). */
	if (pr->has_mail_domain &&
	    !(pr->has[MR_WEBSITE] && pr->key[MR_WEBSITE].len == pr->mail_domain.len &&
	      !memcmp(pr->key[MR_WEBSITE].buf, pr->mail_domain.buf, pr->mail_domain.len))) {
		codes[n] = match_key_code(mf, MK_DOMAIN, pr->mail_domain.buf, pr->mail_domain.len);
		bits[n++] = 1u << MR_WEBSITE;
	}
	size_t count;
	int rc = lookup_exact(op, codes, bits, n, f);
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
		if (!rc)
			rc = count_records(op, memo, &pr->records);
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

/* The similarity of two core forms by the check's measure (a name's bigrams weighted). */
static double core_similarity(const char *form, const struct str *want, const struct probe *pr,
                              double floor)
{
	double d = match_similarity_weighted(form, strlen(form), want->buf, want->len,
	                                     pr ? gram_weight : NULL, (void *)pr);
	return d >= floor ? d : 0;
}

/* Score one candidate row (columns: id, owner, owner's name, then the compared fields as
 * listed in mf) against the probe. The exact rules are compared on the fields only where a key
 * found the candidate (c->exact) or a key had more records than were read (capped): every value
 * of those fields is keyed, so otherwise a rule whose key did not find it does not hold. */
static void score(const struct match_rules *rules, const struct probe *pr,
                  const struct candidate *c, unsigned capped, const char *const *col,
                  const char *const form[2], struct match_hit *s)
{
	/* col: in match_columns' order */
	const char *const *phones = col + 2, *const *emails = col + 7, *const *webs = col + 9,
	                  *const *taxes = col + 11;
	unsigned found = (c ? c->exact : ~0u) | capped;
#define FOUND(rule) (pr->has[rule] && (found & (1u << (rule))))
	for (size_t i = 0; i < 2; i++)
		if (FOUND(MR_TAX_ID) && same_normal(match_tax_id, taxes[i], &pr->key[MR_TAX_ID]))
			s->sim[MR_TAX_ID] = 1;
	for (size_t i = 0; i < 5; i++) {
		if (FOUND(MR_PHONE) && same_normal(match_phone, phones[i], &pr->key[MR_PHONE]))
			s->sim[MR_PHONE] = 1;
		if (FOUND(MR_MOBILE) && same_normal(match_phone, phones[i], &pr->key[MR_MOBILE]))
			s->sim[MR_MOBILE] = 1;
	}
	for (size_t i = 0; i < 2; i++) {
		if (FOUND(MR_EMAIL) && same_normal(match_email, emails[i], &pr->key[MR_EMAIL]))
			s->sim[MR_EMAIL] = 1;
		if (!(found & (1u << MR_WEBSITE)))
			continue;
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
#undef FOUND
	/* Name and address as measured from the stored forms, which are the record's own (written
	 * with it): in prefilter, or here (form: the record's forms as rank reads them with it);
	 * normalised afresh only for a record without them. */
	if (pr->has[MR_NAME]) {
		double d = c && c->formed ? c->name_sim
		           : form[0]      ? core_similarity(form[0], &pr->key[MR_NAME], pr, 0)
		                          : similar(match_name, col[0], &pr->key[MR_NAME], pr);
		s->sim[MR_NAME] = d >= rules->name_floor ? d : 0;
	}
	if (pr->has[MR_ADDRESS]) {
		double d = c && c->formed ? c->address_sim
		           : form[1]      ? core_similarity(form[1], &pr->key[MR_ADDRESS], NULL, 0)
		                     : similar(match_address, col[1], &pr->key[MR_ADDRESS], NULL);
		s->sim[MR_ADDRESS] = d >= rules->address_floor ? d : 0;
	}
	s->score = combine(rules, s->sim, &s->reasons);
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

/* Best first: the higher score, then the lower id. */
static int by_prescore(const void *x, const void *y)
{
	const struct candidate *a = x, *b = y;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

/*
 * How many ids a query of candidates lists for `left` of them: 1, 4 or RANK_BATCH. A few sizes,
 * so each statement is prepared once and cached, and none pads a list of one or two with a dozen
 * lookups of nothing (most checks have a candidate or two).
 */
static size_t slots_for(size_t left)
{
	return left <= 1 ? 1 : left <= 4 ? 4 : RANK_BATCH;
}

/* "(?, ?, …)" of n */
static void add_slots(struct str *sql, size_t n)
{
	str_adds(sql, "(?");
	for (size_t i = 1; i < n; i++)
		str_adds(sql, ", ?");
	str_addc(sql, ')');
}

/* Read the match forms of the n candidates c (a query of `slots` ids, slots_for) and score
 * those found from them. */
static int score_forms(struct op *op, const struct match_fields *mf,
                       const struct match_rules *rules, const struct probe *pr,
                       struct candidate *const *c, size_t n, size_t slots)
{
	struct str sql = STR_INIT;
	str_adds(&sql, "SELECT record, name, address FROM match_forms WHERE record IN ");
	add_slots(&sql, slots);
	struct db_stmt *st;
	int rc = prepare_built(op, &sql, &st);
	if (rc)
		return rc;
	for (size_t i = 0; i < slots; i++)
		db_bind_int(st, (int)i + 1, i < n ? match_form_key(mf, c[i]->id) : -1);
	while ((rc = db_step(st)) == DB_ROW) {
		int64_t record = db_column_int(st, 0);
		struct candidate *to = NULL;
		for (size_t i = 0; i < n && !to; i++)
			if (match_form_key(mf, c[i]->id) == record)
				to = c[i];
		if (!to)
			continue;
		double sim[MR__MAX] = {0};
		exact_similarities(to->exact, sim);
		const char *name = db_column_text(st, 1, NULL),
		           *address = db_column_text(st, 2, NULL);
		if (name && pr->has[MR_NAME])
			sim[MR_NAME] =
			    core_similarity(name, &pr->key[MR_NAME], pr, rules->name_floor);
		if (address && pr->has[MR_ADDRESS])
			sim[MR_ADDRESS] = core_similarity(address, &pr->key[MR_ADDRESS], NULL,
			                                  rules->address_floor);
		to->formed = true;
		to->name_sim = sim[MR_NAME];
		to->address_sim = sim[MR_ADDRESS];
		unsigned reasons = 0;
		to->score = combine(rules, sim, &reasons);
	}
	db_reset(st);
	return rc == DB_DONE ? DB_OK : rc;
}

static bool qualifies(const struct match_rules *rules, const struct candidate *c, int64_t except)
{
	return c->id != except && c->score > 0 && c->score + 1e-9 >= rules->threshold;
}

/* A candidate's score with its name and address as alike as they can be (`alike`) or as they
 * are known without its forms: the same as the probe's where its name or address key found
 * it, else not alike at all. */
static double bound(const struct match_rules *rules, const struct candidate *c, bool name,
                    bool address, bool alike)
{
	double sim[MR__MAX] = {0};
	exact_similarities(c->exact, sim);
	sim[MR_NAME] = name && (alike || (c->exact & (1u << MR_NAME))) ? 1 : 0;
	sim[MR_ADDRESS] = address && (alike || (c->exact & (1u << MR_ADDRESS))) ? 1 : 0;
	unsigned reasons = 0;
	return combine(rules, sim, &reasons);
}

/*
 * Score the candidates from their match forms (the stored core name and address) and the exact
 * keys that found them, without reading or normalising their records, and keep the `keep` best
 * that reach the threshold, with their name and address similarities. rank then confirms the
 * exact rules of the few kept on their records, which drops one that a code shared by chance
 * brought in (match/keys.h).
 *
 * The forms are read only as far as they can change the outcome:
 * - Each candidate's bound is its score with name and address taken as alike as can be; the
 *   candidates are read in the order of their bounds, RANK_BATCH a query, and no further once
 *   `keep` scored ones beat the bound of the next. A name that forty records share (a person's
 *   name) is thus read sixteen records deep, not forty.
 * - A candidate whose score its forms cannot change is not read at all: one found by its name
 *   key has the probe's very core name, and with the name's weight at 1 its score is 1 whatever
 *   its address. rank measures its name and address on its record, if it is kept.
 */
static int prefilter(struct op *op, const struct match_fields *mf, const struct match_rules *rules,
                     const struct probe *pr, struct found *f, int64_t except, size_t keep)
{
	bool name = mf->name && pr->has[MR_NAME], address = mf->address && pr->has[MR_ADDRESS];
	size_t unsettled = 0;
	for (size_t i = 0; i < f->n; i++) {
		struct candidate *c = &f->c[i];
		c->score = bound(rules, c, name, address, true); /* the bound, until read */
		c->settled =
		    !(name || address) || c->score - bound(rules, c, name, address, false) < 1e-12;
		unsettled += !c->settled;
	}
	qsort(f->c, f->n, sizeof *f->c, by_prescore);
	/* The best `keep` scored so far, best first. */
	struct candidate *best = xcalloc(keep ? keep : 1, sizeof *best);
	size_t n_best = 0, read = 0;
	int rc = DB_OK;
	while (read < f->n && !rc) {
		const struct candidate *next = &f->c[read];
		if (next->score + 1e-9 < rules->threshold)
			break; /* nothing unread can reach the threshold */
		if (n_best == keep && keep && by_prescore(&best[keep - 1], next) < 0)
			break; /* nothing unread can displace the kept */
		/* The next `slots` candidates whose forms are to be read, and the settled ones
		 * between them. */
		size_t from = read, slots = slots_for(unsettled), n = 0;
		struct candidate *batch[RANK_BATCH];
		while (read < f->n && (n < slots || f->c[read].settled)) {
			struct candidate *c = &f->c[read++];
			if (c->settled)
				continue;
			/* Without forms (none stored), a candidate keeps its exact rules' score. */
			c->score = bound(rules, c, false, false, false);
			batch[n++] = c;
		}
		unsettled -= n;
		if (n)
			rc = score_forms(op, mf, rules, pr, batch, n, slots);
		for (size_t i = from; i < read; i++) {
			if (!qualifies(rules, &f->c[i], except))
				continue;
			size_t at = n_best;
			while (at > 0 && by_prescore(&best[at - 1], &f->c[i]) > 0)
				at--;
			if (at == keep)
				continue;
			if (n_best < keep)
				n_best++;
			memmove(&best[at + 1], &best[at], (n_best - 1 - at) * sizeof *best);
			best[at] = f->c[i];
		}
	}
	memcpy(f->c, best, n_best * sizeof *best);
	f->n = n_best;
	free(best);
	return rc;
}

static int by_score(const void *x, const void *y)
{
	const struct match_hit *a = x, *b = y;
	if (a->score != b->score)
		return a->score > b->score ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/*
 * Load and score the candidates (best first by their prefilter scores); the ones at or over the
 * threshold into *out (*n), best first. The `max` best first: a record's score is never above
 * its prefilter score, so the rest are read only when one of those scored lower than the next.
 */
static int rank(struct op *op, const struct match_fields *mf, const struct match_rules *rules,
                const struct probe *pr, const struct found *f, int64_t except, size_t max,
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
	/* The forms of those prefilter did not read (settled) come with the record. */
	str_addf(&sql,
	         ", m.name, m.address FROM \"%s\" t LEFT JOIN users u ON u.id = t.\"owner_id\" "
	         "LEFT JOIN match_forms m ON m.record = %lld + t.\"id\" WHERE t.\"deleted_at\" "
	         "IS NULL AND t.\"id\" IN ",
	         op->e->name, (long long)match_form_key(mf, 0));
	size_t head = sql.len;
	int rc = DB_OK;
	size_t k = 0;
	for (size_t from = 0, ids; from < f->n && !rc; from += ids) {
		/* A record scores no higher than its bound from the forms, unless a capped key's
		 * rule holds for it too (score). */
		if (k >= max && max && !f->capped) {
			struct match_hit next = {.id = f->c[from].id, .score = f->c[from].score};
			if (by_score(&out[max - 1], &next) < 0)
				break;
		}
		ids = f->n - from;
		if (from == 0 && max && ids > max)
			ids = max;
		size_t slots = slots_for(ids);
		str_truncate(&sql, head);
		add_slots(&sql, slots);
		struct db_stmt *st;
		if ((rc = db_prepare(op->db, sql.buf, &st)))
			break;
		for (size_t i = 0; i < slots; i++)
			db_bind_int(st, (int)i + 1, i < ids ? f->c[from + i].id : 0);
		while ((rc = db_step(st)) == DB_ROW) {
			int64_t id = db_column_int(st, 0);
			if (id == except)
				continue;
			const char *col[ARRAY_SIZE(names)];
			for (size_t i = 0; i < ARRAY_SIZE(names); i++)
				col[i] = db_column_text(st, (int)i + 3, NULL);
			const struct candidate *c = NULL;
			for (size_t i = from; i < from + ids && !c; i++)
				if (f->c[i].id == id)
					c = &f->c[i];
			const char *form[2] = {
			    db_column_text(st, (int)ARRAY_SIZE(names) + 3, NULL),
			    db_column_text(st, (int)ARRAY_SIZE(names) + 4, NULL)};
			struct match_hit sc = {.id = id, .owner_id = db_column_int(st, 1)};
			score(rules, pr, c, f->capped, col, form, &sc);
			if (sc.score + 1e-9 < rules->threshold || !sc.reasons)
				continue;
			sc.name = arena_strdup(op->arena, col[0] ? col[0] : "");
			const char *owner = db_column_text(st, 2, NULL);
			sc.owner_name = owner ? arena_strdup(op->arena, owner) : NULL;
			out[k++] = sc;
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
		qsort(out, k, sizeof *out, by_score);
	}
	str_release(&sql);
	*n = k;
	return rc;
}

/* Each rule's normal form (match/normalize.h), in enum match_rule's order. */
static bool (*const rule_normal[MR__MAX])(struct str *, const char *) = {
    match_tax_id, match_phone, match_phone, match_email, match_domain, match_name, match_address};

/* The body's members into the probe; errors (a member that is not text) into op->problem. */
static void probe_of(struct op *op, const json_t *body, struct probe *pr, int64_t *except)
{
	for (size_t r = 0; r < MR__MAX; r++) {
		json_t *v = json_object_get(body, match_rule_names[r]);
		if (v && !json_is_string(v) && !json_is_null(v)) {
			problem_add(op->problem, match_rule_names[r], "invalid_type",
			            (const char *[]){"expected", "text", NULL});
			continue;
		}
		pr->has[r] = json_is_string(v) && rule_normal[r](&pr->key[r], json_string_value(v));
	}
	json_t *mail = json_object_get(body, "email");
	pr->has_mail_domain =
	    json_is_string(mail) && match_domain(&pr->mail_domain, json_string_value(mail));
	json_t *id = json_object_get(body, "id");
	*except = json_is_integer(id) ? json_integer_value(id) : 0;
}

/* The probe's look-alikes into hits (see match_best); releases the probe. */
static int best(struct op *op, const struct match_fields *mf, const struct match_rules *rules,
                struct match_memo *memo, struct probe *pr, int64_t except, struct match_hit *hits,
                size_t max, size_t *n)
{
	if (!mf->websites[0]) /* no web site to compare a domain with (contacts) */
		pr->has[MR_WEBSITE] = pr->has_mail_domain = false;
	int status = 0;
	bool any = false;
	for (size_t r = 0; r < MR__MAX; r++)
		any |= pr->has[r];
	if (op->problem->n_errors)
		status = problem_set(op->problem, 422, "validation_failed");
	/* Not zeroed: its candidates are written as they are added (14 KiB a check saved). */
	struct found *f = xmalloc(sizeof *f);
	f->n = f->n_gram_ids = f->cap = 0;
	f->capped = 0;
	f->gram_ids = NULL;
	int rc = DB_OK;
	/* Two more than asked for go on to be scored from their records: a code shared by chance
	 * can drop one there. */
	if (!status && any && !(rc = gather(op, mf, memo, pr, f)) &&
	    !(rc = prefilter(op, mf, rules, pr, f, except, max + 2)) && f->n) {
		struct match_hit *all = xcalloc(f->n, sizeof *all);
		size_t k = 0;
		rc = rank(op, mf, rules, pr, f, except, max, all, &k);
		*n = k < max ? k : max;
		memcpy(hits, all, *n * sizeof *all);
		free(all);
	}
	if (rc)
		status = crud_db_error(op, rc, "a duplicate check");
	free(f->gram_ids);
	free(f);
	for (size_t r = 0; r < MR__MAX; r++)
		str_release(&pr->key[r]);
	str_release(&pr->mail_domain);
	return status;
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
	return best(op, mf, rules, memo, &pr, except, hits, max, n);
}

/* The probe of a record's values: the first field of each kind, as a body names them. */
static void probe_of_values(const struct entity *e, const struct match_fields *mf,
                            const struct value *vals, const char *core_name,
                            const char *core_address, struct probe *pr)
{
	const char *fields[MR_NAME] = {mf->tax_ids[0], mf->phones[0], mf->mobiles[0], mf->emails[0],
	                               mf->websites[0]};
	char buf[1024];
	for (size_t r = 0; r < MR_NAME; r++) {
		const char *s = match_value_text(e, vals, fields[r], buf, sizeof buf);
		pr->has[r] = s && rule_normal[r](&pr->key[r], s);
		if (r == MR_EMAIL)
			pr->has_mail_domain = s && match_domain(&pr->mail_domain, s);
	}
	if ((pr->has[MR_NAME] = core_name && *core_name))
		str_adds(&pr->key[MR_NAME], core_name);
	if ((pr->has[MR_ADDRESS] = core_address && *core_address))
		str_adds(&pr->key[MR_ADDRESS], core_address);
}

int match_best_values(struct op *op, const struct match_rules *rules, struct match_memo *memo,
                      const struct value *vals, const char *core_name, const char *core_address,
                      struct match_hit *hits, size_t max, size_t *n)
{
	*n = 0;
	const struct match_fields *mf = match_fields_of(op->e);
	if (!mf)
		return problem_set(op->problem, 404, "not_found");
	struct probe pr = {0};
	probe_of_values(op->e, mf, vals, core_name, core_address, &pr);
	return best(op, mf, rules, memo, &pr, 0, hits, max, n);
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
