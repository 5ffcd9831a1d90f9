#include "keys.h"
#include "normalize.h"
#include "core/log.h"
#include "core/util.h"
#include "db/migrate.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static const struct match_fields checked[] = {
    {.entity = "customers",
     .name = "name",
     .address = "address",
     .phones = {"phone", "legal_rep_phone"},
     .mobiles = {"mobile"},
     .emails = {"email"},
     .websites = {"website"},
     .tax_ids = {"tax_id"}},
    /* A person: the same mobile, office phone or e-mail. Not by name: two people may well
     * share one (张伟), and a name is evidence only with more. */
    {.entity = "contacts", .phones = {"office_phone"}, .mobiles = {"mobile"}, .emails = {"email"}},
};

const struct match_fields *match_fields_of(const struct entity *e)
{
	for (size_t i = 0; e && i < ARRAY_SIZE(checked); i++)
		if (str_eq(checked[i].entity, e->name))
			return &checked[i];
	return NULL;
}

static void add(struct match_keyset *ks, const char *kind, const char *key, size_t n)
{
	for (size_t i = 0; i < ks->n; i++)
		if (ks->keys[i].kind == kind && !strncmp(ks->keys[i].key, key, n) &&
		    !ks->keys[i].key[n])
			return;
	if (ks->n == ks->cap) {
		ks->cap = ks->cap ? ks->cap * 2 : 16;
		ks->keys = xrealloc(ks->keys, ks->cap * sizeof *ks->keys);
	}
	ks->keys[ks->n].kind = kind;
	ks->keys[ks->n].key = xstrndup(key, n);
	ks->n++;
}

void match_keyset_free(struct match_keyset *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		free(ks->keys[i].key);
	free(ks->keys);
	*ks = (struct match_keyset){0};
}

void match_name_grams(const char *core, size_t n, struct match_keyset *out)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)core, *end = p + n;
	const utf8proc_uint8_t *prev = NULL;
	while (p < end) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(p, end - p, &cp);
		if (l <= 0)
			l = 1;
		if (prev)
			add(out, "ng", (const char *)prev, (size_t)(p + l - prev));
		prev = p;
		p += l;
	}
	if (prev == (const utf8proc_uint8_t *)core && n)
		add(out, "ng", core, n); /* one character */
}

/* The text of field name in vals, NUL-terminated in buf (cut to fit), or NULL. */
static const char *text_of(const struct entity *e, const struct value *vals, const char *name,
                           char *buf, size_t size)
{
	const struct field *f = name ? entity_field(e, name) : NULL;
	if (!f || vals[f->position].kind != V_TEXT)
		return NULL;
	size_t n = vals[f->position].n < size - 1 ? vals[f->position].n : size - 1;
	memcpy(buf, vals[f->position].s, n);
	buf[n] = '\0';
	return buf;
}

typedef bool (*normalizer)(struct str *out, const char *s);

static void add_normal(struct match_keyset *out, const char *kind, normalizer fn, const char *s)
{
	struct str norm = STR_INIT;
	if (s && fn(&norm, s))
		add(out, kind, norm.buf, norm.len);
	str_release(&norm);
}

void match_keys_of(const struct entity *e, const struct value *vals, struct match_keyset *out)
{
	const struct match_fields *mf = match_fields_of(e);
	if (!mf)
		return;
	char buf[1024];
	for (size_t i = 0; i < ARRAY_SIZE(mf->tax_ids); i++)
		add_normal(out, "tax", match_tax_id,
		           text_of(e, vals, mf->tax_ids[i], buf, sizeof buf));
	for (size_t i = 0; i < ARRAY_SIZE(mf->phones); i++)
		add_normal(out, "phone", match_phone,
		           text_of(e, vals, mf->phones[i], buf, sizeof buf));
	for (size_t i = 0; i < ARRAY_SIZE(mf->mobiles); i++)
		add_normal(out, "phone", match_phone,
		           text_of(e, vals, mf->mobiles[i], buf, sizeof buf));
	for (size_t i = 0; i < ARRAY_SIZE(mf->emails); i++) {
		const char *mail = text_of(e, vals, mf->emails[i], buf, sizeof buf);
		add_normal(out, "email", match_email, mail);
		/* A mail's domain is compared with web sites: an entity without one has no use. */
		if (mf->websites[0])
			add_normal(out, "domain", match_domain, mail);
	}
	for (size_t i = 0; i < ARRAY_SIZE(mf->websites); i++)
		add_normal(out, "domain", match_domain,
		           text_of(e, vals, mf->websites[i], buf, sizeof buf));
	struct str core = STR_INIT;
	if (match_name(&core, text_of(e, vals, mf->name, buf, sizeof buf))) {
		add(out, "name", core.buf, core.len);
		match_name_grams(core.buf, core.len, out);
	}
	str_release(&core);
	add_normal(out, "addr", match_address, text_of(e, vals, mf->address, buf, sizeof buf));
}

/* One key of a record, for writing many in index order. */
struct keyed {
	const char *kind, *key;
	int64_t id;
};

static int by_key(const void *x, const void *y)
{
	const struct keyed *a = x, *b = y;
	int c = strcmp(a->kind, b->kind);
	if (!c)
		c = strcmp(a->key, b->key);
	return c ? c : (a->id < b->id ? -1 : a->id > b->id);
}

#define KEYS_PER_INSERT 100
static char many_sql_text[64 + KEYS_PER_INSERT * 16];

static void make_many_sql(void)
{
	size_t n =
	    (size_t)snprintf(many_sql_text, sizeof many_sql_text,
	                     "INSERT INTO match_keys (entity, kind, key, record_id) VALUES ");
	for (size_t k = 0; k < KEYS_PER_INSERT; k++)
		n += (size_t)snprintf(many_sql_text + n, sizeof many_sql_text - n, "%s(?, ?, ?, ?)",
		                      k ? ", " : "");
}

static void bind_key(struct db_stmt *st, int at, const struct entity *e, const struct keyed *k)
{
	db_bind_texts(st, at, e->name);
	db_bind_texts(st, at + 1, k->kind);
	db_bind_texts(st, at + 2, k->key);
	db_bind_int(st, at + 3, k->id);
}

int match_keys_put_many(struct db *db, const struct entity *e, const int64_t *ids,
                        const struct value *const *vals, size_t n)
{
	if (!match_fields_of(e) || !n)
		return DB_OK;
	struct match_keyset *sets = xcalloc(n, sizeof *sets);
	size_t total = 0;
	for (size_t r = 0; r < n; r++) {
		match_keys_of(e, vals[r], &sets[r]);
		total += sets[r].n;
	}
	/* In index order: a batch's inserts then walk the index once instead of hopping about. */
	struct keyed *all = xcalloc(total ? total : 1, sizeof *all);
	size_t k = 0;
	for (size_t r = 0; r < n; r++)
		for (size_t i = 0; i < sets[r].n; i++)
			all[k++] =
			    (struct keyed){sets[r].keys[i].kind, sets[r].keys[i].key, ids[r]};
	qsort(all, total, sizeof *all, by_key);
	/* KEYS_PER_INSERT keys a statement while there are that many (one statement, prepared once,
	 * instead of as many executions), then one at a time. */
	static pthread_once_t many_once = PTHREAD_ONCE_INIT;
	pthread_once(&many_once, make_many_sql);
	int rc = DB_OK;
	size_t i = 0;
	for (; i + KEYS_PER_INSERT <= total && !rc; i += KEYS_PER_INSERT) {
		struct db_stmt *st;
		if ((rc = db_prepare(db, many_sql_text, &st)))
			break;
		for (size_t j = 0; j < KEYS_PER_INSERT; j++)
			bind_key(st, (int)j * 4 + 1, e, &all[i + j]);
		rc = db_step(st);
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	for (; i < total && !rc; i++) {
		struct db_stmt *st;
		if ((rc = db_prepare(db,
		                     "INSERT INTO match_keys (entity, kind, key, record_id) VALUES "
		                     "(?, ?, ?, ?)",
		                     &st)))
			break;
		bind_key(st, 1, e, &all[i]);
		rc = db_step(st);
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}

	free(all);
	for (size_t r = 0; r < n; r++)
		match_keyset_free(&sets[r]);
	free(sets);
	return rc;
}

int match_keys_put(struct db *db, const struct entity *e, int64_t id, const struct value *vals)
{
	return match_keys_put_many(db, e, &id, &vals, 1);
}

int match_keys_drop(struct db *db, const struct entity *e, int64_t id, const struct value *vals)
{
	struct match_keyset ks = {0};
	match_keys_of(e, vals, &ks);
	if (!ks.n)
		return DB_OK;
	struct db_stmt *st;
	int rc = db_prepare(db,
	                    "DELETE FROM match_keys WHERE entity = ? AND kind = ? AND key = ? AND "
	                    "record_id = ?",
	                    &st);
	for (size_t i = 0; i < ks.n && !rc; i++) {
		db_bind_texts(st, 1, e->name);
		db_bind_texts(st, 2, ks.keys[i].kind);
		db_bind_texts(st, 3, ks.keys[i].key);
		db_bind_int(st, 4, id);
		rc = db_step(st);
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	match_keyset_free(&ks);
	return rc;
}

static size_t compared(const struct match_fields *mf, const char **names);

bool match_keys_changed(const struct entity *e, const struct value *old, const struct value *new)
{
	const struct match_fields *mf = match_fields_of(e);
	const char *names[16];
	size_t n = mf ? compared(mf, names) : 0;
	for (size_t i = 0; i < n; i++) {
		const struct field *f = entity_field(e, names[i]);
		if (f && !value_equal(f, &old[f->position], &new[f->position]))
			return true;
	}
	return false;
}

void match_columns(const struct match_fields *mf, const char *out[MATCH_COLUMNS])
{
	const char *all[MATCH_COLUMNS] = {
	    mf->name,        mf->address,    mf->phones[0], mf->phones[1], mf->phones[2],
	    mf->mobiles[0],  mf->mobiles[1], mf->emails[0], mf->emails[1], mf->websites[0],
	    mf->websites[1], mf->tax_ids[0], mf->tax_ids[1]};
	memcpy(out, all, sizeof all);
}

/* The names of the fields mf compares (match_columns without the gaps); their count. */
static size_t compared(const struct match_fields *mf, const char **names)
{
	const char *all[MATCH_COLUMNS];
	match_columns(mf, all);
	size_t n = 0;
	for (size_t i = 0; i < MATCH_COLUMNS; i++)
		if (all[i])
			names[n++] = all[i];
	return n;
}

/* Make the keys of every live record of e again, a thousand records at a time. */
static int rebuild(struct db *db, const struct entity *e, const struct match_fields *mf)
{
	int rc =
	    db_run(db, "DELETE FROM match_keys WHERE entity = ?", 1, (const char *[]){e->name});
	const char *names[16];
	const struct field *fields[16];
	size_t n = 0, k = compared(mf, names);
	struct str sql = STR_INIT;
	str_adds(&sql, "SELECT \"id\"");
	for (size_t i = 0; i < k; i++)
		if ((fields[n] = entity_field(e, names[i]))) {
			str_addf(&sql, ", \"%s\"", fields[n]->name);
			n++;
		}
	str_addf(&sql,
	         " FROM \"%s\" WHERE \"deleted_at\" IS NULL AND \"id\" > ? ORDER BY \"id\" "
	         "LIMIT 1000",
	         e->name);
	struct value *vals = xcalloc(1000 * e->n_fields, sizeof *vals);
	const struct value *rows[1000];
	int64_t ids[1000], after = 0;
	char **texts = xcalloc(1000 * n, sizeof *texts);
	for (size_t got = 1000; !rc && got == 1000;) {
		struct db_stmt *st;
		got = 0;
		if ((rc = db_prepare(db, sql.buf, &st)))
			break;
		db_bind_int(st, 1, after);
		while ((rc = db_step(st)) == DB_ROW) {
			ids[got] = db_column_int(st, 0);
			struct value *v = &vals[got * e->n_fields];
			for (size_t c = 0; c < n; c++) {
				const char *t = db_column_text(st, (int)c + 1, NULL);
				char *copy = t ? xstrdup(t) : NULL;
				texts[got * n + c] = copy;
				v[fields[c]->position] = copy ? (struct value){.kind = V_TEXT,
				                                               .s = copy,
				                                               .n = strlen(copy)}
				                              : (struct value){.kind = V_NULL};
			}
			rows[got] = v;
			got++;
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
		if (!rc)
			rc = match_keys_put_many(db, e, ids, rows, got);
		for (size_t i = 0; i < got * n; i++) {
			free(texts[i]);
			texts[i] = NULL;
		}
		if (got)
			after = ids[got - 1];
	}
	free(texts);
	free(vals);
	str_release(&sql);
	return rc;
}

int match_keys_sync(struct db *db, const struct registry *r)
{
	int rc = db_begin(db);
	if (rc)
		return rc;
	int64_t have = 0;
	if ((rc = migrate_lock(db)))
		goto out;
	rc = db_query_int(db, "SELECT value FROM sys_meta WHERE key = 'match_keys_version'", 0,
	                  NULL, &have);
	if (rc != DB_OK && rc != DB_DONE)
		goto out;
	rc = DB_OK;
	if (have == MATCH_KEYS_VERSION)
		goto out;
	for (size_t i = 0; i < r->n_entities && !rc; i++) {
		const struct match_fields *mf = match_fields_of(&r->entities[i]);
		if (mf)
			rc = rebuild(db, &r->entities[i], mf);
	}
	char v[16];
	snprintf(v, sizeof v, "%d", MATCH_KEYS_VERSION);
	if (!rc)
		rc = db_run(db, "DELETE FROM sys_meta WHERE key = 'match_keys_version'", 0, NULL);
	if (!rc)
		rc =
		    db_run(db, "INSERT INTO sys_meta (key, value) VALUES ('match_keys_version', ?)",
		           1, (const char *[]){v});
	if (!rc)
		log_info("duplicate-check keys made (version %d)", MATCH_KEYS_VERSION);
out:
	if (!rc)
		rc = db_commit(db);
	if (rc)
		db_rollback(db);
	return rc;
}
