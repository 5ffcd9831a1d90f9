/* Demo leads (需求): raw information from the boat show, the web form and the collectors, at
 * every state of the lead flow — new, graded, reviewed, assigned to the demo project manager,
 * followed up, qualified, disqualified — graded by the bands on import like any lead, so the leads'
 * list and the sales director's queue have work on first start. */
#include "demo.h"
#include "core/timeutil.h"
#include "core/util.h"
#include "auth/user.h"

#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

static const struct {
	const char *title, *source, *company, *contact, *phone, *product, *region, *stage;
	long wan; /* expected amount, 万元 */
	const char *requirement, *note;
} leads[] = {
    {"三亚湾度假酒店接待艇", "boat_show", "三亚湾海景度假酒店", "林总", "13907561234", "flybridge",
     "south", "new", 1200, "酒店新建游艇码头，需要两艘接待艇，明年春节前到位。", ""},
    {"私人买家咨询 45 尺帆船", "web_form", "", "周先生", "13801012345", "sailing", "north", "new",
     260, "官网留言：想了解 45 尺巡航帆船的配置与交期，周末可试航。", ""},
    {"厦门游艇会会员船更新", "collector", "厦门五缘湾游艇会", "陈经理", "13906001234", "sport",
     "east", "graded", 480, "会员船队更新三艘运动艇，预算已报董事会。", ""},
    {"舟山渔业集团交通艇", "collector", "舟山海洋渔业集团", "王科长", "13905801234", "tender",
     "east", "graded", 60, "港区交通艇一艘，要求国产化维修方便。", ""},
    {"深圳企业家俱乐部超级游艇", "project_manager", "深圳湾企业家俱乐部", "黄秘书长", "13902901234",
     "superyacht", "south", "reviewed", 9800, "俱乐部拟合购一艘 42 米超级游艇，用于商务接待。", ""},
    {"青岛帆船赛事保障船", "campaign", "青岛国际帆船中心", "刘主任", "13905321234", "catamaran",
     "north", "assigned", 560, "赛事保障与观赛用双体船两艘。", ""},
    {"海口旅游公司观光船", "dealer", "海口椰风旅游公司", "吴经理", "13907661234", "catamaran",
     "south", "following", 720, "观光线路扩容，需要载客 40 人的双体观光船。",
     "已与吴经理面谈两次，预算 700 万左右，下月考察工厂。"},
    {"大连船东换新 62 尺飞桥", "referral", "", "孙先生", "13904111234", "flybridge", "northeast",
     "qualified", 1500, "老客户推荐：现有 50 尺艇换新，关注内饰定制。",
     "决策人即船东本人，预算确认，倾向我司。"},
    {"宁波院校实训帆船", "collector", "宁波海事职业学院", "郑老师", "13905741234", "sailing",
     "east", "disqualified", 90, "实训用小型帆船采购意向。",
     "经核实为政府采购项目，已公开招标且不在我司产品范围。"},
};

/* A demo user's id, 0 if missing (user_find leaves it 0). */
static int64_t user_id(struct db *db, const char *username)
{
	int64_t id;
	user_find(db, username, &id);
	return id;
}

#define DAY_MS INT64_C(86400000)

/* The return-visit staff's week (LEAD-6): two visits of leads being followed up to come, each
 * their task with a reminder (made by the visits' hooks on import), and one recorded. */
static int return_visits(struct db *db, int64_t staff, int64_t info)
{
	static const struct {
		const char *lead, *subject, *kind, *state, *result, *tracking;
		int days; /* from today */
	} visits[] = {
	    {"海口旅游公司观光船", "吴经理：工厂考察安排", "phone", "planned", "", "", 1},
	    {"大连船东换新 62 尺飞桥", "孙先生：内饰定制意见", "visit", "planned", "", "", 3},
	    {"青岛帆船赛事保障船", "刘主任：赛事日程", "phone", "done", "reached",
	     "赛事推迟到九月，采购计划不变。", -2},
	};
	int fd = memfd_create("demo-return-visits", 0);
	FILE *f = fd >= 0 ? fdopen(dup(fd), "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	fputs(
	    "subject,kind,scheduled_at,lead_id,state,result,tracking,owner_id,info_specialist_id\n",
	    f);
	int64_t now = time_now_ms();
	for (size_t i = 0; i < ARRAY_SIZE(visits); i++) {
		int64_t lead = 0;
		db_query_int(db, "SELECT id FROM leads WHERE title = ?", 1,
		             (const char *[]){visits[i].lead}, &lead);
		char at[TIME_ISO_LEN];
		/* 10:00 in China, the day given. */
		time_format_iso((now / DAY_MS + visits[i].days) * DAY_MS + 2 * 3600000, at);
		fprintf(f, "%s,%s,%s,", visits[i].subject, visits[i].kind, at);
		if (lead)
			fprintf(f, "%lld", (long long)lead);
		fprintf(f, ",%s,%s,%s,", visits[i].state, visits[i].result, visits[i].tracking);
		if (staff)
			fprintf(f, "%lld", (long long)staff);
		fputc(',', f);
		if (info)
			fprintf(f, "%lld", (long long)info);
		fputc('\n', f);
	}
	fclose(f);
	int rc = demo_import_fd(db, "return_visits", fd);
	close(fd);
	return rc;
}

int demo_leads(struct db *db)
{
	int fd = memfd_create("demo-leads", 0);
	FILE *f = fd >= 0 ? fdopen(dup(fd), "w") : NULL;
	if (!f) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	int64_t pm = user_id(db, "south.pm"), info = user_id(db, "info");
	fputs("title,source,company_name,contact_name,phone,product_line,region,stage,amount,"
	      "requirement,followup_note,qualification_note,project_manager_id,info_specialist_id,"
	      "owner_id\n",
	      f);
	for (size_t i = 0; i < ARRAY_SIZE(leads); i++) {
		bool given = !str_eq(leads[i].stage, "new") && !str_eq(leads[i].stage, "graded") &&
		             !str_eq(leads[i].stage, "reviewed");
		bool followed = str_eq(leads[i].stage, "following");
		fprintf(f, "%s,%s,%s,%s,%s,%s,%s,%s,%ld.00,", leads[i].title, leads[i].source,
		        leads[i].company, leads[i].contact, leads[i].phone, leads[i].product,
		        leads[i].region, leads[i].stage, leads[i].wan * 10000);
		demo_csv_quoted(f, leads[i].requirement);
		fputc(',', f);
		demo_csv_quoted(f, followed ? leads[i].note : "");
		fputc(',', f);
		demo_csv_quoted(f, given && !followed ? leads[i].note : "");
		if (given && pm)
			fprintf(f, ",%lld", (long long)pm);
		else
			fputc(',', f);
		if (info)
			fprintf(f, ",%lld,%lld\n", (long long)info, (long long)info);
		else
			fputs(",,\n", f);
	}
	fclose(f);
	int rc = demo_import_fd(db, "leads", fd);
	close(fd);
	return rc ? rc : return_visits(db, user_id(db, "revisit"), info);
}
