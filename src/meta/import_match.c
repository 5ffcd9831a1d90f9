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
#include <stdatomic.h>
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

/* One thread checking a batch's rows into out: the next row not taken yet (*next), until none
 * is left, so that neither thread waits for the other at the batch's end while rows remain. */
struct import_checker {
	struct importer *im;
	struct op op;       /* the request's, with this checker's connection, arena and problem */
	struct db *own_db;  /* the second checker's connection; NULL: the request's */
	struct arena arena; /* the hits' names: one batch's */
	struct problem problem;
	const struct import_batch *b;
	struct row_hits *out;
	atomic_size_t *next;
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
	import_match_end(im);
	/* The second connection's memory is on its thread's heap (core/util.h). */
	heap_release_begin();
	for (size_t k = 0; k < IMPORT_CHECKERS; k++)
		checker_free(im->dup.checkers[k]);
	heap_release_end();
	strset_release(&im->dup.keys);
	match_memo_release(&im->dup.memo);
	str_release(&im->dup.json);
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
		int64_t first;
		if (strset_add(&im->dup.keys, (const char *)&row->keys[i], sizeof row->keys[i],
		               row->line, &first))
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
	/* The request's connection is in the batch's snapshot already (import.c). Every row of a
	 * batch passed the reader's checks; the database's may yet fail one (row->ok, written by
	 * the writer meanwhile and not read here): its findings are then left out. */
	bool snapshot = c->own_db && !(c->rc = db_begin_read(c->op.db));
	for (size_t i; !c->rc && (i = atomic_fetch_add(c->next, 1)) < c->b->n;) {
		const struct import_row *row = &c->b->rows[i];
		int status = match_best_values(&c->op, &im->dup.rules, &im->dup.memo, row->vals,
		                               row->core_name, row->core_address, c->out[i].hit,
		                               MATCHES_PER_ROW, &c->out[i].n);
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

/* How many checkers share a batch of n rows: the second one's connection is opened at the
 * first batch that needs it. */
static size_t checkers_for(struct importer *im, size_t n)
{
	if (!im->dup.checkers[0])
		im->dup.checkers[0] = checker_new(im, NULL);
	if (n < SHARED_BATCH_MIN || im->dup.no_second)
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

/* A batch being checked against the base: begun before the database's checks of its rows, so
 * that the second thread works meanwhile, and joined by import_match_batch or import_match_end.
 */
struct batch_check {
	struct row_hits *out; /* a row's look-alikes, by its index in the batch */
	atomic_size_t next;   /* the next row not yet taken by a checker */
	size_t n;             /* the batch's rows */
	pthread_t second;
	bool shared; /* the second checker runs */
	int rc;      /* loading the rules */
};

void import_match_begin(struct importer *im, struct import_batch *b)
{
	if (!im->dup.on)
		return;
	struct batch_check *bc = xcalloc(1, sizeof *bc);
	im->dup.current = bc;
	if (!im->dup.rules_loaded) {
		if ((bc->rc = match_rules_load(im->op->db, &im->dup.rules)))
			return;
		im->dup.rules_loaded = true;
	}
	bc->out = xcalloc(b->n ? b->n : 1, sizeof *bc->out);
	atomic_init(&bc->next, 0);
	bc->n = b->n;
	size_t n = checkers_for(im, b->n);
	for (size_t k = 0; k < n; k++) {
		struct import_checker *c = im->dup.checkers[k];
		arena_release(&c->arena);
		arena_init(&c->arena, 16 * 1024);
		problem_init(&c->problem, &c->arena);
		c->b = b;
		c->out = bc->out;
		c->next = &bc->next;
		c->rc = DB_OK;
	}
	bc->shared =
	    n == 2 && !pthread_create(&bc->second, NULL, check_thread, im->dup.checkers[1]);
}

/* Wait for the second checker; the first fault of either (a DB_ code), its cause in the
 * request's problem. */
static int batch_join(struct importer *im, struct batch_check *bc)
{
	if (bc->shared)
		pthread_join(bc->second, NULL);
	bc->shared = false;
	for (size_t k = 0; k < IMPORT_CHECKERS; k++) {
		const struct import_checker *c = im->dup.checkers[k];
		if (c && c->b && c->rc) {
			/* The cause (a timeout, a lost connection) as the check reported it. */
			if (c->problem.status)
				problem_set(im->op->problem, c->problem.status, c->problem.code);
			return c->rc;
		}
	}
	return DB_OK;
}

void import_match_end(struct importer *im)
{
	struct batch_check *bc = im->dup.current;
	if (!bc)
		return;
	/* Where the batch failed before its findings were written: the second checker takes no
	 * more rows, and the failure's own cause is the one reported. */
	atomic_store(&bc->next, bc->n);
	if (bc->shared)
		pthread_join(bc->second, NULL);
	for (size_t k = 0; k < IMPORT_CHECKERS; k++)
		if (im->dup.checkers[k])
			im->dup.checkers[k]->b = NULL;
	free(bc->out);
	free(bc);
	im->dup.current = NULL;
}

int import_match_batch(struct importer *im, struct import_batch *b)
{
	struct batch_check *bc = im->dup.current;
	if (!bc)
		return 0;
	int rc = bc->rc;
	/* The file's earlier rows first: they need no database, and the second checker works
	 * meanwhile; then this thread takes rows too. */
	struct str *earlier = xcalloc(b->n ? b->n : 1, sizeof *earlier);
	size_t *same = xcalloc(b->n ? b->n : 1, sizeof *same);
	for (size_t i = 0; i < b->n && !rc; i++)
		if (b->rows[i].ok)
			earlier_rows(im, &b->rows[i], &earlier[i], &same[i]);
	if (!rc) {
		check_rows(im->dup.checkers[0]);
		rc = batch_join(im, bc);
	}
	for (size_t i = 0; i < b->n && !rc; i++) {
		const struct import_row *row = &b->rows[i];
		if (!row->ok || !(bc->out[i].n || same[i]))
			continue;
		im->dup.count++;
		if (im->dup.listed == IMPORT_MAX_ERRORS)
			continue;
		im->dup.listed++;
		str_addf(&im->dup.json, "%s{\"row\":%lld,\"matches\":", im->dup.json.len ? "," : "",
		         (long long)row->line);
		match_hits_json(&im->dup.json, bc->out[i].hit, bc->out[i].n);
		str_adds(&im->dup.json, ",\"rows\":");
		str_add(&im->dup.json, earlier[i].buf, earlier[i].len);
		str_addc(&im->dup.json, '}');
	}
	for (size_t i = 0; i < b->n; i++)
		str_release(&earlier[i]);
	free(earlier);
	free(same);
	import_match_end(im);
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
