/*
 * The duplicate check's keys (docs/internals/MATCH.md): for each live record of an entity that
 * is checked for duplicates (customers, contacts), its normal forms in table match_keys, so
 * candidates are found by index lookups, never by a scan:
 *
 *   tax     the tax ID                        phone   every phone and mobile number
 *   email   every e-mail address              domain  the web domain of the site and mails
 *   name    the core name                     ng      each bigram of the core name
 *   addr    the core address
 *
 * A key is stored as one integer, its code: the entity's number, the kind and 40 bits of a hash
 * of the normal form. The table is then half the size it was with the texts, so more of it stays
 * in the page cache; a code two forms share by chance only adds a candidate, which is scored
 * from its record like any other and falls away.
 *
 * Beside the keys, table match_forms holds each record's core name and address (the normal forms
 * the check compares by similarity), so candidates are scored without reading and normalising
 * their records (match/find.c).
 *
 * Written with the record in the same transaction (create, update, delete, restore, import).
 */
#ifndef SEXTANT_MATCH_KEYS_H
#define SEXTANT_MATCH_KEYS_H

#include "core/str.h"
#include "db/db.h"
#include "meta/registry.h"
#include "meta/value.h"

#include <stdbool.h>
#include <stdint.h>

/* Which fields of an entity hold what the check compares; NULL members: none. */
struct match_fields {
	const char *entity;
	int number; /* the entity's part of its codes: never reused for another entity */
	const char *name, *address;
	const char *phones[3];  /* landlines and mobiles, one kind of key */
	const char *mobiles[2]; /* (a body's "mobile" is looked up among all of them) */
	const char *emails[2];
	const char *websites[2];
	const char *tax_ids[2];
};

/* The fields the check compares, in one fixed order, NULL where the entity has none: name,
 * address, phones[3], mobiles[2], emails[2], websites[2], tax_ids[2]. */
#define MATCH_COLUMNS 13
void match_columns(const struct match_fields *mf, const char *out[MATCH_COLUMNS]);

/* The entity's fields for the check, or NULL if it is not checked for duplicates. */
const struct match_fields *match_fields_of(const struct entity *e);

/* The kinds of key; their numbers are part of the stored codes. */
enum match_kind {
	MK_TAX = 1,
	MK_PHONE = 2,
	MK_EMAIL = 3,
	MK_DOMAIN = 4,
	MK_NAME = 5,
	MK_GRAM = 6, /* ng */
	MK_ADDRESS = 7,
};

/* One key: kind, normal form and code. */
struct match_key {
	enum match_kind kind;
	char *key; /* malloc'd */
	int64_t code;
};

struct match_keyset {
	struct match_key *keys;
	size_t n, cap;
};

/* The code of a key of mf's entity: ((number << 4 | kind) << 40) | 40 bits of its hash. */
int64_t match_key_code(const struct match_fields *mf, enum match_kind kind, const char *key,
                       size_t n);
/* The kind of key a code is of. */
static inline enum match_kind match_code_kind(int64_t code)
{
	return (enum match_kind)((code >> 40) & 0xf);
}

/* The text of field name in vals, NUL-terminated in buf (cut to fit), or NULL. */
const char *match_value_text(const struct entity *e, const struct value *vals, const char *name,
                             char *buf, size_t size);
/* The keys of a record from its values (by field position). */
void match_keys_of(const struct entity *e, const struct value *vals, struct match_keyset *out);
/* The core name and address among a record's keys (NULL where it has none). */
void match_keyset_forms(const struct match_keyset *ks, const char **name, const char **address);
void match_keyset_free(struct match_keyset *ks);
/* The distinct bigrams of a core name (one character: itself), each added as kind MK_GRAM. */
void match_name_grams(const struct match_fields *mf, const char *core, size_t n,
                      struct match_keyset *out);

/* A record's key in match_forms: the entity's number, then the record's id. */
int64_t match_form_key(const struct match_fields *mf, int64_t id);

/* A record's core name and address (either may be NULL). */
struct match_form {
	int64_t record; /* match_form_key */
	char *name, *address;
};

/* One key of a record. */
struct match_posting {
	int64_t code, record_id;
};

/*
 * Keys and forms to write, gathered and then written sorted: each write then walks the index
 * once from left to right instead of hopping about it, which is what makes an import's keys
 * cheap.
 */
struct match_postings {
	struct match_posting *p;
	size_t n, cap;
	struct match_form *forms; /* their texts malloc'd */
	size_t n_forms, cap_forms;
};
/* Gathered postings past this many are written (16 MiB). */
#define MATCH_POSTINGS_FLUSH ((size_t)1 << 20)
void match_postings_add(struct match_postings *mp, int64_t code, int64_t record_id);
/* A record's core name and address (either may be NULL), copied. */
void match_postings_add_form(struct match_postings *mp, int64_t record, const char *name,
                             const char *address);
/* Write them all, sorted, and empty mp (its memory is kept for more). A DB_ code. */
int match_postings_write(struct db *db, struct match_postings *mp);
void match_postings_release(struct match_postings *mp);

/* Add record id's keys (vals: its values). Nothing for entities not checked. A DB_ code. */
int match_keys_put(struct db *db, const struct entity *e, int64_t id, const struct value *vals);
/* Remove record id's keys, made again from vals (its values as they were). A DB_ code. */
int match_keys_drop(struct db *db, const struct entity *e, int64_t id, const struct value *vals);
/*
 * Bring the keys up to what this build makes (MATCH_KEYS_VERSION, raised whenever a normal form
 * changes): if the stored version differs, every checked entity's keys are made again from its
 * live records, under the migration lock. Run at start-up after the tables are synced.
 */
#define MATCH_KEYS_VERSION 4 /* 2: contacts' phones and e-mails; 3: codes; 4: match_forms */
int match_keys_sync(struct db *db, const struct registry *r);
/* Whether a change from old to new values touches what the check compares. */
bool match_keys_changed(const struct entity *e, const struct value *old, const struct value *new);

#endif
