#include "owner_moves.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

/* Set field name of next to v (NULL: null) and mark it changed, if it differs. */
static void set_clock(struct op *op, struct value *next, bool *changed, const char *name,
                      const char *v)
{
	const struct field *f = entity_field(op->e, name);
	struct value want = {.kind = v ? V_TEXT : V_NULL};
	if (v) {
		snprintf(want.buf, sizeof want.buf, "%s", v);
		want.s = want.buf;
		want.n = strlen(want.buf);
	}
	if (value_equal(f, &next[f->position], &want))
		return;
	next[f->position] = want;
	if (v)
		next[f->position].s = next[f->position].buf; /* the copy's own buffer */
	changed[f->position] = true;
}

void owner_moves_prepare(struct op *op, const struct value *cur, struct value *next, bool *changed,
                         bool *moving)
{
	const struct field *owner = entity_field(op->e, "owner_id");
	*moving = op->e->pool && owner && changed[owner->position];
	if (!*moving)
		return;
	(void)cur;
	char now[TIME_ISO_LEN];
	time_now_iso(now);
	bool pooled = next[owner->position].kind != V_INT;
	set_clock(op, next, changed, "owned_since", pooled ? NULL : now);
	set_clock(op, next, changed, "pool_entered_at", pooled ? now : NULL);
	set_clock(op, next, changed, "pool_warned_at", NULL);
}

int owner_moves_add(struct db *db, int64_t customer_id, const char *action, int64_t from,
                    int64_t to, int64_t by, const char *reason)
{
	char now[TIME_ISO_LEN], c[24], f[24], t[24], b[24];
	time_now_iso(now);
	snprintf(c, sizeof c, "%lld", (long long)customer_id);
	snprintf(f, sizeof f, "%lld", (long long)from);
	snprintf(t, sizeof t, "%lld", (long long)to);
	snprintf(b, sizeof b, "%lld", (long long)by);
	return db_run(db,
	              "INSERT INTO customer_moves (customer_id, action, from_user_id, to_user_id, "
	              "by_user_id, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
	              7,
	              (const char *[]){c, action, from ? f : NULL, to ? t : NULL, by ? b : NULL,
	                               reason && *reason ? reason : NULL, now});
}

int owner_moves_record(struct op *op, int64_t id, const struct value *cur, const struct value *next)
{
	const struct field *owner = entity_field(op->e, "owner_id");
	const struct value *from = &cur[owner->position], *to = &next[owner->position];
	return owner_moves_add(op->db, id, op->move_action ? op->move_action : "assigned",
	                       from->kind == V_INT ? from->i : 0, to->kind == V_INT ? to->i : 0,
	                       op->user_id, op->move_reason);
}
