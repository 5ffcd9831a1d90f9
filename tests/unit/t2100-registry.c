/* meta/registry: the shipped schemas load, hold what REQUIREMENTS.md asks, and bad definitions
 * fail. */
#include "unit.h"
#include "unit_registry.h"

#include "core/log.h"
#include "core/util.h"
#include "db/db.h"
#include "db/migrate.h"
#include "meta/registry.h"

#include <jansson.h>

static struct registry *reg;

static int setup(void **state)
{
	(void)state;
	if (!(reg = unit_registry()))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	registry_free(reg);
	return 0;
}

static const struct entity *ent(const char *name)
{
	const struct entity *e = registry_entity(reg, name);
	if (!e)
		fail_msg("entity %s missing", name);
	return e;
}

static void test_entities(void **state)
{
	(void)state;
	assert_true(reg->n_entities >= 2);
	const struct entity *c = ent("customers"), *k = ent("contacts");
	assert_null(registry_entity(reg, "nosuch"));
	assert_string_equal(c->label.text[LANG_ZH], "客户");
	assert_string_equal(c->label.text[LANG_EN], "Customer");
	assert_string_equal(c->title_field, "name");
	assert_true(c->owned);
	assert_true(c->searchable);
	assert_true(k->owned);
	assert_true(k->searchable);
	assert_string_equal(c->default_sort, "-updated_at");
	/* Every entity's fields: positions in order, lookup sorted, system columns present. */
	for (size_t i = 0; i < reg->n_entities; i++) {
		const struct entity *e = &reg->entities[i];
		assert_true(e->n_fields > 0);
		assert_string_equal(e->fields[0].name, "id");
		for (size_t f = 0; f < e->n_fields; f++) {
			assert_int_equal(e->fields[f].position, f);
			assert_ptr_equal(entity_field(e, e->fields[f].name), &e->fields[f]);
		}
		for (size_t f = 1; f < e->n_fields; f++)
			assert_true(strcmp(e->by_name[f - 1]->name, e->by_name[f]->name) < 0);
		static const char *const sys[] = {"id",         "created_at",   "created_by",
		                                  "updated_at", "updated_by",   "version",
		                                  "deleted_at", "search_tokens"};
		for (size_t s = 0; s < sizeof sys / sizeof sys[0]; s++) {
			const struct field *f = entity_field(e, sys[s]);
			if (!f)
				fail_msg("%s lacks system column %s", e->name, sys[s]);
			assert_true(f->flags & FF_SYSTEM);
		}
		const struct field *st = entity_field(e, "search_tokens");
		assert_true(st->flags & FF_INTERNAL);
		assert_false(field_visible(st));
		assert_false(field_writable(entity_field(e, "id")));
		assert_false(field_writable(entity_field(e, "created_at")));
		if (e->owned) {
			assert_non_null(entity_field(e, "owner_id"));
			assert_non_null(entity_field(e, "org_unit_id"));
		}
	}
	/* entity_field_n looks at exactly n bytes. */
	assert_ptr_equal(entity_field_n(c, "name__like", 4), entity_field(c, "name"));
	assert_null(entity_field_n(c, "nam", 3));
	assert_null(entity_field(c, ""));
	assert_null(entity_field(c, "Name"));
}

static void expect_fields(const struct entity *e, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		EXPECT(entity_field(e, names[i]) != NULL, "%s has no field %s", e->name, names[i]);
}

static void test_required_fields(void **state)
{
	(void)state;
	const struct entity *c = ent("customers"), *k = ent("contacts");
	/* The fields the issue names. */
	static const char *const cust[] = {"name",     "address", "postcode", "phone",
	                                   "fax",      "website", "email",    "tax_id",
	                                   "industry", "level",   "category", "owner_id"};
	expect_fields(c, cust, sizeof cust / sizeof cust[0]);
	static const char *const cont[] = {"name",         "customer_id", "mobile",
	                                   "office_phone", "email",       "birthday"};
	expect_fields(k, cont, sizeof cont / sizeof cont[0]);
	/* REQUIREMENTS.md C-3, C-4 and C-5 in full. */
	static const char *const c3[] = {"legal_rep_name",
	                                 "legal_rep_gender",
	                                 "legal_rep_ethnicity",
	                                 "legal_rep_birthday",
	                                 "legal_rep_birthplace",
	                                 "legal_rep_native_place",
	                                 "legal_rep_registered_on",
	                                 "legal_rep_phone",
	                                 "legal_rep_home_address",
	                                 "legal_rep_email",
	                                 "superior_authority",
	                                 "qualification",
	                                 "form_of_business",
	                                 "staff_male",
	                                 "staff_female",
	                                 "staff_total",
	                                 "staff_senior_titles",
	                                 "staff_intermediate_titles",
	                                 "sales_contract_status",
	                                 "peer_position",
	                                 "peer_evaluation",
	                                 "strategy_current",
	                                 "plan_1y",
	                                 "plan_3y",
	                                 "plan_long_term",
	                                 "main_rivals",
	                                 "competition_situation",
	                                 "counter_measures",
	                                 "partners_condition",
	                                 "partners_strength",
	                                 "bank_name",
	                                 "bank_account",
	                                 "bank_credit",
	                                 "registered_capital",
	                                 "founded_on",
	                                 "funding_status",
	                                 "capital",
	                                 "taxpayer_type",
	                                 "books",
	                                 "funds_credit_summary",
	                                 "peer_credit_evaluation",
	                                 "payment_attitude",
	                                 "business_license_no",
	                                 "customer_type",
	                                 "region",
	                                 "source"};
	expect_fields(c, c3, sizeof c3 / sizeof c3[0]);
	/* CT-3 and CT-4. */
	static const char *const ct3[] = {"gender",
	                                  "ethnicity",
	                                  "birthplace",
	                                  "native_place",
	                                  "home_address",
	                                  "personality",
	                                  "temperament",
	                                  "marital_status",
	                                  "interests",
	                                  "honours",
	                                  "position",
	                                  "education",
	                                  "major",
	                                  "previous_jobs",
	                                  "background",
	                                  "verbal_expression",
	                                  "thinking_style",
	                                  "drinking",
	                                  "smoking",
	                                  "other_habits",
	                                  "strengths",
	                                  "weaknesses",
	                                  "specialities",
	                                  "business_familiarity",
	                                  "recent_decisions",
	                                  "influence",
	                                  "role_in_org",
	                                  "fax",
	                                  "sequence",
	                                  "department"};
	expect_fields(k, ct3, sizeof ct3 / sizeof ct3[0]);

	/* Types and flags that the rest of the system relies on. */
	const struct field *f;
	f = entity_field(c, "name");
	EXPECT(f && f->type == FT_TEXT && (f->flags & FF_REQUIRED) && (f->flags & FF_SEARCHABLE),
	       "customers.name: required searchable text");
	f = entity_field(c, "phone");
	EXPECT(f && f->type == FT_PHONE, "customers.phone is a phone");
	f = entity_field(c, "fax");
	EXPECT(f && f->type == FT_PHONE, "customers.fax is a phone");
	f = entity_field(c, "website");
	EXPECT(f && f->type == FT_URL, "customers.website is a URL");
	f = entity_field(c, "email");
	EXPECT(f && f->type == FT_EMAIL, "customers.email is an email");
	f = entity_field(c, "postcode");
	EXPECT(f && f->type == FT_TEXT && f->format == TF_POSTCODE, "customers.postcode format");
	f = entity_field(c, "tax_id");
	EXPECT(f && f->type == FT_TEXT && f->format == TF_USCC && (f->flags & FF_UNIQUE),
	       "customers.tax_id: unique USCC");
	f = entity_field(c, "owner_id");
	EXPECT(f && f->type == FT_USER && field_writable(f), "customers.owner_id: assignable user");
	f = entity_field(c, "registered_capital");
	EXPECT(f && f->type == FT_MONEY, "registered_capital is money");
	f = entity_field(c, "level");
	EXPECT(f && f->type == FT_ENUM && f->n_options >= 2, "level is an enum");
	f = entity_field(k, "customer_id");
	EXPECT(f && f->type == FT_REFERENCE && f->ref == c && (f->flags & FF_REQUIRED),
	       "contacts.customer_id: required reference to customers");
	f = entity_field(k, "mobile");
	EXPECT(f && f->type == FT_PHONE, "contacts.mobile is a phone");
	f = entity_field(k, "office_phone");
	EXPECT(f && f->type == FT_PHONE, "contacts.office_phone is a phone");
	f = entity_field(k, "birthday");
	EXPECT(f && f->type == FT_DATE && (f->flags & FF_SENSITIVE),
	       "contacts.birthday: sensitive date");
	EXPECT_ALL();
}

static void test_labels(void **state)
{
	(void)state;
	for (size_t i = 0; i < reg->n_entities; i++) {
		const struct entity *e = &reg->entities[i];
		for (int l = 0; l < LANG__MAX; l++) {
			EXPECT(e->label.text[l] && *e->label.text[l], "%s: label %s", e->name,
			       lang_tags[l]);
			EXPECT(e->label_plural.text[l] && *e->label_plural.text[l],
			       "%s: plural label %s", e->name, lang_tags[l]);
		}
		for (size_t s = 0; s < e->n_sections; s++)
			for (int l = 0; l < LANG__MAX; l++)
				EXPECT(e->sections[s].label.text[l] &&
				           *e->sections[s].label.text[l],
				       "%s section %s: label %s", e->name, e->sections[s].key,
				       lang_tags[l]);
		for (size_t k = 0; k < e->n_fields; k++) {
			const struct field *f = &e->fields[k];
			for (int l = 0; l < LANG__MAX; l++)
				EXPECT(f->label.text[l] && *f->label.text[l], "%s.%s: label %s",
				       e->name, f->name, lang_tags[l]);
			/* The section a field names exists. */
			if (f->section) {
				bool found = false;
				for (size_t s = 0; s < e->n_sections; s++)
					found |= strcmp(e->sections[s].key, f->section) == 0;
				EXPECT(found, "%s.%s: section %s does not exist", e->name, f->name,
				       f->section);
			}
			for (size_t o = 0; o < f->n_options; o++) {
				const struct option *op = &f->options[o];
				for (int l = 0; l < LANG__MAX; l++)
					EXPECT(op->label.text[l] && *op->label.text[l],
					       "%s.%s option %s: label %s", e->name, f->name,
					       op->key, lang_tags[l]);
				EXPECT(!op->disabled,
				       "%s.%s option %s disabled in the shipped schema", e->name,
				       f->name, op->key);
				EXPECT(field_option(f, op->key, strlen(op->key)) == op,
				       "%s.%s: field_option(%s)", e->name, f->name, op->key);
			}
			/* Options of one field have distinct labels (CSV import maps labels). */
			for (size_t o = 0; o < f->n_options; o++)
				for (size_t p = 0; p < o; p++)
					for (int l = 0; l < LANG__MAX; l++)
						EXPECT(
						    strcmp(f->options[o].label.text[l],
						           f->options[p].label.text[l]) != 0,
						    "%s.%s: options %s and %s share the label %s",
						    e->name, f->name, f->options[o].key,
						    f->options[p].key, f->options[o].label.text[l]);
		}
	}
	EXPECT_ALL();
}

/* Option lists exactly as REQUIREMENTS.md C-3, C-4 and CT-3 give them (zh-CN labels, in order). */
static void expect_options(const char *entity, const char *field, const char *const *labels)
{
	const struct field *f = entity_field(ent(entity), field);
	EXPECT(f != NULL && (f->type == FT_ENUM || f->type == FT_MULTIENUM), "%s.%s: not an enum",
	       entity, field);
	if (!f)
		return;
	size_t n = 0;
	while (labels[n])
		n++;
	EXPECT(f->n_options == n, "%s.%s: %zu options, want %zu", entity, field, f->n_options, n);
	for (size_t i = 0; i < n && i < f->n_options; i++)
		EXPECT_STR(f->options[i].label.text[LANG_ZH], labels[i], field);
}

#define OPTIONS(entity, field, ...)                                  \
	do {                                                         \
		static const char *const l_[] = {__VA_ARGS__, NULL}; \
		expect_options((entity), (field), l_);               \
	} while (0)

static void test_spec_options(void **state)
{
	(void)state;
	/* C-3 */
	OPTIONS("customers", "form_of_business", "股份公司", "个人经营", "有限公司", "有限责任公司",
	        "合资公司");
	OPTIONS("customers", "sales_contract_status", "已签订", "正在签订", "尚未签订");
	OPTIONS("customers", "peer_position", "领先", "居中", "末流");
	OPTIONS("customers", "peer_evaluation", "很好", "好", "普通", "差", "很差");
	OPTIONS("customers", "legal_rep_gender", "男", "女");
	/* C-4 */
	OPTIONS("customers", "bank_credit", "很好", "好", "一般", "差", "很差");
	OPTIONS("customers", "funding_status", "充足", "一般", "不足", "紧张");
	OPTIONS("customers", "taxpayer_type", "一般", "普通");
	OPTIONS("customers", "books", "完备", "不完备");
	OPTIONS("customers", "payment_attitude", "爽快", "一般", "迟缓", "为难", "嗜欠耗款");
	const struct field *pce = entity_field(ent("customers"), "peer_credit_evaluation");
	EXPECT(pce && pce->n_options == 5, "peer credit evaluation has 5 levels");
	/* C-5 */
	const struct field *ct = entity_field(ent("customers"), "customer_type");
	EXPECT(ct && field_option(ct, "dealer", 6) && field_option(ct, "end_user", 8),
	       "customer_type: dealer and end user");
	/* CT-3 */
	OPTIONS("contacts", "gender", "男", "女");
	OPTIONS("contacts", "personality", "温柔", "开朗", "古怪", "自大");
	OPTIONS("contacts", "temperament", "稳重", "寡言", "急躁", "饶舌");
	OPTIONS("contacts", "marital_status", "已婚", "未婚", "离婚");
	OPTIONS("contacts", "education", "研究生", "大学", "大专", "中专", "高中", "初中以下");
	OPTIONS("contacts", "verbal_expression", "能说", "一般", "口拙");
	OPTIONS("contacts", "thinking_style", "稳健", "保守", "激进");
	OPTIONS("contacts", "drinking", "量大", "一般", "不喝");
	OPTIONS("contacts", "smoking", "抽", "不抽");
	OPTIONS("contacts", "business_familiarity", "熟悉", "一般", "不熟悉");
	/* Ethnicity: the 56 recognised ethnic groups, plus other/foreign origin. */
	const struct field *eth = entity_field(ent("contacts"), "ethnicity");
	EXPECT(eth && eth->n_options >= 56, "ethnicity has the 56 groups");
	EXPECT(eth && eth->n_options > 0 &&
	           strcmp(eth->options[0].label.text[LANG_ZH], "汉族") == 0,
	       "ethnicity starts with 汉族");
	EXPECT_ALL();
}

static void test_relations_sort(void **state)
{
	(void)state;
	const struct entity *c = ent("customers"), *k = ent("contacts");
	const struct relation *rel = entity_relation(c, "contacts");
	assert_non_null(rel);
	assert_ptr_equal(rel->child, k);
	assert_ptr_equal(rel->via, entity_field(k, "customer_id"));
	assert_null(entity_relation(c, "nosuch"));
	assert_null(entity_relation(k, "customers")); /* not the other way round */

	static const struct {
		const char *entity, *field;
		bool sortable;
	} cases[] = {
	    {"customers", "id", true},
	    {"customers", "name", true}, /* indexed */
	    {"customers", "updated_at", true},
	    {"customers", "created_at", true},
	    {"customers", "owner_id", true},
	    {"customers", "phone", true},    /* indexed */
	    {"customers", "tax_id", true},   /* unique */
	    {"customers", "address", false}, /* no index */
	    {"customers", "remarks", false}, /* long text */
	    {"customers", "search_tokens", false},
	    {"contacts", "customer_id", true}, /* references are indexed */
	    {"contacts", "birthday", false},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct field *f = entity_field(ent(cases[i].entity), cases[i].field);
		EXPECT(f != NULL, "%s.%s missing", cases[i].entity, cases[i].field);
		if (f)
			EXPECT(field_sortable(f) == cases[i].sortable, "field_sortable(%s.%s) = %d",
			       cases[i].entity, cases[i].field, field_sortable(f));
	}
	/* Type names both ways. */
	for (int t = 0; t < FT__MAX; t++)
		EXPECT(field_type_parse(field_type_names[t]) == t, "type %s", field_type_names[t]);
	EXPECT(field_type_parse("blob") == -1, "unknown type");
	EXPECT(field_type_parse("") == -1, "empty type");
	/* Every index column is a field, and default sorts are sortable. */
	for (size_t i = 0; i < reg->n_entities; i++) {
		const struct entity *e = &reg->entities[i];
		for (size_t x = 0; x < e->n_indexes; x++)
			for (size_t col = 0; col < e->indexes[x].n_columns; col++)
				EXPECT(entity_field(e, e->indexes[x].columns[col]) != NULL,
				       "%s index column %s", e->name, e->indexes[x].columns[col]);
	}
	EXPECT_ALL();
}

/* registry_parse_field on a definition given as JSON text. */
static int parse(const char *def, struct field *f, char *err, size_t errlen)
{
	json_error_t je;
	json_t *j = json_loads(def, 0, &je);
	if (!j)
		fail_msg("test definition is not JSON: %s (%s)", def, je.text);
	struct arena a;
	arena_init(&a, 0);
	err[0] = '\0';
	int rc = registry_parse_field(&a, j, f, err, errlen);
	json_decref(j);
	arena_release(&a); /* f points into the arena: only rc and err are used after this */
	return rc;
}

#define LBL "\"label\":{\"zh-CN\":\"名\",\"en\":\"N\"}"

static void test_parse_field(void **state)
{
	(void)state;
	static const struct {
		const char *def;
		const char *mention; /* NULL: must parse; else the error must contain this */
	} cases[] = {
	    {"{\"name\":\"nick\",\"type\":\"text\"," LBL "}", NULL},
	    {"{\"name\":\"a1_b2\",\"type\":\"int\"," LBL ",\"min\":0,\"max\":9}", NULL},
	    {"{\"name\":\"d\",\"type\":\"decimal\"," LBL ",\"scale\":6}", NULL},
	    {"{\"name\":\"e\",\"type\":\"enum\"," LBL
	     ",\"options\":[{\"key\":\"x\",\"label\":{\"zh-CN\":\"甲\",\"en\":\"X\"}}]}",
	     NULL},
	    {"{\"name\":\"r\",\"type\":\"reference\"," LBL ",\"ref\":\"customers\"}", NULL},
	    {"{\"name\":\"s\",\"type\":\"email\"," LBL ",\"searchable\":true}", NULL},
	    /* unknown type */
	    {"{\"name\":\"x\",\"type\":\"blob\"," LBL "}", "blob"},
	    {"{\"name\":\"x\"," LBL "}", "type"},
	    /* bad names */
	    {"{\"name\":\"Name\",\"type\":\"text\"," LBL "}", "Name"},
	    {"{\"name\":\"a__b\",\"type\":\"text\"," LBL "}", "a__b"},
	    {"{\"name\":\"1abc\",\"type\":\"text\"," LBL "}", "1abc"},
	    {"{\"name\":\"_a\",\"type\":\"text\"," LBL "}", "_a"},
	    {"{\"name\":\"a-b\",\"type\":\"text\"," LBL "}", "a-b"},
	    {"{\"name\":\"\",\"type\":\"text\"," LBL "}", "name"},
	    {"{\"type\":\"text\"," LBL "}", "missing"},
	    {"{\"name\":\"a_very_long_field_name_that_goes_on_and_on_past_sixty_chars_x\","
	     "\"type\":\"text\"," LBL "}",
	     "a_very_long"},
	    /* enum without options */
	    {"{\"name\":\"e\",\"type\":\"enum\"," LBL "}", "options"},
	    {"{\"name\":\"e\",\"type\":\"enum\"," LBL ",\"options\":[]}", "options"},
	    {"{\"name\":\"e\",\"type\":\"multienum\"," LBL ",\"options\":[{\"key\":\"A\"}]}",
	     "key"},
	    {"{\"name\":\"e\",\"type\":\"enum\"," LBL
	     ",\"options\":[{\"key\":\"x\",\"label\":{\"en\":\"X\"}},{\"key\":\"x\",\"label\":{\"en\":"
	     "\"Y\"}}]}",
	     "twice"},
	    /* searchable is for text-like fields */
	    {"{\"name\":\"n\",\"type\":\"int\"," LBL ",\"searchable\":true}", "searchable"},
	    {"{\"name\":\"n\",\"type\":\"date\"," LBL ",\"searchable\":true}", "searchable"},
	    /* a sensitive field's content must not be findable by search */
	    {"{\"name\":\"n\",\"type\":\"text\"," LBL ",\"searchable\":true,\"sensitive\":true}",
	     "sensitive"},
	    {"{\"name\":\"n\",\"type\":\"text\"," LBL ",\"indexed\":true,\"sensitive\":true}",
	     "sensitive"},
	    {"{\"name\":\"n\",\"type\":\"text\"," LBL ",\"unique\":true,\"sensitive\":true}",
	     "sensitive"},
	    /* unknown keys */
	    {"{\"name\":\"x\",\"type\":\"text\"," LBL ",\"colour\":\"red\"}", "colour"},
	    {"{\"type\":\"text\"," LBL ",\"colour\":\"red\"}", "colour"},
	    /* labels need both languages */
	    {"{\"name\":\"x\",\"type\":\"text\",\"label\":{\"zh-CN\":\"名\"}}", "label"},
	    {"{\"name\":\"x\",\"type\":\"text\",\"label\":{\"en\":\"N\"}}", "label"},
	    {"{\"name\":\"x\",\"type\":\"text\"}", "label"},
	    {"{\"name\":\"x\",\"type\":\"text\",\"label\":\"名\"}", "label"},
	    {"{\"name\":\"x\",\"type\":\"text\",\"label\":{\"zh-CN\":\"名\",\"en\":\"N\",\"fr\":\"F\"}}",
	     "fr"},
	    /* other inconsistencies */
	    {"{\"name\":\"x\",\"type\":\"longtext\"," LBL ",\"indexed\":true}", "indexed"},
	    {"{\"name\":\"x\",\"type\":\"multienum\"," LBL
	     ",\"unique\":true,\"options\":[{\"key\":\"a\",\"label\":{\"en\":\"A\"}}]}",
	     "indexed"},
	    {"{\"name\":\"x\",\"type\":\"text\"," LBL ",\"scale\":2}", "scale"},
	    {"{\"name\":\"x\",\"type\":\"decimal\"," LBL ",\"scale\":7}", "scale"},
	    {"{\"name\":\"x\",\"type\":\"email\"," LBL ",\"format\":\"postcode\"}", "postcode"},
	    {"{\"name\":\"x\",\"type\":\"text\"," LBL ",\"format\":\"zip\"}", "zip"},
	    {"{\"name\":\"x\",\"type\":\"reference\"," LBL "}", "ref"},
	    {"{\"name\":\"x\",\"type\":\"text\"," LBL ",\"ref\":\"customers\"}", "ref"},
	    {"{\"name\":\"x\",\"type\":\"text\"," LBL ",\"options\":[]}", "options"},
	    {"{\"name\":\"x\",\"type\":\"text\"," LBL ",\"required\":\"yes\"}", "required"},
	    {"{\"name\":\"x\",\"type\":\"text\"," LBL ",\"max_length\":0}", "max_length"},
	    {"{\"name\":\"x\",\"type\":\"text\"," LBL ",\"max_length\":100001}", "max_length"},
	    {"{\"name\":\"x\",\"type\":\"int\"," LBL ",\"min\":\"0\"}", "min"},
	    {"{\"name\":\"x\",\"type\":\"int\"," LBL ",\"max\":1.5}", "max"},
	    {"[]", "object"},
	    /* the rules of references */
	    {"{\"name\":\"r\",\"type\":\"reference\"," LBL
	     ",\"ref\":\"contacts\",\"same\":\"customer_id\",\"acyclic\":true}",
	     NULL},
	    {"{\"name\":\"x\",\"type\":\"text\"," LBL ",\"same\":\"customer_id\"}", "references"},
	    {"{\"name\":\"x\",\"type\":\"user\"," LBL ",\"acyclic\":true}", "references"},
	    {"{\"name\":\"x\",\"type\":\"int\"," LBL ",\"acyclic\":false}", "references"},
	    {"{\"name\":\"r\",\"type\":\"reference\"," LBL ",\"ref\":\"contacts\",\"same\":1}",
	     "same"},
	    {"{\"name\":\"r\",\"type\":\"reference\"," LBL
	     ",\"ref\":\"contacts\",\"same\":\"Customer\"}",
	     "same"},
	    {"{\"name\":\"r\",\"type\":\"reference\"," LBL ",\"ref\":\"contacts\",\"same\":\"r\"}",
	     "same"},
	    {"{\"name\":\"r\",\"type\":\"reference\"," LBL
	     ",\"ref\":\"contacts\",\"acyclic\":\"yes\"}",
	     "acyclic"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct field f;
		char err[256];
		int rc = parse(cases[i].def, &f, err, sizeof err);
		if (!cases[i].mention) {
			EXPECT(rc == 0, "%s: refused: %s", cases[i].def, err);
		} else {
			EXPECT(rc == -1, "%s: accepted", cases[i].def);
			EXPECT(rc != -1 || (err[0] && strstr(err, cases[i].mention)),
			       "%s: message [%s] does not mention [%s]", cases[i].def, err,
			       cases[i].mention);
		}
	}
	EXPECT_ALL();
}

static void test_parse_field_values(void **state)
{
	(void)state;
	json_t *j = json_loads(
	    "{\"name\":\"grade\",\"type\":\"enum\",\"label\":{\"zh-CN\":\"等级\",\"en\":\"Grade\"},"
	    "\"help\":{\"en\":\"How good\"},\"section\":\"basic\",\"required\":true,"
	    "\"indexed\":true,\"read_only\":true,\"default\":\"b\",\"options\":["
	    "{\"key\":\"a\",\"label\":{\"zh-CN\":\"优\",\"en\":\"A\"}},"
	    "{\"key\":\"b-2\",\"label\":{\"zh-CN\":\"良\",\"en\":\"B\"},\"disabled\":true}]}",
	    0, NULL);
	assert_non_null(j);
	struct arena a;
	arena_init(&a, 0);
	struct field f;
	char err[256] = "";
	assert_int_equal(registry_parse_field(&a, j, &f, err, sizeof err), 0);
	assert_string_equal(f.name, "grade");
	assert_int_equal(f.type, FT_ENUM);
	assert_string_equal(f.label.text[LANG_ZH], "等级");
	assert_string_equal(f.label.text[LANG_EN], "Grade");
	assert_string_equal(f.help.text[LANG_EN], "How good");
	assert_null(f.help.text[LANG_ZH]);
	assert_string_equal(f.section, "basic");
	assert_int_equal(f.flags, FF_REQUIRED | FF_INDEXED | FF_READONLY);
	assert_string_equal(f.default_value, "\"b\"");
	assert_int_equal(f.n_options, 2);
	assert_string_equal(f.options[1].key, "b-2");
	assert_true(f.options[1].disabled);
	assert_false(f.options[0].disabled);
	json_decref(j);

	/* A decimal without a scale gets 2; limits are kept. */
	j = json_loads("{\"name\":\"rate\",\"type\":\"decimal\",\"label\":{\"zh-CN\":\"率\",\"en\":"
	               "\"Rate\"},\"min\":-5,\"max\":500}",
	               0, NULL);
	assert_int_equal(registry_parse_field(&a, j, &f, err, sizeof err), 0);
	assert_int_equal(f.scale, 2);
	assert_true(f.has_min && f.has_max);
	assert_int_equal(f.min, -5);
	assert_int_equal(f.max, 500);
	json_decref(j);
	arena_release(&a);
}

/* The shipped organisation chart: a contact reports to a contact of its own customer, never in
 * a loop; relations of a person to a contact are an entity of their own (CT-5, CT-6). */
static void test_networks(void **state)
{
	(void)state;
	const struct entity *k = ent("contacts"), *rel = ent("contact_relations");
	const struct field *up = entity_field(k, "reports_to_id");
	EXPECT(up && up->type == FT_REFERENCE && up->ref == k, "contacts.reports_to_id → contacts");
	EXPECT(up && up->same == entity_field(k, "customer_id") && up->acyclic,
	       "reports_to_id: same customer_id, acyclic");
	EXPECT(up && str_eq(up->section, "work"), "reports_to_id in the work section");
	OPTIONS("contacts", "decision_role", "决策者", "影响者", "评估者", "使用者", "把关者",
	        "支持者/内线");
	OPTIONS("contacts", "influence_level", "高", "中", "低");
	OPTIONS("contacts", "attitude", "支持", "中立", "反对");
	OPTIONS("contact_relations", "relation", "上级", "助理/秘书", "汇报对象", "上级公司负责人",
	        "最有影响力的人", "配偶", "子女", "父母", "其他亲属");
	const struct field *f = entity_field(rel, "contact_id");
	EXPECT(f && f->ref == k && (f->flags & FF_REQUIRED), "contact_id: required contact");
	f = entity_field(rel, "related_contact_id");
	EXPECT(f && f->ref == k && !(f->flags & FF_REQUIRED) && !f->same && !f->acyclic,
	       "related_contact_id: optional contact, any customer's");
	f = entity_field(rel, "name");
	EXPECT(f && (f->flags & FF_REQUIRED), "name is required (the form fills it in)");
	static const char *const personal[] = {"ethnicity",    "birthday",     "birthplace",
	                                       "native_place", "home_address", "phone",
	                                       "school",       "health"};
	for (size_t i = 0; i < sizeof personal / sizeof personal[0]; i++) {
		f = entity_field(rel, personal[i]);
		EXPECT(f && (f->flags & FF_SENSITIVE), "contact_relations.%s is sensitive",
		       personal[i]);
	}
	static const char *const plain[] = {"name",     "relation", "position",
	                                    "employer", "hobbies",  "influence_reason"};
	for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++) {
		f = entity_field(rel, plain[i]);
		EXPECT(f && !(f->flags & FF_SENSITIVE), "contact_relations.%s is not sensitive",
		       plain[i]);
	}
	const struct field *eth = entity_field(rel, "ethnicity");
	EXPECT(eth && eth->n_options == entity_field(k, "ethnicity")->n_options,
	       "ethnicity: the options of contacts");
	/* Two lists of relations on a contact, told apart by the field; the reports keep the
	 * plain name. */
	const struct relation *by = entity_relation(k, "contact_relations"),
	                      *to = entity_relation(k, "contact_relations__related_contact_id"),
	                      *reports = entity_relation(k, "contacts");
	EXPECT(by && by->via == entity_field(rel, "contact_id"), "contacts/contact_relations");
	EXPECT(to && to->via == entity_field(rel, "related_contact_id"), "the related contact's");
	EXPECT(by && str_eq(by->label.text[LANG_ZH], "关系人"), "plain label");
	EXPECT(to && str_eq(to->label.text[LANG_ZH], "关系人（关联联系人）"),
	       "label with the field");
	EXPECT(reports && reports->via == up &&
	           str_eq(reports->label.text[LANG_EN], "Contacts (Reports to)"),
	       "a list of the entity's own records says by which field");
	EXPECT_ALL();
}

/* A model built from the shipped schemas plus one more entity: NULL with *err when refused. */
static struct registry *build_with(const char *entity_json, char **err)
{
	char *dir = unit_tmpdir();
	char path[600];
	snprintf(path, sizeof path, "%s/t_rules.json", dir);
	unit_write_file(path, entity_json, strlen(entity_json));
	char *derr = NULL;
	assert_int_equal(registry_add_schema_dir(dir, &derr), 0);
	*err = NULL;
	struct registry *r = registry_build(NULL, err);
	registry_drop_schema_dir();
	unit_rmtree(dir);
	free(dir);
	return r;
}

#define RULES_ENTITY(fields)                                                                       \
	"{\"entity\":\"t_rules\",\"label\":{\"zh-CN\":\"规则\",\"en\":\"Rule\"},"                \
	"\"label_plural\":{\"zh-CN\":\"规则\",\"en\":\"Rules\"},\"area\":\"sales\",\"fields\":[" \
	"{\"name\":\"customer_id\",\"type\":\"reference\",\"ref\":\"customers\"," LBL "},"         \
	"{\"name\":\"note\",\"type\":\"text\"," LBL "}," fields "]}"

/* Rules that cannot mean anything are refused when the model is built. */
static void test_reference_rules(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		const char *mention; /* NULL: the model builds */
	} cases[] = {
	    /* a chain of t_rules, within one customer */
	    {RULES_ENTITY("{\"name\":\"up\",\"type\":\"reference\",\"ref\":\"t_rules\","
	                  "\"same\":\"customer_id\",\"acyclic\":true," LBL "}"),
	     NULL},
	    /* a contact of the same customer as the record */
	    {RULES_ENTITY("{\"name\":\"who\",\"type\":\"reference\",\"ref\":\"contacts\","
	                  "\"same\":\"customer_id\"," LBL "}"),
	     NULL},
	    /* acyclic on a reference to another entity */
	    {RULES_ENTITY("{\"name\":\"who\",\"type\":\"reference\",\"ref\":\"contacts\","
	                  "\"acyclic\":true," LBL "}"),
	     "acyclic"},
	    /* same naming a field the record's entity lacks */
	    {RULES_ENTITY("{\"name\":\"who\",\"type\":\"reference\",\"ref\":\"contacts\","
	                  "\"same\":\"owner_thing\"," LBL "}"),
	     "owner_thing"},
	    /* same naming a field that is no reference */
	    {RULES_ENTITY("{\"name\":\"up\",\"type\":\"reference\",\"ref\":\"t_rules\","
	                  "\"same\":\"note\"," LBL "}"),
	     "note"},
	    /* same naming a field the target lacks (customers have no customer_id) */
	    {RULES_ENTITY("{\"name\":\"cust\",\"type\":\"reference\",\"ref\":\"customers\","
	                  "\"same\":\"customer_id\"," LBL "}"),
	     "customers lacks"},
	    /* same naming references to two different entities (tasks.contact_id → contacts) */
	    {RULES_ENTITY(
	         "{\"name\":\"contact_id\",\"type\":\"reference\",\"ref\":\"customers\"," LBL
	         "},{\"name\":\"task\",\"type\":\"reference\",\"ref\":\"tasks\","
	         "\"same\":\"contact_id\"," LBL "}"),
	     "reference to customers"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *err = NULL;
		struct registry *r = build_with(cases[i].json, &err);
		if (!cases[i].mention) {
			EXPECT(r != NULL, "case %zu refused: %s", i, err ? err : "");
			const struct entity *e = r ? registry_entity(r, "t_rules") : NULL;
			const struct field *f = e ? entity_field(e, i == 0 ? "up" : "who") : NULL;
			EXPECT(f && f->same == entity_field(e, "customer_id"), "case %zu: resolved",
			       i);
		} else {
			EXPECT(r == NULL, "case %zu accepted", i);
			EXPECT(!r && err && strstr(err, cases[i].mention),
			       "case %zu: message [%s] does not mention [%s]", i, err ? err : "",
			       cases[i].mention);
		}
		registry_free(r);
		free(err);
	}
	EXPECT_ALL();
}

/* Administrators' additions from the database overlay the schema files. */
static void test_overlays(void **state)
{
	(void)state;
	struct db_options o = {.kind = DB_SQLITE, .target = ":memory:", .timeout_ms = 5000};
	struct db *db;
	char *err = NULL;
	assert_int_equal(db_open(&o, &db, &err), DB_OK);
	assert_int_equal(migrate_core(db), DB_OK);
	assert_int_equal(
	    db_exec(
	        db,
	        "UPDATE sys_meta SET value = 7 WHERE key = 'meta_version';"
	        "INSERT INTO meta_custom_fields (entity, name, definition, position, created_at, "
	        "updated_at, deleted_at) VALUES "
	        "('customers', 'c_berth', '{\"name\":\"c_berth\",\"type\":\"text\",\"label\":"
	        "{\"zh-CN\":\"泊位\",\"en\":\"Berth\"},\"indexed\":true}', 1, 'x', 'x', NULL),"
	        "('customers', 'c_old', '{\"name\":\"c_old\",\"type\":\"int\",\"label\":"
	        "{\"zh-CN\":\"旧\",\"en\":\"Old\"}}', 2, 'x', 'x', 'x'),"
	        "('customers', 'c_bad', 'not json', 3, 'x', 'x', NULL),"
	        "('customers', 'c_bad2', '{\"name\":\"c_bad2\",\"type\":\"blob\"}', 4, 'x', "
	        "'x', NULL),"
	        "('nosuch', 'c_x', '{\"name\":\"c_x\",\"type\":\"text\",\"label\":{\"zh-CN\":"
	        "\"x\",\"en\":\"x\"}}', 5, 'x', 'x', NULL),"
	        "('contacts', 'c_boss', '{\"name\":\"c_boss\",\"type\":\"reference\","
	        "\"ref\":\"contacts\",\"label\":{\"zh-CN\":\"上级\",\"en\":\"Boss\"}}', 6, "
	        "'x', 'x', NULL);"
	        "INSERT INTO meta_options (entity, field, options, updated_at) VALUES "
	        "('customers', 'level', '[{\"key\":\"vip\",\"label\":{\"zh-CN\":\"贵宾\","
	        "\"en\":\"VIP\"}},{\"key\":\"a\",\"label\":{\"zh-CN\":\"A\",\"en\":\"A\"},"
	        "\"disabled\":true}]', 'x'),"
	        "('customers', 'name', '[{\"key\":\"x\"}]', 'x'),"
	        "('customers', 'region', 'broken', 'x');"),
	    DB_OK);
	struct registry *r = registry_build(db, &err);
	if (!r)
		fail_msg("registry_build with overlays: %s", err);
	assert_int_equal(r->version, 7);
	const struct entity *c = registry_entity(r, "customers");
	const struct field *f = entity_field(c, "c_berth");
	assert_non_null(f);
	assert_true(f->flags & FF_CUSTOM);
	assert_true(f->flags & FF_INDEXED);
	assert_string_equal(f->section, "custom");
	assert_true(field_visible(f));
	assert_true(field_sortable(f));
	/* Custom fields come after the schema's fields and before the system columns. */
	assert_true(f->position > entity_field(c, "tax_id")->position);
	assert_true(f->position < entity_field(c, "created_at")->position);
	const struct field *old = entity_field(c, "c_old");
	assert_non_null(old);
	assert_true(old->flags & FF_REMOVED);
	assert_false(field_visible(old));
	assert_false(field_writable(old));
	assert_false(field_sortable(old));
	/* Broken rows are skipped, not fatal. */
	assert_null(entity_field(c, "c_bad"));
	assert_null(entity_field(c, "c_bad2"));
	/* The option list overlay replaces the shipped one. */
	const struct field *lv = entity_field(c, "level");
	assert_int_equal(lv->n_options, 2);
	assert_string_equal(lv->options[0].key, "vip");
	assert_string_equal(lv->options[0].label.text[LANG_ZH], "贵宾");
	assert_true(lv->options[1].disabled);
	/* Overlays on fields that are not enums, or that do not parse, are ignored. */
	assert_int_equal(entity_field(c, "name")->n_options, 0);
	assert_int_equal(entity_field(c, "region")->n_options, 9);
	/* A custom reference to its own entity gives a relation, after the built-in one
	 * (reports_to_id), which keeps the plain name. */
	const struct entity *k = registry_entity(r, "contacts");
	const struct field *boss = entity_field(k, "c_boss");
	assert_non_null(boss);
	assert_ptr_equal(boss->ref, k);
	const struct relation *rel = entity_relation(k, "contacts__c_boss");
	assert_non_null(rel);
	assert_ptr_equal(rel->via, boss);
	assert_string_equal(rel->label.text[LANG_EN], "Contacts (Boss)");
	assert_ptr_equal(entity_relation(k, "contacts")->via, entity_field(k, "reports_to_id"));

	/* The current registry: install, acquire and release count references. */
	registry_install(r);
	struct registry *cur = registry_acquire();
	assert_ptr_equal(cur, r);
	registry_release(cur);
	struct registry *r2 = registry_build(db, &err);
	assert_non_null(r2);
	registry_install(r2); /* frees r: nobody holds it */
	cur = registry_acquire();
	assert_ptr_equal(cur, r2);
	/* Never back in time: an older model (version 0, the schemas alone) is dropped. */
	registry_install(registry_build(NULL, &err));
	struct registry *still = registry_acquire();
	assert_ptr_equal(still, r2);
	registry_release(still);
	/* A holder keeps its registry alive across a swap. */
	struct registry *r3 = registry_build(db, &err);
	registry_install(r3);
	assert_non_null(registry_entity(cur, "customers")); /* still valid (ASan would see) */
	registry_release(cur);                              /* last reference: freed now */
	registry_install(NULL);
	assert_null(registry_acquire());
	db_close(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_entities),
	    UNIT_TEST(test_required_fields),
	    UNIT_TEST(test_labels),
	    UNIT_TEST(test_spec_options),
	    UNIT_TEST(test_relations_sort),
	    UNIT_TEST(test_parse_field),
	    UNIT_TEST(test_parse_field_values),
	    UNIT_TEST(test_overlays),
	    UNIT_TEST(test_networks),
	    UNIT_TEST(test_reference_rules),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
