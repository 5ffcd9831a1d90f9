/* Demo: some customers in the shared pool, returned there after their owners left them
 * without a follow-up, as the job would have done (modules/pool.c). */
#include "demo.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <stdio.h>

#define IN_POOL 8
#define DAY_MS  INT64_C(86400000)

int demo_pool(struct db *db, const int64_t *customer_ids, size_t n)
{
	int rc = db_begin(db);
	int64_t now = time_now_ms();
	for (size_t k = 0; k < IN_POOL && k < n && !rc; k++) {
		char id[24], at[TIME_ISO_LEN];
		snprintf(id, sizeof id, "%lld", (long long)customer_ids[n - 1 - k]);
		time_format_iso(now - (int64_t)(3 + k * 4) * DAY_MS, at);
		/* The move first, from the owner it had. */
		rc = db_run(
		    db,
		    "INSERT INTO customer_moves (customer_id, action, from_user_id, reason, at) "
		    "SELECT id, 'returned', owner_id, '30 天未跟进 / no follow-up for 30 days', ? "
		    "FROM customers WHERE id = ? AND owner_id IS NOT NULL",
		    2, (const char *[]){at, id});
		if (!rc)
			rc = db_run(db,
			            "UPDATE customers SET owner_id = NULL, owned_since = NULL, "
			            "pool_entered_at = ? WHERE id = ?",
			            2, (const char *[]){at, id});
	}
	return rc ? (db_rollback(db), rc) : db_commit(db);
}
