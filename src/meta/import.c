/*
 * An import runs as a pipeline on two threads: the reader parses and checks rows and prepares
 * what their inserts need (tokens, audit values); the writer, which owns the database
 * connection, checks each batch against the database and inserts it. On a machine with two
 * cores the parsing and the database work overlap. See import_internal.h.
 */
#include "import_internal.h"
#include "access.h"
#include "crud.h"
#include "core/log.h"
#include "core/util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

void import_add_error(struct import_findings *f, int64_t row, const char *field, const char *code,
                      const char *const *params)
{
	if (f->problem.n_errors >= IMPORT_MAX_ERRORS) {
		f->dropped++;
		return;
	}
	problem_add_row(&f->problem, row, field, code, params);
}

/* A queue of two batches: the reader fills one while the writer works on the other. */
#define QUEUE_LEN 2
/* Rows in the first batch (import_plan_columns decides the rest). */
#define IMPORT_FIRST_BATCH 100

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct import_batch *items[QUEUE_LEN];
	size_t head, count;
};

static void queue_push(struct queue *q, struct import_batch *b)
{
	pthread_mutex_lock(&q->lock);
	while (q->count == QUEUE_LEN)
		pthread_cond_wait(&q->changed, &q->lock);
	q->items[(q->head + q->count++) % QUEUE_LEN] = b;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
}

static struct import_batch *queue_pop(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	while (q->count == 0)
		pthread_cond_wait(&q->changed, &q->lock);
	struct import_batch *b = q->items[q->head];
	q->head = (q->head + 1) % QUEUE_LEN;
	q->count--;
	pthread_cond_broadcast(&q->changed);
	pthread_mutex_unlock(&q->lock);
	return b;
}

static struct import_batch *batch_new(size_t size)
{
	struct import_batch *b = xcalloc(1, sizeof *b);
	arena_init(&b->arena, 64 * 1024);
	b->rows = ARENA_NEW_ARRAY(&b->arena, struct import_row, size);
	return b;
}

static void batch_free(struct import_batch *b)
{
	if (b) {
		arena_release(&b->arena);
		free(b);
	}
}

struct reader {
	struct importer *im;
	struct queue *q;
};

/* The reader thread: records to checked rows, in batches; NULL when the file ends. */
static void *read_rows(void *arg)
{
	struct reader *rd = arg;
	struct importer *im = rd->im;
	/* The first batch is small: the writer starts on it while this thread reads on. */
	size_t size = im->batch < IMPORT_FIRST_BATCH ? im->batch : IMPORT_FIRST_BATCH;
	struct import_batch *b = batch_new(im->batch);
	int r;
	while (!atomic_load(&im->stop) && (r = csv_next(&im->csv)) == 1) {
		im->rows++;
		if (!import_read_row(im, &b->arena, &b->rows[b->n])) {
			im->read.invalid++;
			atomic_store(&im->inserting, false);
			if (b->n == 0 && im->read.invalid % 256 == 0) {
				/* Nothing pending: a long run of bad rows must not pile up. */
				batch_free(b);
				b = batch_new(im->batch);
			}
			continue;
		}
		if (++b->n == size) {
			size = im->batch;
			queue_push(rd->q, b);
			b = batch_new(im->batch);
		}
	}
	im->csv_rc = atomic_load(&im->stop) ? 0 : r;
	if (b->n)
		queue_push(rd->q, b);
	else
		batch_free(b);
	queue_push(rd->q, NULL);
	return NULL;
}

/*
 * The writer (this thread): check each batch against the database and, while every row so far
 * is good and this is no dry run, insert it, all in one transaction; the first bad row anywhere
 * stops the inserting, and the transaction is rolled back: all or nothing.
 */
static int run(struct importer *im, bool insert, int64_t *created)
{
	struct op *op = im->op;
	int rc = DB_OK;
	atomic_store(&im->inserting, insert);
	if (insert && (rc = db_begin_bulk(op->db)))
		return rc;
	struct queue q = {.lock = PTHREAD_MUTEX_INITIALIZER, .changed = PTHREAD_COND_INITIALIZER};
	struct reader rd = {.im = im, .q = &q};
	pthread_t reader;
	if (pthread_create(&reader, NULL, read_rows, &rd))
		die("cannot start the import reader");
	struct import_batch *b;
	while ((b = queue_pop(&q))) {
		/* A dry run reads a batch in one snapshot (the inserting run is in its
		 * transaction). */
		bool snapshot = !insert && !rc && !(rc = db_begin_read(op->db));
		if (!rc)
			import_match_begin(im, b);
		if (!rc && !(rc = import_check_batch(im, b))) {
			for (size_t i = 0; i < b->n; i++)
				if (!b->rows[i].ok) {
					im->write.invalid++;
					atomic_store(&im->inserting, false);
				}
			rc = import_match_batch(im, b);
			if (!rc && atomic_load(&im->inserting))
				rc = import_insert_batch(im, b, created);
		}
		import_match_end(im);
		if (snapshot)
			db_commit(op->db);
		if (rc)
			atomic_store(&im->stop, true); /* drain the queue; the reader ends soon */
		batch_free(b);
	}
	pthread_join(reader, NULL);
	if (insert) {
		bool all_good = atomic_load(&im->inserting) && im->csv_rc == 0;
		if (!rc && all_good && *created > 0 && !(rc = import_write_keys(im)) &&
		    !(rc = crud_bump_count(op, *created)))
			rc = db_commit(op->db);
		if (rc || !all_good) {
			db_rollback(op->db);
			*created = 0;
		}
	}
	return rc;
}

/* A batch's database findings come field by field: put them in row order (stable). */
static void sort_by_row(struct problem *p)
{
	for (size_t i = 1; i < p->n_errors; i++) {
		struct problem_error e = p->errors[i];
		size_t j = i;
		for (; j > 0 && p->errors[j - 1].row > e.row; j--)
			p->errors[j] = p->errors[j - 1];
		p->errors[j] = e;
	}
}

/* Both threads' errors into the request's problem, in file order. */
static void merge_findings(struct importer *im)
{
	struct problem *p = im->op->problem;
	sort_by_row(&im->write.problem);
	const struct problem *parts[2] = {&im->read.problem, &im->write.problem};
	size_t at[2] = {0, 0};
	while (p->n_errors < IMPORT_MAX_ERRORS) {
		int pick = -1;
		for (int k = 0; k < 2; k++)
			if (at[k] < parts[k]->n_errors &&
			    (pick < 0 ||
			     parts[k]->errors[at[k]].row < parts[pick]->errors[at[pick]].row))
				pick = k;
		if (pick < 0)
			break;
		const struct problem_error *e = &parts[pick]->errors[at[pick]++];
		problem_add_row(p, e->row, e->field, e->code, e->params);
	}
	im->read.dropped += im->read.problem.n_errors - at[0];
	im->write.dropped += im->write.problem.n_errors - at[1];
}

static void findings_init(struct import_findings *f)
{
	memset(f, 0, sizeof *f);
	arena_init(&f->arena, 16 * 1024);
	problem_init(&f->problem, &f->arena);
}

static void report(struct importer *im, const struct import_options *o, int64_t created,
                   struct str *out)
{
	int64_t invalid = im->read.invalid + im->write.invalid;
	str_addf(out,
	         "\"dry_run\":%s,\"rows\":%lld,\"valid\":%lld,\"invalid\":%lld,\"created\":%lld",
	         o->dry_run ? "true" : "false", (long long)im->rows,
	         (long long)(im->rows - invalid), (long long)invalid, (long long)created);
	str_addf(out, ",\"encoding\":\"%s\"", im->csv.converted ? "GB18030" : "UTF-8");
	str_adds(out, ",\"mapping\":");
	str_adds(out, im->header_json.buf);
	str_adds(out, ",\"unmapped_columns\":");
	str_adds(out, im->unmapped_json.buf);
	str_addf(out, ",\"errors_truncated\":%s",
	         im->read.dropped + im->write.dropped ? "true" : "false");
	import_match_report(im, out);
}

/*
 * An import creates records: it needs import and create. Owners in the file need assign over
 * everyone (they are not checked row by row); sensitive columns need their permission.
 */
static int import_allowed(struct importer *im)
{
	struct op *op = im->op;
	if (access_scope(op, ACT_IMPORT) == SCOPE_NONE ||
	    access_scope(op, ACT_CREATE) == SCOPE_NONE)
		return problem_set(op->problem, 403, "forbidden");
	for (size_t i = 0; i < im->e->n_fields; i++) {
		const struct field *f = &im->e->fields[i];
		if (!im->mapped[i])
			continue;
		bool owner = strcmp(f->name, "owner_id") == 0;
		if ((owner && access_scope(op, ACT_ASSIGN) != SCOPE_ALL) ||
		    ((f->flags & FF_SENSITIVE) && access_scope(op, ACT_SENSITIVE) == SCOPE_NONE))
			problem_add(op->problem, f->name, "forbidden_field", NULL);
	}
	return op->problem->n_errors ? problem_set(op->problem, 403, "forbidden") : 0;
}

int import_csv(struct op *op, int fd, const struct import_options *o, struct str *out)
{
	struct importer im = {
	    .op = op, .e = op->e, .header_json = STR_INIT, .unmapped_json = STR_INIT};
	int status;
	strset_init(&im.refs_ok);
	findings_init(&im.read);
	findings_init(&im.write);
	time_now_iso(im.now);
	import_match_init(&im, o->dry_run);
	im.unique_seen = ARENA_NEW_ARRAY(op->arena, struct strset, op->e->n_fields);
	if (csv_open(&im.csv, fd, o->max_bytes)) {
		problem_add(op->problem, "body", "invalid_csv",
		            (const char *[]){"detail", im.csv.error, NULL});
		status = problem_set(op->problem, 400, "bad_request");
		goto out;
	}
	int rc = csv_next(&im.csv);
	if (rc <= 0) {
		problem_add(
		    op->problem, "body", "invalid_csv",
		    (const char *[]){"detail", rc < 0 ? im.csv.error : "no header row", NULL});
		status = problem_set(op->problem, 400, "bad_request");
		goto out;
	}
	if ((status = import_map_columns(&im, o->mapping)) || (status = import_allowed(&im)))
		goto out;
	import_plan_columns(&im, o->dry_run);
	int64_t created = 0;
	rc = run(&im, !o->dry_run, &created);
	merge_findings(&im);
	if (rc) {
		status = crud_db_error(op, rc, "import");
		goto out;
	}
	if (im.csv_rc < 0) {
		problem_add(op->problem, "body", "invalid_csv",
		            (const char *[]){"detail", im.csv.error, NULL});
		status = problem_set(op->problem, 400, "bad_request");
		goto out;
	}
	if (!o->dry_run && im.read.invalid + im.write.invalid) {
		/* Nothing was created: a problem document carrying the whole report. */
		struct str rep = STR_INIT;
		report(&im, o, 0, &rep);
		op->problem->extra = arena_strndup(op->arena, rep.buf, rep.len);
		str_release(&rep);
		status = problem_set(op->problem, 422, "validation_failed");
		goto out;
	}
	if (created)
		log_info("imported %lld rows into '%s' (request %s)", (long long)created,
		         op->e->name, op->request_id);
	str_addc(out, '{');
	report(&im, o, created, out);
	str_adds(out, ",\"errors\":");
	problem_render_errors(op->problem, op->lang, out);
	str_addc(out, '}');
	op->problem->n_errors = 0;
	status = 200;
out:
	for (size_t i = 0; i < op->e->n_fields; i++)
		strset_release(&im.unique_seen[i]);
	strset_release(&im.refs_ok);
	match_postings_release(&im.postings);
	arena_release(&im.read.arena);
	arena_release(&im.write.arena);
	str_release(&im.header_json);
	str_release(&im.unmapped_json);
	import_match_release(&im);
	csv_close(&im.csv);
	return status;
}

int import_run(struct db *db, const struct registry *reg, const char *entity, int fd,
               const struct import_options *o, int64_t user_id, const char *request_id,
               struct str *out)
{
	struct arena a;
	arena_init(&a, 64 * 1024);
	struct problem p;
	problem_init(&p, &a);
	struct op op = {.arena = &a,
	                .db = db,
	                .reg = reg,
	                .e = registry_entity(reg, entity),
	                .user_id = user_id,
	                .admin = true,
	                .lang = LANG_EN,
	                .request_id = request_id,
	                .problem = &p,
	                .count_cap = 10000};
	int status;
	if (!op.e)
		status = problem_set(&p, 404, "not_found");
	else
		status = import_csv(&op, fd, o, out);
	db_settle(db); /* nothing waits for an answer here */
	if (status < 0) {
		str_reset(out);
		problem_render(&p, LANG_EN, out);
	}
	arena_release(&a);
	return status;
}
