/* Demo tasks: follow-ups on the demo customers, for the workbench of each demo salesperson. */
#include "demo.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define DEMO_TASKS 60
#define DAY_MS     86400000LL
#define CST_MS     (8 * 3600000LL) /* Asia/Shanghai, which keeps no summer time */

/* What comes before and after the customer's name. */
static const char *const subjects[][2] = {{"电话回访", ""},
                                          {"为", "安排试航"},
                                          {"向", "发送报价单"},
                                          {"邀请", "参加深圳国际游艇展"},
                                          {"确认", "的泊位需求"}};

void demo_csv_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static int write_tasks(struct db *db, FILE *f, const int64_t *customer_ids, size_t n)
{
	fputs("subject,priority,due_at,remind_at,customer_id\n", f);
	/* Ten in the morning, Beijing time, of today. */
	int64_t now = time_now_ms();
	int64_t today = (now + CST_MS) / DAY_MS * DAY_MS - CST_MS + 10 * 3600000LL;
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT name FROM customers WHERE id = ?", &st);
	for (size_t i = 0; i < n && !rc; i++) {
		db_bind_int(st, 1, customer_ids[i]);
		if (db_step(st) == DB_ROW) {
			char subject[512], due[TIME_ISO_LEN], remind[TIME_ISO_LEN];
			const char *const *words = subjects[i % ARRAY_SIZE(subjects)];
			snprintf(subject, sizeof subject, "%s%s%s", words[0],
			         db_column_text(st, 0, NULL), words[1]);
			int64_t at = today + ((int64_t)(i % 17) - 3) * DAY_MS;
			time_format_iso(at, due);
			time_format_iso(at - DAY_MS, remind);
			demo_csv_quoted(f, subject);
			fprintf(f, ",%s,%s,%s,%lld\n", i % 4 ? "normal" : "high", due, remind,
			        (long long)customer_ids[i]);
		}
		db_reset(st);
	}
	return rc;
}

int demo_tasks(struct db *db, const int64_t *customer_ids, size_t n)
{
	int fd = memfd_create("demo-tasks", 0);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(dup(fd), "w");
	if (!f) {
		close(fd);
		return -1;
	}
	int rc = write_tasks(db, f, customer_ids, n < DEMO_TASKS ? n : DEMO_TASKS);
	fclose(f);
	if (!rc)
		rc = demo_import_fd(db, "tasks", fd);
	close(fd);
	/* Each task is for whoever owns its customer. */
	if (!rc)
		rc = db_run(
		    db,
		    "UPDATE tasks SET owner_id = (SELECT c.owner_id FROM customers c WHERE "
		    "c.id = tasks.customer_id), org_unit_id = (SELECT c.org_unit_id FROM "
		    "customers c WHERE c.id = tasks.customer_id) WHERE customer_id IS NOT NULL",
		    0, NULL);
	return rc;
}
