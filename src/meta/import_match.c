/*
 * The duplicate report of an import's dry run (docs/internals/MATCH.md): each good row of an
 * entity with a duplicate check is compared with the records already there (the check's own
 * scoring) and with the rows before it in the file (by the codes of their exact keys: tax ID,
 * phone, e-mail, core name), so a person sees what is new before importing.
 *
 * The comparison with the base is the costly part (index lookups, a few a row), and rows are
 * independent of each other, so a large batch is shared between two threads, one a core: this
 * one, and a second with a connection of its own, each in its own read snapshot. The rows'
 * findings are then written in file order, as one thread would have.
 */
#include "import_internal.h"
#include "core/log.h"
#include "core/util.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MATCHES_PER_ROW 3
/* A batch with fewer good rows is checked by this thread alone: a thread is not worth it. */
#define SHARED_BATCH_MIN 64

/* One row's look-alikes in the base. */
struct row_hits {
	struct match_hit hit[MATCHES_PER_ROW];
	size_t n;
};

/* One thread's share of a batch: its rows first, first + step, …, checked into out. */
struct import_checker {
	struct importer *im;
	struct op op;       /* the request's, with this checker's connection, arena and problem */
	struct db *own_db;  /* the second checker's connection; NULL: the request's */
	struct arena arena; /* the hits' names: one batch's */
	struct problem problem;
	const struct import_batch *b;
	struct row_hits *out;
	size_t first, step;
	int rc;
};

static struct import_checker *checker_new(struct importer *im, struct db *own_db)
{
	struct import_checker *c = xcalloc(1, sizeof *c);
	c->im = im;
	c->op = *im->op;
	c->own_db = own_db;
	if (own_db)
		c->op.db = own_db;
	arena_init(&c->arena, 16 * 1024);
	problem_init(&c->problem, &c->arena);
	c->op.arena = &c->arena;
	c->op.problem = &c->problem;
	return c;
}

static void checker_free(struct import_checker *c)
{
	if (!c)
		return;
	db_close(c->own_db);
	arena_release(&c->arena);
	free(c);
}

void import_match_init(struct importer *im, bool dry_run)
{
	im->dup.on = dry_run && match_fields_of(im->e);
	strset_init(&im->dup.keys);
	match_memo_init(&im->dup.memo);
	im->dup.json = (struct str)STR_INIT;
}

void import_match_release(struct importer *im)
{
	/* The second connection's memory is on its thread's heap (core/util.h). */
	heap_release_begin();
	for (size_t k = 0; k < IMPORT_CHECKERS; k++)
		checker_free(im->dup.checkers[k]);
	heap_release_end();
	strset_release(&im->dup.keys);
	match_memo_release(&im->dup.memo);
	str_release(&im->dup.json);
}

/* The row's values as the check's body: the first field of each kind. */
static json_t *body_of(const struct entity *e, const struct match_fields *mf,
                       const struct value *vals)
{
	const char *members[][2] = {{"name", mf->name},        {"address", mf->address},
	                            {"phone", mf->phones[0]},  {"mobile", mf->mobiles[0]},
	                            {"email", mf->emails[0]},  {"website", mf->websites[0]},
	                            {"tax_id", mf->tax_ids[0]}};
	json_t *body = json_object();
	for (size_t i = 0; i < ARRAY_SIZE(members); i++) {
		const struct field *f = members[i][1] ? entity_field(e, members[i][1]) : NULL;
		if (f && vals[f->position].kind == V_TEXT)
			json_object_set_new(body, members[i][0],
			                    json_stringn(vals[f->position].s, vals[f->position].n));
	}
	return body;
}

/* The earlier rows of the file that share an exact key with this one, as [{"row","reasons"}]. */
static void earlier_rows(struct importer *im, const struct import_row *row, struct str *out,
                         size_t *found)
{
	static const struct {
		enum match_kind kind;
		const char *reason;
	} kinds[] = {
	    {MK_TAX, "tax_id"}, {MK_PHONE, "phone"}, {MK_EMAIL, "email"}, {MK_NAME, "name"}};
	int64_t rows[8];
	unsigned why[8] = {0};
	size_t n = 0;
	for (size_t i = 0; i < row->n_keys; i++) {
		size_t k = 0;
		while (k < ARRAY_SIZE(kinds) && kinds[k].kind != match_code_kind(row->keys[i]))
			k++;
		if (k == ARRAY_SIZE(kinds))
			continue;
		char key[24];
		int len = snprintf(key, sizeof key, "%llx", (unsigned long long)row->keys[i]);
		int64_t first;
		if (strset_add(&im->dup.keys, key, (size_t)len, row->line, &first))
			continue;
		size_t j = 0;
		while (j < n && rows[j] != first)
			j++;
		if (j == n && n < ARRAY_SIZE(rows))
			rows[n++] = first;
		if (j < n)
			why[j] |= 1u << k;
	}
	str_addc(out, '[');
	for (size_t j = 0; j < n; j++) {
		str_addf(out, "%s{\"row\":%lld,\"reasons\":[", j ? "," : "", (long long)rows[j]);
		size_t m = 0;
		for (size_t k = 0; k < ARRAY_SIZE(kinds); k++)
			if (why[j] & (1u << k))
				str_addf(out, "%s\"%s\"", m++ ? "," : "", kinds[k].reason);
		str_adds(out, "]}");
	}
	str_addc(out, ']');
	*found = n;
}

static void check_rows(struct import_checker *c)
{
	struct importer *im = c->im;
	const struct match_fields *mf = match_fields_of(im->e);
	/* The request's connection is in the batch's snapshot already (import.c). */
	bool snapshot = c->own_db && !(c->rc = db_begin_read(c->op.db));
	for (size_t i = c->first; i < c->b->n && !c->rc; i += c->step) {
		const struct import_row *row = &c->b->rows[i];
		if (!row->ok)
			continue;
		json_t *body = body_of(im->e, mf, row->vals);
		int status = match_best(&c->op, &im->dup.rules, &im->dup.memo, body, c->out[i].hit,
		                        MATCHES_PER_ROW, &c->out[i].n);
		json_decref(body);
		/* Only a fault gets here: the row's values were checked already. */
		if (status < 0)
			c->rc = DB_ERROR;
	}
	if (snapshot)
		db_commit(c->op.db);
}

static void *check_thread(void *arg)
{
	check_rows(arg);
	return NULL;
}

/* How many checkers share a batch of `good` good rows: the second one's connection is opened
 * at the first batch that needs it. */
static size_t checkers_for(struct importer *im, size_t good)
{
	if (!im->dup.checkers[0])
		im->dup.checkers[0] = checker_new(im, NULL);
	if (good < SHARED_BATCH_MIN || im->dup.no_second)
		return 1;
	if (!im->dup.checkers[1]) {
		struct db *db;
		char *err = NULL;
		if (db_open_sibling(im->op->db, &db, &err)) {
			log_warn(
			    "a dry run checks on one thread: no second connection: %s (request %s)",
			    err ? err : "?", im->op->request_id);
			free(err);
			im->dup.no_second = true;
			return 1;
		}
		/* The rows' pages are met once each: a small cache loses little (db.h). */
		db_small_cache(db);
		im->dup.checkers[1] = checker_new(im, db);
	}
	return 2;
}

/* Check the batch's good rows against the base into out, on one thread or two. A DB_ code. */
static int check_batch(struct importer *im, struct import_batch *b, struct row_hits *out)
{
	size_t good = 0;
	for (size_t i = 0; i < b->n; i++)
		good += b->rows[i].ok;
	size_t n = checkers_for(im, good);
	for (size_t k = 0; k < n; k++) {
		struct import_checker *c = im->dup.checkers[k];
		arena_release(&c->arena);
		arena_init(&c->arena, 16 * 1024);
		problem_init(&c->problem, &c->arena);
		c->b = b;
		c->out = out;
		c->first = k;
		c->step = n;
		c->rc = DB_OK;
	}
	pthread_t second;
	bool shared = n == 2 && !pthread_create(&second, NULL, check_thread, im->dup.checkers[1]);
	if (!shared)
		im->dup.checkers[0]->step = 1;
	check_rows(im->dup.checkers[0]);
	if (shared)
		pthread_join(second, NULL);
	for (size_t k = 0; k < (shared ? 2 : 1); k++) {
		const struct import_checker *c = im->dup.checkers[k];
		if (c->rc) {
			/* The cause (a timeout, a lost connection) as the check reported it. */
			if (c->problem.status)
				problem_set(im->op->problem, c->problem.status, c->problem.code);
			return c->rc;
		}
	}
	return DB_OK;
}

int import_match_batch(struct importer *im, struct import_batch *b)
{
	if (!im->dup.on)
		return 0;
	if (!im->dup.rules_loaded) {
		int rc = match_rules_load(im->op->db, &im->dup.rules);
		if (rc)
			return rc;
		im->dup.rules_loaded = true;
	}
	struct row_hits *out = xcalloc(b->n ? b->n : 1, sizeof *out);
	int rc = check_batch(im, b, out);
	for (size_t i = 0; i < b->n && !rc; i++) {
		const struct import_row *row = &b->rows[i];
		if (!row->ok)
			continue;
		struct str earlier = STR_INIT;
		size_t same = 0;
		earlier_rows(im, row, &earlier, &same);
		if (out[i].n || same) {
			im->dup.count++;
			if (im->dup.listed < IMPORT_MAX_ERRORS) {
				im->dup.listed++;
				str_addf(&im->dup.json, "%s{\"row\":%lld,\"matches\":",
				         im->dup.json.len ? "," : "", (long long)row->line);
				match_hits_json(&im->dup.json, out[i].hit, out[i].n);
				str_adds(&im->dup.json, ",\"rows\":");
				str_add(&im->dup.json, earlier.buf, earlier.len);
				str_addc(&im->dup.json, '}');
			}
		}
		str_release(&earlier);
	}
	free(out);
	return rc;
}

void import_match_report(const struct importer *im, struct str *out)
{
	if (!im->dup.on)
		return;
	str_addf(out, ",\"duplicate_rows\":%zu,\"duplicates_truncated\":%s,\"duplicates\":[",
	         im->dup.count, im->dup.count > im->dup.listed ? "true" : "false");
	str_add(out, im->dup.json.buf ? im->dup.json.buf : "", im->dup.json.len);
	str_addc(out, ']');
}
