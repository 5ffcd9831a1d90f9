/*
 * The duplicate check's keys (docs/internals/MATCH.md): for each live record of an entity that
 * is checked for duplicates (customers), its normal forms in table match_keys, so candidates are
 * found by index lookups, never by a scan:
 *
 *   tax     the tax ID                        phone   every phone and mobile number
 *   email   every e-mail address              domain  the web domain of the site and mails
 *   name    the core name                     ng      each bigram of the core name
 *   addr    the core address
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

/* One key: kind and normal form. */
struct match_key {
	const char *kind;
	char *key; /* malloc'd */
};

struct match_keyset {
	struct match_key *keys;
	size_t n, cap;
};

/* The keys of a record from its values (by field position). */
void match_keys_of(const struct entity *e, const struct value *vals, struct match_keyset *out);
void match_keyset_free(struct match_keyset *ks);
/* The distinct bigrams of a core name (one character: itself), each added as kind "ng". */
void match_name_grams(const char *core, size_t n, struct match_keyset *out);

/* Add record id's keys (vals: its values). Nothing for entities not checked. A DB_ code. */
int match_keys_put(struct db *db, const struct entity *e, int64_t id, const struct value *vals);
/* The same for n records at once (an import's batch), written in index order. */
int match_keys_put_many(struct db *db, const struct entity *e, const int64_t *ids,
                        const struct value *const *vals, size_t n);
/* Remove record id's keys, made again from vals (its values as they were). A DB_ code. */
int match_keys_drop(struct db *db, const struct entity *e, int64_t id, const struct value *vals);
/*
 * Bring the keys up to what this build makes (MATCH_KEYS_VERSION, raised whenever a normal form
 * changes): if the stored version differs, every checked entity's keys are made again from its
 * live records, under the migration lock. Run at start-up after the tables are synced.
 */
#define MATCH_KEYS_VERSION 2 /* 2: contacts' phones and e-mails */
int match_keys_sync(struct db *db, const struct registry *r);
/* Whether a change from old to new values touches what the check compares. */
bool match_keys_changed(const struct entity *e, const struct value *old, const struct value *new);

#endif
