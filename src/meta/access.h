/*
 * Access control inside the generic engine (docs/internals/ACCESS.md): which records of an
 * entity the acting user may read, change, delete, export or assign, as SQL conditions that
 * every list, count, record load and export includes; and how fields flagged sensitive are
 * masked. An op without an actor (the command line, the demo loader) acts as the system and
 * may do everything.
 */
#ifndef SEXTANT_ACCESS_H
#define SEXTANT_ACCESS_H

#include "op.h"
#include "sqlq.h"
#include "value.h"
#include "auth/actor.h"
#include "core/str.h"

/* The scope op's actor has for an action on op->e (an export: no wider than its reads). */
enum scope access_scope(const struct op *op, enum action act);

/*
 * Append " AND (…)" keeping only the rows of alias t that act may reach (nothing when it may
 * reach all). Records shared with the user or one of their units count for reads and, shared
 * for editing, for updates. May query the database (whether anything is shared at all).
 */
int access_where(struct op *op, enum action act, struct sqlq *s);
/* The same for a whole list or count: the scope may then be written as the set of its ids when
 * that set is small (each part read through its index), which a count of a narrow scope over a
 * large table needs (rather than testing every row). */
enum list_use { LIST_NONE, LIST_PAGE, LIST_COUNT };
int access_where_list(struct op *op, enum action act, enum list_use use, struct sqlq *s);
/* The same condition as an expression that is true or false per row ("(1 = 1)" for all). */
int access_cond(struct op *op, enum action act, struct sqlq *s);
/*
 * The scope as a test of an owner and a unit only, on columns prefix"owner_id" and
 * prefix"org_unit_id": for tables kept per owner and unit (the funnel's totals), which know no
 * single records. "(1 = 1)" for all, "(1 = 0)" for none. *shares tells whether records are
 * shared with the actor besides (reads only), which the caller adds from the records by
 * access_add_shared_ids.
 */
int access_cond_owner_unit(struct op *op, enum action act, const char *prefix, struct sqlq *s,
                           bool *shares);
/* "SELECT record_id FROM record_shares WHERE …": the ids of op->e shared with the actor or a
 * unit of theirs (for updates: shared for editing). */
void access_add_shared_ids(struct op *op, enum action act, struct sqlq *s);
/* Whether the live record id may be reached by act: DB_OK yes, DB_DONE no. For a record
 * known to exist (with scope all it is not asked again). */
int access_check_record(struct op *op, enum action act, int64_t id);
/* The same, asking whether the live record exists too. */
int access_find_record(struct op *op, enum action act, int64_t id);
/* Whether a list of op->e may show the actor anything: a read scope, or records shared. */
int access_may_list(struct op *op, bool *may);
/*
 * Whether the actor may make user_id the owner of a record (act: create or assign): within
 * the scope of assign, or themselves. *unit gets the owner's organisation unit (0: none),
 * which the record takes.
 */
int access_check_owner(struct op *op, int64_t user_id, bool *ok, int64_t *unit);

/* Masked text of a sensitive value: "138****5678", "z***@example.com", "******"; "" if null. */
void access_mask_text(const struct field *f, const struct value *v, struct str *out);
/* The same as JSON: the masked text for text-like fields, null for every other type. */
void access_mask_json(const struct field *f, const struct value *v, struct str *out);

#endif
