/* Demo follow-ups and contacts' news: a history for the demo customers' timelines, their last
 * follow-up (which the shared pool counts from) and their contacts' closeness. */
#include "demo.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

#define DAY_MS INT64_C(86400000)

static const struct {
	const char *kind, *subject, *content, *outcome, *next;
} acts[] = {
    {"call", "电话沟通购艇意向", "客户计划明年购入一艘 50 尺左右的飞桥游艇，关注内饰与油耗。",
     "positive", "寄送产品画册"},
    {"visit", "上门拜访", "拜访客户总部，介绍新款 62 尺游艇，客户对航电配置很感兴趣。", "positive",
     "安排试航"},
    {"sea_trial", "安排试航", "在深圳湾试航两小时，客户对操控与静音表现满意。", "positive",
     "发送正式报价"},
    {"wechat", "微信跟进", "发送了内饰方案效果图，客户表示需要与家人商量。", "neutral",
     "两周后再跟进"},
    {"boat_show", "船展接待", "在深圳国际游艇展接待客户一行，参观了三款展船。", "positive",
     "邀请参观工厂"},
    {"quotation", "报价沟通", "就选装项目与交付周期沟通报价，客户希望在价格上再优惠。", "neutral",
     "申请特价审批"},
    {"meeting", "方案评审会", "与客户采购部和技术顾问评审配置方案。", "positive", "修改技术协议"},
    {"call", "电话回访", "客户本月出差，未能详谈。", "no_answer", "下周再联系"},
};

static const struct {
	const char *kind, *subject, *content;
} news[] = {
    {"promotion", "升任集团副总裁", "分管采购与行政，游艇采购由其最终拍板。"},
    {"company_news", "公司新开一家滨海度假酒店", "酒店配套码头，预计需要两艘接待艇。"},
    {"interest", "开始学习帆船", "周末在大鹏半岛参加帆船培训。"},
    {"family_event", "女儿考入大学", "可在合适时机送上祝贺。"},
};

/* The first contact of a customer, 0 if none. */
static int64_t first_contact(struct db_stmt *st, int64_t customer)
{
	db_bind_int(st, 1, customer);
	int64_t id = db_step(st) == DB_ROW ? db_column_int(st, 0) : 0;
	db_reset(st);
	return id;
}

static int write_rows(struct db *db, FILE *fa, FILE *fn, const int64_t *ids, size_t n)
{
	fputs("subject,kind,occurred_at,customer_id,contact_id,content,outcome,next_action\n", fa);
	fputs("subject,kind,happened_on,customer_id,contact_id,content,source\n", fn);
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT id FROM contacts WHERE customer_id = ? ORDER BY id LIMIT 1",
	                    &st);
	int64_t now = time_now_ms();
	for (size_t i = 0; i < n && !rc; i++) {
		int64_t contact = first_contact(st, ids[i]);
		if (!contact)
			continue;
		/* 0–3 follow-ups, the latest 1 to 120 days ago: some customers are due back to the
		 * pool soon, some are not. */
		size_t count = i % 4;
		int64_t last = (int64_t)(1 + (i * 37) % 120);
		for (size_t k = 0; k < count; k++) {
			const size_t a = (i + k * 3) % ARRAY_SIZE(acts);
			char at[TIME_ISO_LEN];
			time_format_iso(now - (last + (int64_t)k * 21) * DAY_MS -
			                    (int64_t)(i % 9) * 3600000,
			                at);
			demo_csv_quoted(fa, acts[a].subject);
			fprintf(fa, ",%s,%s,%lld,%lld,", acts[a].kind, at, (long long)ids[i],
			        (long long)contact);
			demo_csv_quoted(fa, acts[a].content);
			fprintf(fa, ",%s,", acts[a].outcome);
			demo_csv_quoted(fa, acts[a].next);
			fputc('\n', fa);
		}
		if (i % 5 == 0) {
			int y, m, d;
			time_civil_from_days((now / DAY_MS) - (int64_t)(10 + i % 50), &y, &m, &d);
			const size_t k = (i / 5) % ARRAY_SIZE(news);
			demo_csv_quoted(fn, news[k].subject);
			fprintf(fn, ",%s,%04d-%02d-%02d,%lld,%lld,", news[k].kind, y, m, d,
			        (long long)ids[i], (long long)contact);
			demo_csv_quoted(fn, news[k].content);
			fputs(",销售员了解\n", fn);
		}
	}
	return rc;
}

int demo_import_owned(struct db *db, const char *entity, int fd)
{
	int rc = demo_import_fd(db, entity, fd);
	char sql[400];
	snprintf(sql, sizeof sql,
	         "UPDATE %s SET owner_id = (SELECT c.owner_id FROM customers c WHERE c.id = "
	         "%s.customer_id), org_unit_id = (SELECT c.org_unit_id FROM customers c WHERE c.id "
	         "= %s.customer_id)",
	         entity, entity, entity);
	return rc ? rc : db_run(db, sql, 0, NULL);
}

int demo_activities(struct db *db, const int64_t *customer_ids, size_t n)
{
	int fa = memfd_create("demo-activities", 0), fn = memfd_create("demo-news", 0);
	FILE *a = fa >= 0 ? fdopen(dup(fa), "w") : NULL, *b = fn >= 0 ? fdopen(dup(fn), "w") : NULL;
	int rc = a && b ? write_rows(db, a, b, customer_ids, n) : -1;
	if (a)
		fclose(a);
	if (b)
		fclose(b);
	if (!rc)
		rc = demo_import_owned(db, "activities", fa);
	if (!rc)
		rc = demo_import_owned(db, "contact_updates", fn);
	if (fa >= 0)
		close(fa);
	if (fn >= 0)
		close(fn);
	return rc;
}
