#include "demo.h"
#include "core/csv.h"
#include "core/log.h"
#include "core/str.h"
#include "core/util.h"
#include "meta/op.h"
#include "meta/transfer.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* splitmix64: small, fast, and the same sequence everywhere for a seed. */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static size_t pick(uint64_t *s, size_t n)
{
	return (size_t)(next(s) % n);
}

#define PICK(s, arr) (arr)[pick((s), ARRAY_SIZE(arr))]

struct city {
	const char *province, *city, *area_code, *postcode, *region, *gb_code;
	const char *districts[3];
};

static const struct city cities[] = {
    {"广东省", "深圳市", "0755", "518000", "south", "440300", {"南山区", "福田区", "宝安区"}},
    {"广东省", "广州市", "020", "510000", "south", "440100", {"天河区", "越秀区", "南沙区"}},
    {"广东省", "珠海市", "0756", "519000", "south", "440400", {"香洲区", "金湾区", "斗门区"}},
    {"福建省", "厦门市", "0592", "361000", "east", "350200", {"思明区", "湖里区", "海沧区"}},
    {"福建省", "福州市", "0591", "350000", "east", "350100", {"鼓楼区", "台江区", "马尾区"}},
    {"上海市", "上海市", "021", "200000", "east", "310100", {"浦东新区", "黄浦区", "徐汇区"}},
    {"浙江省", "宁波市", "0574", "315000", "east", "330200", {"鄞州区", "北仑区", "江北区"}},
    {"浙江省", "舟山市", "0580", "316000", "east", "330900", {"定海区", "普陀区", "岱山县"}},
    {"浙江省", "杭州市", "0571", "310000", "east", "330100", {"西湖区", "滨江区", "上城区"}},
    {"山东省", "青岛市", "0532", "266000", "north", "370200", {"市南区", "崂山区", "黄岛区"}},
    {"山东省", "烟台市", "0535", "264000", "north", "370600", {"芝罘区", "莱山区", "福山区"}},
    {"山东省", "威海市", "0631", "264200", "north", "371000", {"环翠区", "文登区", "荣成市"}},
    {"辽宁省", "大连市", "0411", "116000", "northeast", "210200", {"中山区", "沙河口区", "金州区"}},
    {"天津市", "天津市", "022", "300000", "north", "120100", {"滨海新区", "和平区", "河西区"}},
    {"海南省", "三亚市", "0898", "572000", "south", "460200", {"吉阳区", "天涯区", "海棠区"}},
    {"海南省", "海口市", "0898", "570000", "south", "460100", {"美兰区", "龙华区", "秀英区"}},
    {"广西壮族自治区",
     "北海市",
     "0779",
     "536000",
     "south",
     "450500",
     {"海城区", "银海区", "铁山港区"}},
    {"江苏省", "苏州市", "0512", "215000", "east", "320500", {"姑苏区", "工业园区", "吴中区"}},
    {"江苏省", "南京市", "025", "210000", "east", "320100", {"鼓楼区", "建邺区", "江宁区"}},
    {"湖北省", "武汉市", "027", "430000", "central", "420100", {"江汉区", "武昌区", "洪山区"}},
    {"四川省", "成都市", "028", "610000", "southwest", "510100", {"锦江区", "武侯区", "高新区"}},
    {"重庆市", "重庆市", "023", "400000", "southwest", "500100", {"渝中区", "江北区", "南岸区"}},
    {"北京市", "北京市", "010", "100000", "north", "110100", {"朝阳区", "海淀区", "东城区"}},
};

static const char *const brand1[] = {"海", "蓝", "远", "金", "星", "碧", "长", "鸿", "东", "盛",
                                     "澜", "御", "明", "瑞", "恒", "泰", "嘉", "宏", "云", "银",
                                     "鲸", "天", "港", "凯", "锦", "晨", "鹏", "启", "浩", "华",
                                     "中", "新", "永", "正", "安", "博", "航", "帆", "湾", "洋"};
static const char *const brand2[] = {"韵", "湾", "航", "帆", "辰", "海", "风", "运", "方", "世",
                                     "庭", "龙", "珠", "丰", "通", "和", "禾", "图", "涛", "河",
                                     "澜", "鸥", "港", "旋", "程", "曦", "达", "源", "瀚", "信",
                                     "汇", "峰", "盛", "泽", "远", "宇", "晟", "洲", "浪", "悦"};
/* A third character for three brands in four: with two only, the 1,600 brands (× 16 trades)
 * would make every name of a large generated base recur some forty times, city after city, where
 * a real base of a million customers has nearly as many names. */
static const char *const brand3[] = {"达", "通", "泰", "兴", "昌", "源", "发", "隆", "丰", "利",
                                     "成", "德", "信", "祥", "瑞", "和", "美", "星", "光", "宝",
                                     "鑫", "鼎", "晖", "力", "创", "邦", "诚", "卓", "越", "舟",
                                     "峰", "汇", "嘉", "华", "顺", "仁", "杰", "亿", "锐", "翔"};
static const char *const trades[] = {"游艇俱乐部", "船舶租赁", "海洋科技",   "文旅发展",
                                     "投资控股",   "国际贸易", "房地产开发", "酒店管理",
                                     "游艇销售",   "水上运动", "旅游开发",   "实业",
                                     "码头运营",   "船务",     "游艇服务",   "度假村"};
static const char *const suffixes[] = {"有限公司", "股份有限公司", "有限责任公司", "集团有限公司"};
static const char *const roads[] = {
    "滨海大道", "海景路", "望海路",   "港湾大道", "中山路", "人民路", "建设路", "解放路",
    "新华路",   "金融街", "科技园路", "长江路",   "黄河路", "海滨路", "游艇路", "观澜路"};
static const char *const surnames[] = {
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马",   "朱",
    "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩",   "冯",
    "邓", "曹", "彭", "曾", "萧", "田", "董", "潘", "袁", "蔡", "蒋", "余", "欧阳", "司马"};
static const char *const given[] = {"伟",   "芳",   "娜",   "敏",   "静",   "丽",   "强",   "磊",
                                    "军",   "洋",   "勇",   "艳",   "杰",   "娟",   "涛",   "明",
                                    "超",   "秀英", "霞",   "平",   "刚",   "桂英", "建华", "志强",
                                    "海燕", "晓东", "文博", "思远", "子轩", "雨涵", "浩然", "梓萱",
                                    "国庆", "建国", "海峰", "凯",   "婷",   "鹏",   "琳",   "晨"};
static const char *const positions[] = {"总经理",   "董事长",   "副总经理", "采购经理",
                                        "财务总监", "行政主管", "市场总监", "技术总监",
                                        "船长",     "运营总监", "项目经理", "办公室主任"};
static const char *const departments[] = {"总经办", "采购部", "财务部", "市场部",
                                          "运营部", "技术部", "行政部"};
static const char *const industries[] = {
    "leasing_business", "real_estate",   "accommodation_catering",
    "culture_sports",   "manufacturing", "wholesale_retail",
    "transport",        "finance"};
static const char *const levels[] = {"a", "b", "b", "c", "c", "c", "d", "d"};
static const char *const categories[] = {"enterprise",  "enterprise", "individual",
                                         "club_marina", "charter",    "government"};
static const char *const sources[] = {"boat_show", "website",     "referral",     "phone",
                                      "dealer",    "advertising", "social_media", "existing"};
static const char *const forms[] = {"limited", "llc", "joint_stock", "joint_venture",
                                    "sole_proprietor"};

/* A valid unified social credit code, unique per index: 91 + region + 9 digits + check. */
static void uscc(char out[19], const char *gb_code, long index)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	static const int weights[17] = {1,  3,  9,  27, 19, 26, 16, 17, 20,
	                                29, 25, 13, 8,  24, 10, 30, 28};
	char buf[32];
	snprintf(buf, sizeof buf, "91%.6s%09ld", gb_code, index % 1000000000L);
	int sum = 0;
	for (int i = 0; i < 17; i++)
		sum += (int)(strchr(alphabet, buf[i]) - alphabet) * weights[i];
	int check = 31 - sum % 31;
	memcpy(out, buf, 17);
	out[17] = alphabet[check == 31 ? 0 : check];
	out[18] = '\0';
}

static void mobile(uint64_t *s, char out[16])
{
	static const char *const prefixes[] = {"138", "139", "136", "137", "135", "150",
	                                       "151", "152", "158", "159", "186", "187",
	                                       "188", "133", "177", "199"};
	snprintf(out, 16, "%s%08llu", PICK(s, prefixes), (unsigned long long)(next(s) % 100000000));
}

static void landline(uint64_t *s, const struct city *c, char out[24])
{
	/* Local numbers have eight digits nearly everywhere now, never starting with 0 or 1. */
	snprintf(out, 24, "%s-%llu", c->area_code, 20000000ULL + next(s) % 80000000ULL);
}

static void person_name(uint64_t *s, struct str *out)
{
	str_adds(out, PICK(s, surnames));
	str_adds(out, PICK(s, given));
}

static void cell(struct str *row, const char *v, bool first)
{
	if (!first)
		str_addc(row, ',');
	csv_add_cell(row, v, strlen(v), false);
}

static void customer_row(struct str *row, uint64_t *s, long i)
{
	const struct city *c = &PICK(s, cities);
	struct str name = STR_INIT, addr = STR_INIT, rep = STR_INIT;
	str_addf(&name, "%s%s%s", strcmp(c->city, c->province) ? c->city : c->province,
	         PICK(s, brand1), PICK(s, brand2));
	if (pick(s, 4))
		str_adds(&name, PICK(s, brand3));
	str_addf(&name, "%s%s", PICK(s, trades), PICK(s, suffixes));
	/* Drop the 市 of the city in the name, as companies do: 深圳海韵… */
	char *shi = strstr(name.buf, "市");
	if (shi && shi - name.buf <= 9)
		memmove(shi, shi + 3, strlen(shi + 3) + 1), name.len -= 3;
	const char *district = c->districts[pick(s, 3)];
	str_addf(&addr, "%s%s%s%s%zu号", c->province, strcmp(c->city, c->province) ? c->city : "",
	         district, PICK(s, roads), pick(s, 999) + 1);
	person_name(s, &rep);
	char tax[19], phone[24], fax[24], rep_mobile[16], capital[32], staff[16];
	uscc(tax, c->gb_code, i);
	landline(s, c, phone);
	landline(s, c, fax);
	mobile(s, rep_mobile);
	snprintf(capital, sizeof capital, "%llu.00",
	         (unsigned long long)((pick(s, 500) + 1) * 1000000ULL));
	snprintf(staff, sizeof staff, "%zu", pick(s, 2000) + 5);
	char email[64], web[64];
	/* The company's own domain, for its site and its mail. */
	snprintf(email, sizeof email, "contact%ld@example-%ld.cn", i, i);
	snprintf(web, sizeof web, "https://www.example-%ld.cn", i);
	cell(row, name.buf, true);
	cell(row, addr.buf, false);
	cell(row, c->province, false);
	cell(row, c->city, false);
	cell(row, district, false);
	cell(row, c->postcode, false);
	cell(row, phone, false);
	cell(row, fax, false);
	cell(row, web, false);
	cell(row, email, false);
	cell(row, tax, false);
	cell(row, PICK(s, industries), false);
	cell(row, PICK(s, levels), false);
	cell(row, PICK(s, categories), false);
	cell(row, pick(s, 5) == 0 ? "dealer" : "end_user", false);
	cell(row, c->region, false);
	cell(row, PICK(s, sources), false);
	cell(row, PICK(s, forms), false);
	cell(row, capital, false);
	cell(row, staff, false);
	cell(row, rep.buf, false);
	cell(row, rep_mobile, false);
	str_add(row, "\r\n", 2);
	str_release(&name);
	str_release(&addr);
	str_release(&rep);
}

static const char customer_header[] =
    "name,address,province,city,district,postcode,phone,fax,website,email,tax_id,industry,"
    "level,category,customer_type,region,source,form_of_business,registered_capital,"
    "staff_total,legal_rep_name,legal_rep_phone\r\n";

static void contact_row(struct str *row, uint64_t *s, long i, int64_t customer_id)
{
	struct str name = STR_INIT;
	person_name(s, &name);
	const struct city *c = &PICK(s, cities);
	char mob[16], office[24], email[64], cid[24], birthday[16];
	mobile(s, mob);
	landline(s, c, office);
	snprintf(email, sizeof email, "person%ld@example-%lld.cn", i, (long long)customer_id);
	snprintf(cid, sizeof cid, "%lld", (long long)customer_id);
	snprintf(birthday, sizeof birthday, "%04zu-%02zu-%02zu", 1960 + pick(s, 40),
	         pick(s, 12) + 1, pick(s, 28) + 1);
	cell(row, name.buf, true);
	cell(row, cid, false);
	cell(row, pick(s, 3) ? "male" : "female", false);
	cell(row, PICK(s, positions), false);
	cell(row, PICK(s, departments), false);
	cell(row, mob, false);
	cell(row, office, false);
	cell(row, email, false);
	cell(row, birthday, false);
	cell(row,
	     pick(s, 4) == 0 ? "person_in_charge"
	     : pick(s, 2)    ? "key_person"
	                     : "other",
	     false);
	str_add(row, "\r\n", 2);
	str_release(&name);
}

static const char contact_header[] =
    "name,customer_id,gender,position,department,mobile,office_phone,email,birthday,"
    "contact_role\r\n";

int demo_generate_csv_ids(FILE *out, const char *entity, long n, long first, uint64_t seed,
                          const int64_t *ids, size_t n_ids)
{
	if (strcmp(entity, "opportunities") == 0)
		return demo_generate_opportunities(out, n, first, seed);
	bool customers = strcmp(entity, "customers") == 0;
	/* The state is the seed hashed: seed × step would make seed 8's sequence seed 7's one draw
	 * on, and its rows soon the same rows. */
	uint64_t s = seed * 2 + (customers ? 1 : 2);
	s = next(&s);
	struct str row = STR_INIT;
	fputs(customers ? customer_header : contact_header, out);
	for (long i = first; i < first + n; i++) {
		if (customers) {
			customer_row(&row, &s, i);
		} else {
			int64_t cid = ids ? ids[pick(&s, n_ids)]
			                  : (int64_t)(pick(&s, (size_t)(n / 2 + 1)) + 1);
			contact_row(&row, &s, i, cid);
		}
		if (row.len > 1 << 16 || i == first + n - 1) {
			if (fwrite(row.buf, 1, row.len, out) != row.len)
				return -1;
			str_reset(&row);
		}
	}
	str_release(&row);
	return fflush(out) ? -1 : 0;
}

int demo_generate_csv(FILE *out, const char *entity, long n, long first, uint64_t seed)
{
	return demo_generate_csv_ids(out, entity, n, first, seed, NULL, 0);
}

int demo_import_fd(struct db *db, const char *entity, int fd)
{
	lseek(fd, 0, SEEK_SET);
	struct registry *reg = registry_acquire();
	struct import_options o = {.max_bytes = SIZE_MAX};
	struct str out = STR_INIT;
	int status = import_run(db, reg, entity, fd, &o, 1, "demo", &out);
	if (status != 200)
		log_error("demo %s did not load: %s", entity, out.buf);
	str_release(&out);
	registry_release(reg);
	return status == 200 ? 0 : -1;
}

/* Import generated CSV through the ordinary import path (validation, audit, counts). */
static int import_generated(struct db *db, const char *entity, long n, const int64_t *ids,
                            size_t n_ids, int64_t *created)
{
	int fd = memfd_create("demo", 0);
	if (fd < 0)
		return -1;
	FILE *f = fdopen(dup(fd), "w");
	if (!f) {
		close(fd);
		return -1;
	}
	demo_generate_csv_ids(f, entity, n, 1, 7, ids, n_ids);
	fclose(f);
	int rc = demo_import_fd(db, entity, fd);
	*created = n;
	close(fd);
	return rc;
}

/*
 * Each demo customer's organisation chart (docs/DECISIONS.md, Contact networks): its people in
 * charge at the top, everyone else reporting to the first of them; decision roles, influence
 * and attitudes by the contact's role, varied by id. Within one customer and loop-free, as the
 * engine's rules want; written like the owners, straight into the rows.
 */
static int demo_org_charts(struct db *db, const int64_t *customer_ids, size_t n)
{
	static const char sql[] =
	    "UPDATE contacts SET "
	    "decision_role = CASE contact_role WHEN 'person_in_charge' THEN 'decision_maker' "
	    "WHEN 'key_person' THEN (CASE id % 3 WHEN 0 THEN 'influencer' WHEN 1 THEN 'evaluator' "
	    "ELSE 'champion' END) ELSE (CASE id % 2 WHEN 0 THEN 'user' ELSE 'gatekeeper' END) END, "
	    "influence_level = CASE contact_role WHEN 'person_in_charge' THEN 'high' "
	    "WHEN 'key_person' THEN 'medium' ELSE 'low' END, "
	    "attitude = CASE id % 3 WHEN 0 THEN 'supportive' WHEN 1 THEN 'neutral' "
	    "ELSE 'opposed' END, "
	    "reports_to_id = CASE WHEN contact_role = 'person_in_charge' THEN NULL ELSE "
	    "(SELECT min(c.id) FROM contacts c WHERE c.customer_id = contacts.customer_id "
	    "AND c.contact_role = 'person_in_charge' AND c.deleted_at IS NULL) END "
	    "WHERE customer_id = ?";
	int rc = db_begin(db);
	for (size_t i = 0; i < n && !rc; i++) {
		char id[24];
		snprintf(id, sizeof id, "%lld", (long long)customer_ids[i]);
		rc = db_run(db, sql, 1, (const char *[]){id});
	}
	return rc ? (db_rollback(db), rc) : db_commit(db);
}

int demo_load(struct db *db, const char *data_dir, bool verbose)
{
	if (demo_people(db, data_dir, verbose))
		return -1;
	int64_t loaded = 0;
	db_query_int(db, "SELECT value FROM sys_meta WHERE key = 'demo_loaded'", 0, NULL, &loaded);
	if (loaded) {
		if (verbose)
			printf("the demo data is loaded already\n");
		return 0;
	}
	int64_t made = 0;
	long n_customers = 120, n_buyers = 0;
	const long n_contacts = 360;
	if (import_generated(db, "customers", n_customers, NULL, 0, &made) ||
	    demo_buyers(db, &n_buyers))
		return -1;
	n_customers += n_buyers;
	/* Contacts refer to the customers just made, whatever their ids. */
	int64_t *ids = xcalloc((size_t)n_customers, sizeof *ids);
	size_t n_ids = 0;
	struct db_stmt *st;
	char sql[96];
	snprintf(sql, sizeof sql, "SELECT id FROM customers ORDER BY id DESC LIMIT %ld",
	         n_customers);
	if (db_prepare(db, sql, &st) == DB_OK) {
		while (db_step(st) == DB_ROW && n_ids < (size_t)n_customers)
			ids[n_ids++] = db_column_int(st, 0);
		db_reset(st);
	}
	int rc = n_ids ? import_generated(db, "contacts", n_contacts, ids, n_ids, &made) : -1;
	if (!rc)
		rc = demo_assign_owners(db, ids, n_ids);
	if (!rc)
		rc = demo_org_charts(db, ids, n_ids);
	if (!rc)
		rc = demo_tasks(db, ids, n_ids);
	if (!rc)
		rc = demo_activities(db, ids, n_ids);
	if (!rc)
		rc = demo_opportunities(db, ids, n_ids);
	if (!rc)
		rc = demo_leads(db);
	if (!rc)
		rc = demo_sales_work(db);
	if (!rc)
		rc = demo_pool(db, ids, n_ids);
	free(ids);
	if (rc)
		return -1;
	if (db_run(db, "INSERT INTO sys_meta (key, value) VALUES ('demo_loaded', 1)", 0, NULL))
		return -1;
	log_info("demo data loaded: %ld customers, %ld contacts, their follow-ups, tasks, "
	         "opportunities, leads and the sales force's plans, reports and visits",
	         n_customers, n_contacts);
	if (verbose)
		printf("demo data loaded: %ld customers, %ld contacts, their follow-ups, tasks, "
		       "opportunities, leads and the sales force's plans, reports and visits\n",
		       n_customers, n_contacts);
	return 0;
}
