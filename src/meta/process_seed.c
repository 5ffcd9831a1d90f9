#include "meta/process_seed.h"

#include "core/arena.h"
#include "core/log.h"
#include "core/problem.h"
#include "core/str.h"
#include "meta/embedded.h"
#include "meta/op.h"
#include "meta/process_store.h"
#include "meta/registry.h"

#include <jansson.h>
#include <stdio.h>

/* sys_meta remembers each shipped process once installed, so that one an administrator removed
 * stays removed. A key of its own per process: a later release adds processes one by one. */
static int seeded(struct db *db, const char *mark, bool *yes)
{
	int64_t n = 0;
	int rc = db_query_int(db, "SELECT count(*) FROM sys_meta WHERE key = ?", 1,
	                      (const char *[]){mark}, &n);
	*yes = n > 0;
	return rc;
}

static int mark_seeded(struct db *db, const char *mark)
{
	return db_run(db, "INSERT INTO sys_meta (key, value) VALUES (?, 1) ON CONFLICT DO NOTHING",
	              1, (const char *[]){mark});
}

static int seed_one(struct db *db, const char *file, const json_t *doc)
{
	const char *key = json_string_value(json_object_get(doc, "key"));
	const json_t *def = json_object_get(doc, "definition");
	const char *entity = json_string_value(json_object_get(def, "entity"));
	if (!key || !entity) {
		log_error("process/%s: needs a key and a definition naming its entity", file);
		return -1;
	}
	char mark[128];
	snprintf(mark, sizeof mark, "process_seeded.%s", key);
	bool done;
	if (seeded(db, mark, &done))
		return -1;
	if (done)
		return 0;
	/* An administrator's own process for the entity (one per entity) is kept. */
	int64_t theirs = 0;
	if (db_query_int(db, "SELECT count(*) FROM processes WHERE entity = ?", 1,
	                 (const char *[]){entity}, &theirs))
		return -1;
	int status = 0;
	if (!theirs) {
		struct arena arena;
		arena_init(&arena, 16 * 1024);
		struct problem problem;
		problem_init(&problem, &arena);
		struct registry *reg = registry_acquire();
		struct op op = {.arena = &arena,
		                .db = db,
		                .reg = reg,
		                .admin = true,
		                .lang = LANG_EN,
		                .problem = &problem};
		struct str out = STR_INIT;
		status = process_store(&op, key, def, &out);
		str_release(&out);
		registry_release(reg);
		/* The node still starts (a role the process names may have been removed, say);
		 * the next start tries again. */
		if (status < 0)
			log_error("process/%s: not installed (%s%s%s)", file,
			          problem.code ? problem.code : "database error",
			          problem.errors ? ": " : "",
			          problem.errors ? problem.errors->field : "");
		arena_release(&arena);
		if (status < 0)
			return 0;
	}
	return mark_seeded(db, mark) ? -1 : 0;
}

int process_seed(struct db *db)
{
	int rc = 0;
	for (size_t i = 0; i < embedded_process_count && !rc; i++) {
		const struct embedded_file *f = &embedded_process[i];
		json_error_t jerr;
		json_t *doc = json_loadb(f->data, f->len, 0, &jerr);
		if (!doc) {
			log_error("process/%s: %s (line %d)", f->name, jerr.text, jerr.line);
			return -1;
		}
		rc = seed_one(db, f->name, doc);
		json_decref(doc);
	}
	return rc;
}
