/*
 * A SQL statement being assembled together with its parameters, so that text and bindings
 * cannot drift apart. Identifiers come only from the registry; values are only ever bound.
 */
#ifndef SEXTANT_SQLQ_H
#define SEXTANT_SQLQ_H

#include "registry.h"
#include "value.h"
#include "core/str.h"
#include "db/db.h"

struct sqlq_param {
	enum value_kind kind;
	int64_t i;
	const char *s; /* must stay valid until the statement is reset (bound without a copy) */
	size_t n;
};

struct sqlq {
	struct str sql;
	struct sqlq_param *p;
	size_t n, cap;
};

void sqlq_init(struct sqlq *q);
void sqlq_release(struct sqlq *q);
/* Forget text and parameters, keep allocations. */
void sqlq_reset(struct sqlq *q);
void sqlq_add(struct sqlq *q, const char *sql);
void sqlq_addf(struct sqlq *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append prefix"name" — a quoted identifier from the registry — without printf's cost.
 * With money, also ", prefix"name_currency"". */
void sqlq_ident(struct sqlq *q, const char *prefix, const char *name);
void sqlq_field(struct sqlq *q, const char *prefix, const struct field *f);
/* Append "?" and remember the parameter. */
void sqlq_int(struct sqlq *q, int64_t v);
void sqlq_text(struct sqlq *q, const char *s, size_t n);
void sqlq_null(struct sqlq *q);
/* A NUL-terminated text (which must outlive sqlq_prepare()). */
void sqlq_texts(struct sqlq *q, const char *z);
/* A user id, or NULL for 0 (no user: the command line, the demo loader). */
void sqlq_user(struct sqlq *q, int64_t user_id);
/* One "?" for the value (money: its amount only, for comparisons). */
void sqlq_value(struct sqlq *q, const struct value *v);
/* Append from's text and parameters (a condition written once and used in several
 * statements). */
void sqlq_append(struct sqlq *q, const struct sqlq *from);
/* Prepare (cached) and bind. Text parameters are not copied: keep them until db_reset(). */
int sqlq_prepare(struct db *db, const struct sqlq *q, struct db_stmt **out);

#endif
