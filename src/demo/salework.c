/* The demo sales force's own work (OP-PLAN, S-STD, S-VISIT, S-REL, S-REPORT, S-BID): for each
 * demo salesperson this week's and this month's plans with their planned activities, some
 * done; yesterday's daily report and last week's weekly one, pre-filled from their records by
 * the reports' own hook; visits at the stages a visit rests in; a service plan for their
 * largest customer; bids on two opportunities; their manager's comments, and last quarter's
 * appraisals. Loaded through
 * the ordinary import, so every hook (periods, completion, figures) runs as for anyone's. */
#include "demo.h"
#include "auth/user.h"
#include "core/str.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "modules/period.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define DAY_MS  INT64_C(86400000)
#define ZONE_MS ((int64_t)TIME_DEFAULT_OFFSET_MIN * 60000)

static const char *const sellers[] = {"south.sales1", "south.sales2", "east.sales1"};

/* csv imported as entity through a memory file. */
static int import_text(struct db *db, const char *entity, const struct str *csv)
{
	int fd = memfd_create("demo-salework", 0);
	if (fd < 0)
		return -1;
	int rc = write(fd, csv->buf, csv->len) == (ssize_t)csv->len ? 0 : -1;
	if (!rc)
		rc = demo_import_fd(db, entity, fd);
	close(fd);
	return rc;
}

/* Today in the company's time zone, days from now, as "YYYY-MM-DD". */
static void local_day(int days, char out[PERIOD_DATE_LEN])
{
	int y, m, d;
	time_civil_from_days((time_now_ms() + ZONE_MS) / DAY_MS + days, &y, &m, &d);
	snprintf(out, PERIOD_DATE_LEN, "%04d-%02d-%02d", y, m, d);
}

/* 10:00 in China, days from today, as a UTC instant. */
static void local_ten(int days, char out[TIME_ISO_LEN])
{
	int64_t day = (time_now_ms() + ZONE_MS) / DAY_MS + days;
	time_format_iso(day * DAY_MS + 10 * 3600000 - ZONE_MS, out);
}

/* A seller's customers, largest first (by what their opportunities are worth). */
static size_t customers_of(struct db *db, int64_t user, int64_t *ids, size_t max)
{
	struct db_stmt *st;
	size_t n = 0;
	if (db_prepare(
	        db,
	        "SELECT c.id FROM customers c LEFT JOIN opportunities o ON o.customer_id = c.id"
	        " WHERE c.owner_id = ? GROUP BY c.id ORDER BY COALESCE(sum(o.amount), 0) DESC,"
	        " c.id LIMIT 8",
	        &st))
		return 0;
	db_bind_int(st, 1, user);
	while (db_step(st) == DB_ROW && n < max)
		ids[n++] = db_column_int(st, 0);
	db_reset(st);
	return n;
}

static void plans(struct str *csv, int64_t user)
{
	char week[PERIOD_DATE_LEN], month[PERIOD_DATE_LEN];
	local_day(0, week);
	local_day(0, month);
	str_addf(csv, "week,%s,本周完成三次拜访、一次试航，推进 62 尺飞桥报价,submitted,%lld\n",
	         week, (long long)user);
	str_addf(csv, "month,%s,本月签约一艘，新增有效商机三个,draft,%lld\n", month,
	         (long long)user);
}

static void plan_items(struct db *db, struct str *csv, int64_t user, const int64_t *customers,
                       size_t n)
{
	static const struct {
		const char *kind, *subject;
		int day; /* of the week, 0 Monday */
		bool done;
		const char *outcome;
	} items[] = {
	    {"visit", "拜访：介绍新款 62 尺飞桥", 0, true, "客户约定下周试航"},
	    {"call", "电话：确认试航人数与时间", 1, true, "四人，周六上午"},
	    {"sea_trial", "试航：深圳湾两小时", 5, false, ""},
	    {"quotation", "报价：选装与交期", 3, false, ""},
	    {"product_intro", "产品介绍：内饰定制方案", 2, true, "客户选定胡桃木内饰"},
	};
	char today[PERIOD_DATE_LEN], monday[PERIOD_DATE_LEN], sunday[PERIOD_DATE_LEN];
	local_day(0, today);
	period_bounds("week", today, 10, monday, sunday);
	int64_t plan = 0;
	char uid[24];
	snprintf(uid, sizeof uid, "%lld", (long long)user);
	db_query_int(db,
	             "SELECT id FROM work_plans WHERE owner_id = ? AND period = 'week' AND "
	             "starts_on = ?",
	             2, (const char *[]){uid, monday}, &plan);
	if (!plan || !n)
		return;
	int y, m, d;
	time_parse_date(monday, 10, &y, &m, &d);
	int64_t first = time_days_from_civil(y, m, d);
	for (size_t i = 0; i < ARRAY_SIZE(items); i++) {
		time_civil_from_days(first + items[i].day, &y, &m, &d);
		str_addf(csv, "%lld,%s,%s,%04d-%02d-%02d,%lld,%s,%s,%lld\n", (long long)plan,
		         items[i].subject, items[i].kind, y, m, d, (long long)customers[i % n],
		         items[i].done ? "true" : "false", items[i].outcome, (long long)user);
	}
}

static void reports(struct str *csv, int64_t user)
{
	char yesterday[PERIOD_DATE_LEN], last_week[PERIOD_DATE_LEN];
	local_day(-1, yesterday);
	local_day(-7, last_week);
	/* The summary is left empty: the report's hook writes it from the period's records. */
	str_addf(csv, "day,%s,,报价审批周期偏长，需要总监协调,继续跟进试航客户,,submitted,%lld\n",
	         yesterday, (long long)user);
	str_addf(csv,
	         "week,%s,,,下周重点：两场试航、一份正式报价,节奏不错，试航后尽快报价,reviewed,"
	         "%lld\n",
	         last_week, (long long)user);
}

static void visits(struct str *csv, int64_t user, const int64_t *customers, size_t n)
{
	static const struct {
		const char *stage, *title, *purpose;
		int day;
		long budget, expense; /* yuan */
		const char *needs, *report;
	} rows[] = {
	    {"plan", "拜访计划：介绍 62 尺飞桥", "介绍新船型并邀请试航", 5, 3000, 0, "", ""},
	    {"approved", "拜访：确认内饰方案", "确认内饰与选装", 2, 1500, 0, "", ""},
	    {"visited", "拜访：工厂参观接待", "陪同客户参观工厂", -1, 8000, 0, "关注交期与售后网点",
	     ""},
	    {"report_approved", "拜访：年度合作洽谈", "洽谈年度保养与换新", -9, 5000, 0,
	     "希望年内换新一艘", "客户预算确认，决策人为董事长本人"},
	    {"reimbursed", "拜访：船展后回访", "船展后回访", -20, 2000, 1860, "关注双体船",
	     "客户对双体观光船有兴趣，已发资料"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows) && n; i++) {
		char planned[TIME_ISO_LEN], visited[TIME_ISO_LEN] = "";
		local_ten(rows[i].day, planned);
		if (rows[i].day < 0)
			local_ten(rows[i].day, visited);
		str_addf(csv, "%s,%lld,%s,%s,%ld.00,%s,%s,%s,", rows[i].title,
		         (long long)customers[(i + 1) % n], rows[i].purpose, planned,
		         rows[i].budget, visited, rows[i].needs, rows[i].report);
		if (rows[i].expense)
			str_addf(csv, "%ld.00,交通与餐饮", rows[i].expense);
		else
			str_addc(csv, ',');
		str_addf(csv, ",%s,%lld\n", rows[i].stage, (long long)user);
	}
}

static void service_plans(struct str *csv, int64_t user, const int64_t *customers, size_t n)
{
	char start[PERIOD_DATE_LEN], end[PERIOD_DATE_LEN], today[PERIOD_DATE_LEN];
	local_day(0, today);
	period_bounds("month", today, 10, start, end);
	if (!n)
		return;
	str_addf(
	    csv,
	    "重点客户年度服务计划,%lld,key,%s,%.4s-12-31,在保游艇三艘，明年计划换新一艘,"
	    "续保全部在保游艇；促成换新,每季度保养巡检；春季试航日；船长培训,in_progress,%lld\n",
	    (long long)customers[0], start, start, (long long)user);
}

static int bids(struct db *db, int64_t user)
{
	struct db_stmt *st;
	struct str csv = STR_INIT;
	str_adds(&csv, "title,customer_id,opportunity_id,deadline,stage,bid_amount,owner_id\n");
	if (db_prepare(
	        db,
	        "SELECT id, customer_id, name FROM opportunities WHERE owner_id = ? AND stage"
	        " IN ('proposal', 'evaluation', 'negotiation') ORDER BY amount DESC LIMIT 2",
	        &st)) {
		str_release(&csv);
		return -1;
	}
	db_bind_int(st, 1, user);
	for (int i = 0; db_step(st) == DB_ROW; i++) {
		char deadline[TIME_ISO_LEN];
		local_ten(10 + i * 7, deadline);
		str_addf(&csv, "%s 投标,%lld,%lld,%s,%s,%s,%lld\n", db_column_text(st, 2, NULL),
		         (long long)db_column_int(st, 1), (long long)db_column_int(st, 0), deadline,
		         i ? "submitted" : "preparation", i ? "3200000.00" : "", (long long)user);
	}
	db_reset(st);
	int rc = import_text(db, "bids", &csv);
	str_release(&csv);
	return rc;
}

/* The manager's guidance on a plan and a report of their people, as comments. */
static int comments(struct db *db, int64_t manager, int64_t user)
{
	static const struct {
		const char *entity, *sql, *body;
	} notes[] = {
	    {"work_plans", "SELECT max(id) FROM work_plans WHERE owner_id = ? AND period = 'week'",
	     "试航安排在周末，记得提前确认天气和码头泊位。"},
	    {"work_reports",
	     "SELECT max(id) FROM work_reports WHERE owner_id = ? AND period = 'day'",
	     "报价审批我来协调，周三前给你答复。"},
	};
	char uid[24], mid[24], at[TIME_ISO_LEN];
	snprintf(uid, sizeof uid, "%lld", (long long)user);
	snprintf(mid, sizeof mid, "%lld", (long long)manager);
	time_now_iso(at);
	for (size_t i = 0; i < ARRAY_SIZE(notes); i++) {
		int64_t id = 0;
		db_query_int(db, notes[i].sql, 1, (const char *[]){uid}, &id);
		char rid[24];
		snprintf(rid, sizeof rid, "%lld", (long long)id);
		if (id && db_run(db,
		                 "INSERT INTO record_comments (entity, record_id, author_id, body,"
		                 " created_at) VALUES (?, ?, ?, ?, ?)",
		                 5, (const char *[]){notes[i].entity, rid, mid, notes[i].body, at}))
			return -1;
	}
	return 0;
}

/* Last quarter's appraisal of each salesperson by the manager, published. */
static int appraisals(struct db *db, int64_t manager, const int64_t *users, size_t n)
{
	/* A day of the quarter before this one: the day before this quarter's first. */
	char today[PERIOD_DATE_LEN], first[PERIOD_DATE_LEN], last[PERIOD_DATE_LEN],
	    last_quarter[PERIOD_DATE_LEN];
	local_day(0, today);
	period_bounds("quarter", today, 10, first, last);
	int y, m, d;
	time_parse_date(first, 10, &y, &m, &d);
	time_civil_from_days(time_days_from_civil(y, m, d) - 1, &y, &m, &d);
	snprintf(last_quarter, sizeof last_quarter, "%04d-%02d-%02d", y, m, d);
	struct str csv = STR_INIT;
	str_adds(
	    &csv,
	    "employee_id,period,starts_on,grade,strengths,improvements,goals,stage,owner_id\n");
	static const char *const grades[] = {"excellent", "good", "adequate"};
	for (size_t i = 0; i < n; i++)
		if (users[i])
			str_addf(
			    &csv,
			    "%lld,quarter,%s,%s,试航转化率高，客户反馈好,新客户开发偏少,下季度新增五家有效客户,"
			    "published,%lld\n",
			    (long long)users[i], last_quarter, grades[i % 3], (long long)manager);
	int rc = import_text(db, "appraisals", &csv);
	str_release(&csv);
	/* Published, as the flow's publish would have it: shared with the person to read. */
	char at[TIME_ISO_LEN], mid[24];
	time_now_iso(at);
	snprintf(mid, sizeof mid, "%lld", (long long)manager);
	return rc ? rc
	          : db_run(
	                db,
	                "INSERT INTO record_shares (entity, record_id, user_id, access, created_by,"
	                " created_at) SELECT 'appraisals', id, employee_id, 'read', ?, ? FROM"
	                " appraisals WHERE stage = 'published'",
	                2, (const char *[]){mid, at});
}

static int64_t demo_user(struct db *db, const char *username)
{
	int64_t id = 0;
	user_find(db, username, &id);
	return id;
}

int demo_sales_work(struct db *db)
{
	struct str plan = STR_INIT, item = STR_INIT, report = STR_INIT, visit = STR_INIT,
	           service = STR_INIT;
	str_adds(&plan, "period,starts_on,goals,stage,owner_id\n");
	str_adds(&item, "plan_id,subject,kind,planned_on,customer_id,done,outcome,owner_id\n");
	str_adds(&report,
	         "period,starts_on,summary,problems,next_plan,review_comment,stage,owner_id\n");
	str_adds(&visit, "title,customer_id,purpose,planned_at,budget,visited_at,needs,report,"
	                 "expense,expense_detail,stage,owner_id\n");
	str_adds(&service, "title,customer_id,customer_grade,starts_on,ends_on,analysis,goals,"
	                   "actions,stage,owner_id\n");
	int64_t users[ARRAY_SIZE(sellers)];
	for (size_t i = 0; i < ARRAY_SIZE(sellers); i++)
		if ((users[i] = demo_user(db, sellers[i])))
			plans(&plan, users[i]);
	int rc = import_text(db, "work_plans", &plan);
	for (size_t i = 0; i < ARRAY_SIZE(sellers) && !rc; i++) {
		int64_t customers[8];
		size_t n = users[i] ? customers_of(db, users[i], customers, 8) : 0;
		if (!n)
			continue;
		plan_items(db, &item, users[i], customers, n);
		reports(&report, users[i]);
		visits(&visit, users[i], customers, n);
		service_plans(&service, users[i], customers, n);
	}
	if (!rc)
		rc = import_text(db, "work_plan_items", &item);
	/* Visits before the reports, which count the visits that have happened. */
	if (!rc)
		rc = import_text(db, "visits", &visit);
	if (!rc)
		rc = import_text(db, "work_reports", &report);
	if (!rc)
		rc = import_text(db, "service_plans", &service);
	if (!rc && users[0])
		rc = bids(db, users[0]);
	int64_t manager = demo_user(db, "south.manager");
	if (!rc && manager && users[0])
		rc = comments(db, manager, users[0]);
	if (!rc && manager)
		rc = appraisals(db, manager, users, ARRAY_SIZE(users));
	str_release(&plan);
	str_release(&item);
	str_release(&report);
	str_release(&visit);
	str_release(&service);
	return rc;
}
