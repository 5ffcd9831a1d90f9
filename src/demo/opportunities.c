/* Demo opportunities (issue 8 point 10): yachts and services for the demo customers at every
 * stage, won and lost ones among them, each with the stage moves that brought it there, so the
 * funnel's counts, conversion, days in stage and cycle mean something on first start. */
#include "demo.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#define DAY_MS INT64_C(86400000)

static const struct {
	const char *key, *name;
	long low, high; /* expected amount in ten-thousand yuan (万元) */
} products[] = {
    {"sport", "38 尺运动艇", 150, 320},
    {"flybridge", "56 尺飞桥艇", 500, 1500},
    {"motor_yacht", "78 尺豪华机动游艇", 1200, 3200},
    {"superyacht", "42 米超级游艇", 6000, 18000},
    {"catamaran", "48 尺双体船", 300, 800},
    {"sailing", "45 尺巡航帆船", 80, 300},
    {"tender", "交通艇", 30, 80},
    {"service", "年度保养与改装", 10, 100},
};

/* The open stages in order (the process's), then the ends. */
static const char *const stages[] = {"needs",    "planning",   "first_visit", "preliminary", "demo",
                                     "proposal", "evaluation", "negotiation", "signing"};
#define N_OPEN 9
static const int probability[N_OPEN] = {10, 15, 20, 30, 40, 50, 60, 75, 90};

static const char *const sources[] = {"self_found", "assigned", "dealer", "campaign", "self_found"};
static const char *const lost_reasons[] = {"price", "competitor", "budget", "timing",
                                           "no_decision"};
static const char *const analyses[] = {
    "客户已确认预算，关注交付周期与售后网络。",     "决策人为董事长，采购部负责比价。",
    "客户在比较两家进口品牌，我方优势在本地服务。", "需要安排工厂参观和试航。",
    "技术协议基本确定，正在谈付款节点。",
};

/* A number's bits well mixed (splitmix64's finaliser): the row's choices drawn from it are not
 * in step with one another or with the owner a benchmark gives it by id. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xBF58476D1CE4E5B9u;
	x ^= x >> 27;
	x *= 0x94D049BB133111EBu;
	return x ^ (x >> 31);
}

/* Where opportunity h ends: an open stage (0–8), won (9) or lost (10). Early stages hold more. */
static int end_of(uint64_t h)
{
	static const int spread[] = {0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 5, 6, 7, 7, 8, 9, 9, 9, 10, 10};
	return spread[h % ARRAY_SIZE(spread)];
}

static void add_date(FILE *f, int64_t ms)
{
	int y, m, d;
	time_civil_from_days(ms / DAY_MS, &y, &m, &d);
	fprintf(f, "%04d-%02d-%02d", y, m, d);
}

static const char header[] = "name,customer_id,product_line,source,amount,expected_close,stage,"
                             "probability,status_analysis,next_step,won_reason,lost_reason\n";

/* Opportunity number k of customer_id (second: a second one of the customer), dated from now. */
static void write_row(FILE *f, size_t k, int64_t customer_id, bool second, int64_t now)
{
	const uint64_t h = mix(k + 1);
	const size_t p = (size_t)(h >> 8) % ARRAY_SIZE(products);
	const int end = end_of(h);
	const long wan =
	    products[p].low + (long)((h >> 16) % (uint64_t)(products[p].high - products[p].low));
	fprintf(f, "%s%s,%lld,%s,%s,%ld.00,", products[p].name, second ? "（二期）" : "",
	        (long long)customer_id, products[p].key, sources[k % ARRAY_SIZE(sources)],
	        wan * 10000);
	/* Open ones close in the coming months, the ended ones closed in the past. */
	add_date(f, now + (end >= N_OPEN ? -1 : 1) *
	                      (int64_t)(15 + (h >> 32) % (end >= N_OPEN ? 150 : 270)) * DAY_MS);
	const char *stage = end < N_OPEN ? stages[end] : end == N_OPEN ? "won" : "lost";
	int prob = end < N_OPEN ? probability[end] : end == N_OPEN ? 100 : 0;
	fprintf(f, ",%s,%d,", stage, prob);
	demo_csv_quoted(f, analyses[k % ARRAY_SIZE(analyses)]);
	fprintf(f, ",%s,%s,%s\n", end < N_OPEN ? "安排下一次拜访" : "",
	        end == N_OPEN ? "配置与服务方案打动客户" : "",
	        end > N_OPEN ? lost_reasons[k % ARRAY_SIZE(lost_reasons)] : "");
}

/* Two opportunities for every third customer, one for the next, none for the third. */
static void write_rows(FILE *f, const int64_t *ids, size_t n, int64_t now)
{
	fputs(header, f);
	for (size_t i = 0, k = 0; i < n; i++) {
		size_t count = i % 3 == 0 ? 2 : i % 3 == 1;
		for (size_t c = 0; c < count; c++, k++)
			write_row(f, k + i, ids[i], c > 0, now);
	}
}

int demo_generate_opportunities(FILE *out, long n, long first, uint64_t seed)
{
	fputs(header, out);
	int64_t now = time_now_ms();
	for (long i = first; i < first + n; i++) {
		/* The customer drawn from 1..n by a multiplicative hash of the row and the seed. */
		uint64_t h = ((uint64_t)i + seed * 0x9E3779B97F4A7C15u) * 0xD6E8FEB86659FD93u;
		write_row(out, (size_t)i, (int64_t)((h >> 17) % (uint64_t)n) + 1, false, now);
	}
	return fflush(out) ? -1 : 0;
}

/*
 * Each opportunity's story: entered some weeks ago, then moved stage by stage (some stages
 * skipped, as sellers do) to where it is, won from the signing, lost from where it stalled. The
 * history rows feed the funnel's moves by its trigger, which reads the entry time: it is set
 * first.
 */
static int add_history(struct db *db, int64_t now)
{
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT id, stage, owner_id FROM opportunities ORDER BY id", &st);
	if (rc)
		return rc;
	struct step {
		int64_t id, owner;
		int end;
	} *all = NULL;
	size_t n = 0, cap = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		if (n == cap)
			all = xrealloc(all, (cap = cap ? cap * 2 : 64) * sizeof *all);
		const char *stage = db_column_text(st, 1, NULL);
		int end = N_OPEN + 1;
		for (int s = 0; s < N_OPEN; s++)
			if (str_eq(stage, stages[s]))
				end = s;
		if (str_eq(stage, "won"))
			end = N_OPEN;
		all[n++] = (struct step){db_column_int(st, 0), db_column_int(st, 2), end};
	}
	db_reset(st);
	rc = rc == DB_DONE ? DB_OK : rc;
	for (size_t i = 0; i < n && !rc; i++) {
		const struct step *o = &all[i];
		/* A lost one stalled somewhere before the signing. */
		const int last = o->end == N_OPEN  ? N_OPEN - 1
		                 : o->end > N_OPEN ? (int)(i % 6)
		                                   : o->end;
		const int moves = last + (o->end >= N_OPEN);
		int64_t at = now - (int64_t)(moves * 12 + 5 + (i * 17) % 40) * DAY_MS;
		char when[TIME_ISO_LEN], id[24], owner[24];
		time_format_iso(at, when);
		snprintf(id, sizeof id, "%lld", (long long)o->id);
		snprintf(owner, sizeof owner, "%lld", (long long)o->owner);
		rc = db_run(db, "UPDATE opportunities SET created_at = ? WHERE id = ?", 2,
		            (const char *[]){when, id});
		const char *from = stages[0];
		for (int s = 1; s <= last + 1 && !rc; s++) {
			const bool ending = s == last + 1;
			if (ending && o->end < N_OPEN)
				break;
			/* Every other stage is skipped now and then. */
			if (!ending && s < last && (i + (size_t)s) % 3 == 0)
				continue;
			at += (int64_t)(4 + (i * 7 + (size_t)s * 5) % 16) * DAY_MS;
			time_format_iso(at, when);
			const char *to = !ending ? stages[s] : o->end == N_OPEN ? "won" : "lost";
			char transition[40];
			snprintf(transition, sizeof transition, "%s%s", ending ? "" : "to_",
			         !ending            ? to
			         : o->end == N_OPEN ? "win"
			                            : "lose");
			rc = db_run(
			    db,
			    "INSERT INTO process_history (entity, record_id, process, transition, "
			    "from_state, to_state, user_id, at) VALUES ('opportunities', ?, "
			    "'opportunity_stages', ?, ?, ?, ?, ?)",
			    6,
			    (const char *[]){id, transition, from, to, o->owner ? owner : NULL,
			                     when});
			from = to;
		}
	}
	free(all);
	return rc;
}

int demo_opportunities(struct db *db, const int64_t *customer_ids, size_t n)
{
	int fd = memfd_create("demo-opportunities", 0);
	FILE *f = fd >= 0 ? fdopen(dup(fd), "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int64_t now = time_now_ms();
	write_rows(f, customer_ids, n, now);
	fclose(f);
	int rc = demo_import_owned(db, "opportunities", fd);
	close(fd);
	if (!rc)
		rc = db_run(
		    db,
		    "UPDATE opportunities SET region = (SELECT c.region FROM customers c WHERE "
		    "c.id = opportunities.customer_id)",
		    0, NULL);
	if (!rc && !(rc = db_begin(db)))
		rc = (rc = add_history(db, now)) ? (db_rollback(db), rc) : db_commit(db);
	return rc;
}
