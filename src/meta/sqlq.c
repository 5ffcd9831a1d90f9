#include "sqlq.h"
#include "core/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void sqlq_init(struct sqlq *q)
{
	memset(q, 0, sizeof *q);
	q->sql = (struct str)STR_INIT;
}

void sqlq_release(struct sqlq *q)
{
	str_release(&q->sql);
	free(q->p);
	q->p = NULL;
	q->n = q->cap = 0;
}

void sqlq_reset(struct sqlq *q)
{
	str_reset(&q->sql);
	q->n = 0;
}

void sqlq_add(struct sqlq *q, const char *sql)
{
	str_adds(&q->sql, sql);
}

void sqlq_addf(struct sqlq *q, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	str_vaddf(&q->sql, fmt, ap);
	va_end(ap);
}

void sqlq_ident(struct sqlq *q, const char *prefix, const char *name)
{
	str_adds(&q->sql, prefix);
	str_addc(&q->sql, '"');
	str_adds(&q->sql, name);
	str_addc(&q->sql, '"');
}

void sqlq_field(struct sqlq *q, const char *prefix, const struct field *f)
{
	sqlq_ident(q, prefix, f->name);
	if (f->type == FT_MONEY) {
		str_add(&q->sql, ", ", 2);
		str_adds(&q->sql, prefix);
		str_addc(&q->sql, '"');
		str_adds(&q->sql, f->name);
		str_add(&q->sql, "_currency\"", 10);
	}
}

static struct sqlq_param *push(struct sqlq *q)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 16;
		q->p = xrealloc(q->p, q->cap * sizeof *q->p);
	}
	str_addc(&q->sql, '?');
	struct sqlq_param *p = &q->p[q->n++];
	memset(p, 0, sizeof *p);
	return p;
}

void sqlq_append(struct sqlq *q, const struct sqlq *from)
{
	str_add(&q->sql, from->sql.buf, from->sql.len);
	if (q->n + from->n > q->cap) {
		q->cap = q->n + from->n + 16;
		q->p = xrealloc(q->p, q->cap * sizeof *q->p);
	}
	if (from->n)
		memcpy(q->p + q->n, from->p, from->n * sizeof *q->p);
	q->n += from->n;
}

void sqlq_int(struct sqlq *q, int64_t v)
{
	struct sqlq_param *p = push(q);
	p->kind = V_INT;
	p->i = v;
}

void sqlq_text(struct sqlq *q, const char *s, size_t n)
{
	struct sqlq_param *p = push(q);
	p->kind = V_TEXT;
	p->s = s;
	p->n = n;
}

void sqlq_null(struct sqlq *q)
{
	push(q)->kind = V_NULL;
}

void sqlq_texts(struct sqlq *q, const char *z)
{
	sqlq_text(q, z, strlen(z));
}

void sqlq_user(struct sqlq *q, int64_t user_id)
{
	if (user_id)
		sqlq_int(q, user_id);
	else
		sqlq_null(q);
}

void sqlq_value(struct sqlq *q, const struct value *v)
{
	struct sqlq_param *p = push(q);
	p->kind = v->kind;
	p->i = v->i;
	p->s = v->s;
	p->n = v->n;
}

int sqlq_prepare(struct db *db, const struct sqlq *q, struct db_stmt **out)
{
	int rc = db_prepare(db, q->sql.buf, out);
	if (rc)
		return rc;
	for (size_t i = 0; i < q->n; i++) {
		const struct sqlq_param *p = &q->p[i];
		switch (p->kind) {
		case V_NULL:
			db_bind_null(*out, (int)i + 1);
			break;
		case V_INT:
			db_bind_int(*out, (int)i + 1, p->i);
			break;
		case V_TEXT:
			/* Parameters must outlive the statement's run anyway (see sqlq.h). */
			db_bind_text_static(*out, (int)i + 1, p->s, p->n);
			break;
		}
	}
	return DB_OK;
}
