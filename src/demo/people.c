/*
 * The demo organisation: a yacht builder's head company with its head-office departments, two
 * regional subsidiaries and a dealer channel, and one demo user for every shipped role, each
 * placed in a unit under a superior (REQUIREMENTS.md P-RBAC). All demo users share one random
 * password, shown once and kept in the data folder like the first administrator's.
 */
#include "demo.h"
#include "auth/org.h"
#include "auth/profile.h"
#include "auth/session.h"
#include "auth/user.h"
#include "core/log.h"
#include "core/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

struct demo_unit {
	const char *name;
	enum org_kind kind;
	int parent; /* index in units, -1 for the root */
};

static const struct demo_unit units[] = {
    {"海韵游艇集团", ORG_COMPANY, -1},   /* 0 */
    {"集团销售部", ORG_DEPARTMENT, 0},   /* 1 */
    {"市场部", ORG_DEPARTMENT, 0},       /* 2 */
    {"财务部", ORG_DEPARTMENT, 0},       /* 3 */
    {"客户服务中心", ORG_DEPARTMENT, 0}, /* 4 */
    {"信息技术部", ORG_DEPARTMENT, 0},   /* 5 */
    {"经销商渠道部", ORG_DEPARTMENT, 0}, /* 6 */
    {"华南子公司", ORG_SUBSIDIARY, 0},   /* 7 */
    {"华南销售一部", ORG_DEPARTMENT, 7}, /* 8 */
    {"华南销售二部", ORG_DEPARTMENT, 7}, /* 9 */
    {"华南服务部", ORG_DEPARTMENT, 7},   /* 10 */
    {"华东子公司", ORG_SUBSIDIARY, 0},   /* 11 */
    {"华东销售部", ORG_DEPARTMENT, 11},  /* 12 */
    {"深圳大客户团队", ORG_TEAM, 8},     /* 13 */
};

struct demo_user {
	const char *username, *display_name, *role, *position;
	int unit;
	int superior; /* index in people, -1 for none */
	bool owns_demo_records;
};

static const struct demo_user people[] = {
    {"sales.director", "赵振华", "sales_director", "销售总监", 1, -1, false},         /* 0 */
    {"customer.director", "钱慧敏", "customer_director", "客户总监", 1, 0, false},    /* 1 */
    {"info", "孙丽娟", "info_specialist", "信息专员", 1, 1, false},                   /* 2 */
    {"revisit", "李晓燕", "return_visit", "回访员", 1, 1, false},                     /* 3 */
    {"marketing.director", "周文博", "marketing_director", "市场总监", 2, -1, false}, /* 4 */
    {"finance", "吴静", "finance", "财务主管", 3, -1, false},                         /* 5 */
    {"service", "郑海波", "service_agent", "客服专员", 4, -1, false},                 /* 6 */
    {"knowledge", "王雅琴", "knowledge_editor", "知识编辑", 4, 6, false},             /* 7 */
    {"it.admin", "冯立新", "admin", "系统管理员", 5, -1, false},                      /* 8 */
    {"dealer", "秦国栋", "dealer", "厦门蓝海游艇经销商", 6, 0, true},                 /* 9 */
    {"south.manager", "陈建国", "regional_manager", "华南区域销售经理", 8, 0, true},  /* 10 */
    {"south.sales1", "卫东", "salesperson", "销售代表", 13, 10, true},                /* 11 */
    {"south.sales2", "蒋欣", "salesperson", "销售代表", 8, 10, true},                 /* 12 */
    {"south.pm", "杨帆", "project_manager", "项目经理", 8, 10, true},                 /* 13 */
    {"south2.sales", "韩磊", "salesperson", "销售代表", 9, 10, true},                 /* 14 */
    {"engineer", "朱永强", "service_engineer", "服务工程师", 10, 6, false},           /* 15 */
    {"east.manager", "褚明", "regional_manager", "华东区域销售经理", 12, 0, true},    /* 16 */
    {"east.sales1", "沈佳", "salesperson", "销售代表", 12, 16, true},                 /* 17 */
};

/* The system acting (no request, no user): for the audit rows of the changes. */
static struct op system_op(struct db *db, struct arena *a)
{
	return (struct op){.db = db, .arena = a, .admin = true, .request_id = "demo"};
}

static int make_units(struct db *db, struct arena *a, int64_t *ids)
{
	for (size_t i = 0; i < ARRAY_SIZE(units); i++) {
		struct op op = system_op(db, a);
		struct org_change c = {.name = units[i].name,
		                       .kind = (int)units[i].kind,
		                       .parent_id = units[i].parent < 0 ? 0 : ids[units[i].parent]};
		int rc = org_unit_create(&op, &c, &ids[i]);
		if (rc)
			return rc;
	}
	return DB_OK;
}

static int make_people(struct db *db, struct arena *a, const int64_t *unit_ids,
                       const char *password, int64_t *ids)
{
	for (size_t i = 0; i < ARRAY_SIZE(people); i++) {
		const struct demo_user *p = &people[i];
		struct op op = system_op(db, a);
		struct profile_change c = {0};
		c.set[PF_ORG_UNIT_ID] = true;
		c.id[PF_ORG_UNIT_ID] = unit_ids[p->unit];
		c.set[PF_POSITION] = true;
		c.text[PF_POSITION] = p->position;
		if (p->superior >= 0) {
			c.set[PF_SUPERIOR_ID] = true;
			c.id[PF_SUPERIOR_ID] = ids[p->superior];
		}
		int rc = db_begin(db);
		if (!rc)
			rc = user_insert(db, p->username, p->display_name, p->role, password, false,
			                 &ids[i]);
		if (!rc)
			rc = profile_apply(&op, ids[i], &c);
		if (!rc)
			rc = db_commit(db);
		if (rc) {
			db_rollback(db);
			log_error("demo user %s: %s", p->username, db_errmsg(db));
			return rc;
		}
	}
	return DB_OK;
}

/* Heads of units: the first person placed in each (by the order above). */
static int set_heads(struct db *db, struct arena *a, const int64_t *unit_ids, const int64_t *ids)
{
	for (size_t u = 0; u < ARRAY_SIZE(units); u++)
		for (size_t i = 0; i < ARRAY_SIZE(people); i++) {
			if (people[i].unit != (int)u)
				continue;
			struct op op = system_op(db, a);
			struct org_change c = {
			    .kind = -1, .set_head = true, .head_user_id = ids[i]};
			int rc = org_unit_update(&op, unit_ids[u], &c);
			if (rc)
				return rc;
			break;
		}
	return DB_OK;
}

static void keep_password(const char *data_dir, const char *password, bool verbose)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/demo-password.txt", data_dir);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		dprintf(fd, "%s\n", password);
		close(fd);
	}
	/* Shown once, never logged. */
	printf(
	    "\n  Demo users (sales.director, south.manager, south.sales1, info, revisit, dealer, "
	    "…)\n  added with the password %s\n  (also in %s)\n\n",
	    password, fd >= 0 ? path : "nowhere: the data folder is not writable");
	(void)verbose;
}

int demo_people(struct db *db, const char *data_dir, bool verbose)
{
	int64_t n = 0;
	if (db_query_int(db, "SELECT count(*) FROM org_units", 0, NULL, &n))
		return -1;
	if (n) {
		if (verbose)
			printf("the organisation exists already: no demo people added\n");
		return 0;
	}
	struct arena a;
	arena_init(&a, 16384);
	char password[TOKEN_TEXT_LEN];
	token_random(password);
	password[16] = '\0';
	int64_t unit_ids[ARRAY_SIZE(units)], ids[ARRAY_SIZE(people)];
	int rc = make_units(db, &a, unit_ids);
	if (!rc)
		rc = make_people(db, &a, unit_ids, password, ids);
	if (!rc)
		rc = set_heads(db, &a, unit_ids, ids);
	arena_release(&a);
	if (rc) {
		log_error("demo organisation: %s", db_errmsg(db));
		return -1;
	}
	keep_password(data_dir, password, verbose);
	log_info("demo organisation added: %zu units, %zu users", ARRAY_SIZE(units),
	         ARRAY_SIZE(people));
	return 0;
}

int demo_assign_owners(struct db *db, const int64_t *customer_ids, size_t n)
{
	/* The people who own customers, in the order they take turns. */
	size_t n_owners = 0;
	const char *owners[ARRAY_SIZE(people)];
	for (size_t i = 0; i < ARRAY_SIZE(people); i++)
		if (people[i].owns_demo_records)
			owners[n_owners++] = people[i].username;
	int rc = db_begin(db);
	for (size_t i = 0; i < n && !rc; i++) {
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)customer_ids[i]);
		const char *p[] = {owners[i % n_owners], owners[i % n_owners], id};
		/* A customer's contacts belong to whoever owns the customer. */
		rc = db_run(
		    db,
		    "UPDATE customers SET owner_id = (SELECT id FROM users WHERE username = ?), "
		    "org_unit_id = (SELECT org_unit_id FROM users WHERE username = ?) "
		    "WHERE id = ?",
		    3, p);
		if (!rc)
			rc = db_run(
			    db,
			    "UPDATE contacts SET owner_id = (SELECT id FROM users WHERE username "
			    "= ?), org_unit_id = (SELECT org_unit_id FROM users WHERE username = "
			    "?) WHERE customer_id = ?",
			    3, p);
	}
	return rc ? (db_rollback(db), rc) : db_commit(db);
}
