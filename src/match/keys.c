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
     .number = 1,
     .name = "name",
     .address = "address",
     .phones = {"phone", "legal_rep_phone"},
     .mobiles = {"mobile"},
     .emails = {"email"},
     .websites = {"website"},
     .tax_ids = {"tax_id"}},
    /* A person: the same mobile, office phone or e-mail. Not by name: two people may well
     * share one (张伟), and a name is evidence only with more. */
    {.entity = "contacts",
     .number = 2,
     .phones = {"office_phone"},
     .mobiles = {"mobile"},
     .emails = {"email"}},
};

const struct match_fields *match_fields_of(const struct entity *e)
{
	for (size_t i = 0; e && i < ARRAY_SIZE(checked); i++)
		if (str_eq(checked[i].entity, e->name))
			return &checked[i];
	return NULL;
}

/* FNV-1a, then MurmurHash3's finaliser, so that every bit of the result depends on every byte. */
static uint64_t hash64(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	return h ^ (h >> 33);
}

#define CODE_HASH_BITS 40
#define CODE_LOW_BITS  ((1LL << CODE_HASH_BITS) - 1)

int64_t match_key_code(const struct match_fields *mf, enum match_kind kind, const char *key,
                       size_t n)
{
	uint64_t prefix = ((uint64_t)mf->number << 4) | (uint64_t)kind;
	return (int64_t)((prefix << CODE_HASH_BITS) | (hash64(key, n) & (uint64_t)CODE_LOW_BITS));
}

static void add(struct match_keyset *ks, const struct match_fields *mf, enum match_kind kind,
                const char *key, size_t n)
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
	ks->keys[ks->n].code = match_key_code(mf, kind, key, n);
	ks->n++;
}

void match_keyset_free(struct match_keyset *ks)
{
	for (size_t i = 0; i < ks->n; i++)
		free(ks->keys[i].key);
	free(ks->keys);
	*ks = (struct match_keyset){0};
}

void match_name_grams(const struct match_fields *mf, const char *core, size_t n,
                      struct match_keyset *out)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)core, *end = p + n;
	const utf8proc_uint8_t *prev = NULL;
	while (p < end) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t l = utf8proc_iterate(p, end - p, &cp);
		if (l <= 0)
			l = 1;
		if (prev)
			add(out, mf, MK_GRAM, (const char *)prev, (size_t)(p + l - prev));
		prev = p;
		p += l;
	}
	if (prev == (const utf8proc_uint8_t *)core && n)
		add(out, mf, MK_GRAM, core, n); /* one character */
}

const char *match_value_text(const struct entity *e, const struct value *vals, const char *name,
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

static void add_normal(struct match_keyset *out, const struct match_fields *mf,
                       enum match_kind kind, normalizer fn, const char *s)
{
	struct str norm = STR_INIT;
	if (s && fn(&norm, s))
		add(out, mf, kind, norm.buf, norm.len);
	str_release(&norm);
}

void match_keys_of(const struct entity *e, const struct value *vals, struct match_keyset *out)
{
	const struct match_fields *mf = match_fields_of(e);
	if (!mf)
		return;
	char buf[1024];
	for (size_t i = 0; i < ARRAY_SIZE(mf->tax_ids); i++)
		add_normal(out, mf, MK_TAX, match_tax_id,
		           match_value_text(e, vals, mf->tax_ids[i], buf, sizeof buf));
	for (size_t i = 0; i < ARRAY_SIZE(mf->phones); i++)
		add_normal(out, mf, MK_PHONE, match_phone,
		           match_value_text(e, vals, mf->phones[i], buf, sizeof buf));
	for (size_t i = 0; i < ARRAY_SIZE(mf->mobiles); i++)
		add_normal(out, mf, MK_PHONE, match_phone,
		           match_value_text(e, vals, mf->mobiles[i], buf, sizeof buf));
	for (size_t i = 0; i < ARRAY_SIZE(mf->emails); i++) {
		const char *mail = match_value_text(e, vals, mf->emails[i], buf, sizeof buf);
		add_normal(out, mf, MK_EMAIL, match_email, mail);
		/* A mail's domain is compared with web sites: an entity without one has no use. */
		if (mf->websites[0])
			add_normal(out, mf, MK_DOMAIN, match_domain, mail);
	}
	for (size_t i = 0; i < ARRAY_SIZE(mf->websites); i++)
		add_normal(out, mf, MK_DOMAIN, match_domain,
		           match_value_text(e, vals, mf->websites[i], buf, sizeof buf));
	struct str core = STR_INIT;
	if (match_name(&core, match_value_text(e, vals, mf->name, buf, sizeof buf))) {
		add(out, mf, MK_NAME, core.buf, core.len);
		match_name_grams(mf, core.buf, core.len, out);
	}
	str_release(&core);
	add_normal(out, mf, MK_ADDRESS, match_address,
	           match_value_text(e, vals, mf->address, buf, sizeof buf));
}

void match_postings_add(struct match_postings *mp, int64_t code, int64_t record_id)
{
	if (mp->n == mp->cap) {
		mp->cap = mp->cap ? mp->cap * 2 : 64;
		mp->p = xrealloc(mp->p, mp->cap * sizeof *mp->p);
	}
	mp->p[mp->n++] = (struct match_posting){code, record_id};
}

int64_t match_form_key(const struct match_fields *mf, int64_t id)
{
	return ((int64_t)mf->number << (CODE_HASH_BITS + 4)) | id;
}

void match_postings_add_form(struct match_postings *mp, int64_t record, const char *name,
                             const char *address)
{
	if (mp->n_forms == mp->cap_forms) {
		mp->cap_forms = mp->cap_forms ? mp->cap_forms * 2 : 16;
		mp->forms = xrealloc(mp->forms, mp->cap_forms * sizeof *mp->forms);
	}
	mp->forms[mp->n_forms++] = (struct match_form){record, name ? xstrdup(name) : NULL,
	                                               address ? xstrdup(address) : NULL};
}

static void forms_empty(struct match_postings *mp)
{
	for (size_t i = 0; i < mp->n_forms; i++) {
		free(mp->forms[i].name);
		free(mp->forms[i].address);
	}
	mp->n_forms = 0;
}

void match_postings_release(struct match_postings *mp)
{
	forms_empty(mp);
	free(mp->p);
	free(mp->forms);
	*mp = (struct match_postings){0};
}

static int by_code(const void *x, const void *y)
{
	const struct match_posting *a = x, *b = y;
	if (a->code != b->code)
		return a->code < b->code ? -1 : 1;
	return (a->record_id > b->record_id) - (a->record_id < b->record_id);
}

/* "INSERT … VALUES row, row …" with rows rows into out (made once, then prepared once). */
static void many_rows_sql(char *out, size_t size, const char *insert, const char *row, size_t rows)
{
	size_t n = (size_t)snprintf(out, size, "%s", insert);
	for (size_t k = 0; k < rows; k++)
		n += (size_t)snprintf(out + n, size - n, "%s%s", k ? ", " : "", row);
}

#define POSTINGS_PER_INSERT 100
static char many_sql_text[64 + POSTINGS_PER_INSERT * 8];

static void make_many_sql(void)
{
	many_rows_sql(many_sql_text, sizeof many_sql_text,
	              "INSERT INTO match_keys (code, record_id) VALUES ", "(?, ?)",
	              POSTINGS_PER_INSERT);
}

static int by_record(const void *x, const void *y)
{
	const struct match_form *a = x, *b = y;
	return (a->record > b->record) - (a->record < b->record);
}

#define FORMS_PER_INSERT 50
static char many_forms_sql[64 + FORMS_PER_INSERT * 12];

static void make_many_forms(void)
{
	many_rows_sql(many_forms_sql, sizeof many_forms_sql,
	              "INSERT INTO match_forms (record, name, address) VALUES ", "(?, ?, ?)",
	              FORMS_PER_INSERT);
}

/* The gathered forms, by record (an import's are in order already), and empty them. */
static int forms_write(struct db *db, struct match_postings *mp)
{
	qsort(mp->forms, mp->n_forms, sizeof *mp->forms, by_record);
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, make_many_forms);
	int rc = DB_OK;
	for (size_t i = 0; i < mp->n_forms && !rc;) {
		size_t n = mp->n_forms - i >= FORMS_PER_INSERT ? FORMS_PER_INSERT : 1;
		struct db_stmt *st;
		if ((rc = db_prepare(db,
		                     n > 1
		                         ? many_forms_sql
		                         : "INSERT INTO match_forms (record, name, address) VALUES "
		                           "(?, ?, ?)",
		                     &st)))
			break;
		for (size_t j = 0; j < n; j++) {
			const struct match_form *f = &mp->forms[i + j];
			db_bind_int(st, (int)j * 3 + 1, f->record);
			db_bind_texts(st, (int)j * 3 + 2, f->name);
			db_bind_texts(st, (int)j * 3 + 3, f->address);
		}
		rc = db_step(st);
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
		i += n;
	}
	forms_empty(mp);
	return rc;
}

int match_postings_write(struct db *db, struct match_postings *mp)
{
	if (mp->n_forms) {
		int rc = forms_write(db, mp);
		if (rc)
			return rc;
	}
	if (!mp->n)
		return DB_OK;
	qsort(mp->p, mp->n, sizeof *mp->p, by_code);
	/* POSTINGS_PER_INSERT a statement while there are that many (one statement, prepared
	 * once, instead of as many executions), then one at a time. */
	static pthread_once_t many_once = PTHREAD_ONCE_INIT;
	pthread_once(&many_once, make_many_sql);
	int rc = DB_OK;
	size_t i = 0;
	for (; i + POSTINGS_PER_INSERT <= mp->n && !rc; i += POSTINGS_PER_INSERT) {
		struct db_stmt *st;
		if ((rc = db_prepare(db, many_sql_text, &st)))
			break;
		for (size_t j = 0; j < POSTINGS_PER_INSERT; j++) {
			db_bind_int(st, (int)j * 2 + 1, mp->p[i + j].code);
			db_bind_int(st, (int)j * 2 + 2, mp->p[i + j].record_id);
		}
		rc = db_step(st);
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	for (; i < mp->n && !rc; i++) {
		struct db_stmt *st;
		if ((rc = db_prepare(db, "INSERT INTO match_keys (code, record_id) VALUES (?, ?)",
		                     &st)))
			break;
		db_bind_int(st, 1, mp->p[i].code);
		db_bind_int(st, 2, mp->p[i].record_id);
		rc = db_step(st);
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
	}
	mp->n = 0;
	return rc;
}

/* The text of the key of that kind in ks, or NULL. */
static const char *key_text(const struct match_keyset *ks, enum match_kind kind)
{
	for (size_t i = 0; i < ks->n; i++)
		if (ks->keys[i].kind == kind)
			return ks->keys[i].key;
	return NULL;
}

void match_keyset_forms(const struct match_keyset *ks, const char **name, const char **address)
{
	*name = key_text(ks, MK_NAME);
	*address = key_text(ks, MK_ADDRESS);
}

/* Add record id's keys and forms to mp. */
static void postings_of(struct match_postings *mp, const struct entity *e, int64_t id,
                        const struct value *vals)
{
	const struct match_fields *mf = match_fields_of(e);
	struct match_keyset ks = {0};
	match_keys_of(e, vals, &ks);
	for (size_t i = 0; i < ks.n; i++)
		match_postings_add(mp, ks.keys[i].code, id);
	const char *name, *address;
	match_keyset_forms(&ks, &name, &address);
	if (name || address)
		match_postings_add_form(mp, match_form_key(mf, id), name, address);
	match_keyset_free(&ks);
}

int match_keys_put(struct db *db, const struct entity *e, int64_t id, const struct value *vals)
{
	if (!match_fields_of(e))
		return DB_OK;
	struct match_postings mp = {0};
	postings_of(&mp, e, id, vals);
	int rc = match_postings_write(db, &mp);
	match_postings_release(&mp);
	return rc;
}

int match_keys_drop(struct db *db, const struct entity *e, int64_t id, const struct value *vals)
{
	const struct match_fields *mf = match_fields_of(e);
	if (!mf)
		return DB_OK;
	char record[24];
	snprintf(record, sizeof record, "%lld", (long long)match_form_key(mf, id));
	int rc =
	    db_run(db, "DELETE FROM match_forms WHERE record = ?", 1, (const char *[]){record});
	struct match_keyset ks = {0};
	match_keys_of(e, vals, &ks);
	struct db_stmt *st = NULL;
	if (!rc && ks.n)
		rc = db_prepare(db, "DELETE FROM match_keys WHERE code = ? AND record_id = ?", &st);
	for (size_t i = 0; i < ks.n && !rc; i++) {
		db_bind_int(st, 1, ks.keys[i].code);
		db_bind_int(st, 2, id);
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
	/* The entity's codes and forms: its number, then any kind and hash, or any id. */
	int64_t first = match_form_key(mf, 0);
	char lo[24], hi[24];
	snprintf(lo, sizeof lo, "%lld", (long long)first);
	snprintf(hi, sizeof hi, "%lld", (long long)(first | ((1LL << (CODE_HASH_BITS + 4)) - 1)));
	int rc = db_run(db, "DELETE FROM match_keys WHERE code BETWEEN ? AND ?", 2,
	                (const char *[]){lo, hi});
	if (!rc)
		rc = db_run(db, "DELETE FROM match_forms WHERE record BETWEEN ? AND ?", 2,
		            (const char *[]){lo, hi});
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
	int64_t ids[1000], after = 0;
	struct match_postings mp = {0};
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
			postings_of(&mp, e, ids[got], v);
			got++;
		}
		db_reset(st);
		rc = rc == DB_DONE ? DB_OK : rc;
		if (!rc && (mp.n >= MATCH_POSTINGS_FLUSH || got < 1000))
			rc = match_postings_write(db, &mp);
		for (size_t i = 0; i < got * n; i++) {
			free(texts[i]);
			texts[i] = NULL;
		}
		if (got)
			after = ids[got - 1];
	}
	free(texts);
	free(vals);
	match_postings_release(&mp);
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
