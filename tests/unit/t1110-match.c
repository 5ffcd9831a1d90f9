/* match/: the forms customers are compared in, with the variants people write, and how alike
 * two of them are. */
#include "unit.h"

#include "core/util.h"
#include "match/keys.h"
#include "match/normalize.h"
#include "match/similarity.h"

typedef bool (*normalizer)(struct str *out, const char *s);

/* Every case of one normaliser: want NULL means "no key". */
static void check(const char *what, normalizer fn, const char *const (*cases)[2], size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct str out = STR_INIT;
		bool ok = fn(&out, cases[i][0]);
		const char *got = ok ? (out.buf ? out.buf : "") : NULL;
		EXPECT(cases[i][1] ? got && !strcmp(got, cases[i][1]) : !got,
		       "%s(%s): want %s, got %s", what, cases[i][0],
		       cases[i][1] ? cases[i][1] : "(none)", got ? got : "(none)");
		str_release(&out);
	}
}

static void test_names(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"海韵游艇有限公司", "海韵游艇"},
	    {"深圳市海韵游艇有限公司", "海韵游艇"},
	    {"广东省深圳市海韵游艇股份有限公司", "海韵游艇"},
	    {"广东深圳海韵游艇有限责任公司", "海韵游艇"},
	    {"海韵游艇（深圳）有限公司", "海韵游艇"},
	    {"海韵游艇(深圳)有限公司", "海韵游艇"},
	    {"【深圳】海韵游艇有限公司", "海韵游艇"},
	    {"海韻遊艇有限公司", "海韵游艇"}, /* traditional */
	    {"海韵 游艇 有限公司", "海韵游艇"},
	    {"ＳＨＥＮＺＨＥＮ　ＨＡＩＹＵＮ", "shenzhenhaiyun"}, /* full-width */
	    {"海韵集团有限公司", "海韵"},
	    {"海韵集团", "海韵"},
	    {"上海海韵游艇俱乐部", "海韵游艇俱乐部"},
	    {"广西壮族自治区北海市蓝湾游艇公司", "蓝湾游艇"},
	    {"Haiyun Yachts Co., Ltd.", "haiyunyachts"},
	    {"HAIYUN YACHTS LIMITED", "haiyunyachts"},
	    {"Costco", "costco"},         /* "co" only as a word */
	    {"Group", "group"},           /* never the whole name */
	    {"深圳市有限公司", "深圳市"}, /* a place and a legal form: the place */
	    {"有限公司", "有限"},         /* nothing but a legal form: a key all the same */
	    {"", NULL},
	    {"（）", NULL},
	    {"-- ", NULL},
	};
	check("match_name", match_name, cases, sizeof cases / sizeof *cases);
	EXPECT_ALL();
}

static void test_addresses(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"广东省深圳市南山区蛇口望海路 1 号", "南山区蛇口望海路1号"},
	    {"深圳南山区蛇口望海路1号（游艇会内）", "南山区蛇口望海路1号"},
	    {"南山区蛇口望海路１号", "南山区蛇口望海路1号"},
	    {"", NULL},
	};
	check("match_address", match_address, cases, sizeof cases / sizeof *cases);
	EXPECT_ALL();
}

static void test_phones(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"13812345678", "+8613812345678"},
	    {"138 1234 5678", "+8613812345678"},
	    {"+86 138-1234-5678", "+8613812345678"},
	    {"0086 13812345678", "+8613812345678"},
	    {"8613812345678", "+8613812345678"},
	    {"0755-12345678", "+8675512345678"},
	    {"(0755) 1234 5678", "+8675512345678"},
	    {"+86 755 1234 5678", "+8675512345678"},
	    {"0755-12345678 转 8001", "+8675512345678"},
	    {"0755-12345678-ext123", "+8675512345678"},
	    {"12345", NULL},
	    {"无", NULL},
	};
	check("match_phone", match_phone, cases, sizeof cases / sizeof *cases);
	EXPECT_ALL();
}

static void test_internet(void **state)
{
	(void)state;
	static const char *const emails[][2] = {
	    {" Sales@HaiYun.com.cn ", "sales@haiyun.com.cn"},
	    {"no-at-sign", NULL},
	    {"@haiyun.com", NULL},
	};
	check("match_email", match_email, emails, sizeof emails / sizeof *emails);
	static const char *const domains[][2] = {
	    {"https://www.haiyun.com.cn/about", "haiyun.com.cn"},
	    {"http://shop.haiyun.com.cn:8080", "haiyun.com.cn"},
	    {"WWW.HAIYUN-YACHTS.COM", "haiyun-yachts.com"},
	    {"sales@haiyun.com.cn", "haiyun.com.cn"},
	    {"boss@mail.haiyun.co.uk", "haiyun.co.uk"},
	    {"zhang@qq.com", NULL}, /* anyone's */
	    {"li@163.com", NULL},
	    {"localhost", NULL},
	    {"https://", NULL},
	};
	check("match_domain", match_domain, domains, sizeof domains / sizeof *domains);
	static const char *const taxes[][2] = {
	    {"91440300MA5F 1234-5X", "91440300MA5F12345X"},
	    {"91440300ma5f12345x", "91440300MA5F12345X"},
	    {"440301123456789", "440301123456789"},
	    {"12345", NULL},
	};
	check("match_tax_id", match_tax_id, taxes, sizeof taxes / sizeof *taxes);
	EXPECT_ALL();
}

static double sim(const char *a, const char *b)
{
	return match_similarity(a, strlen(a), b, strlen(b));
}

static void test_similarity(void **state)
{
	(void)state;
	assert_true(sim("海韵游艇", "海韵游艇") == 1.0);
	/* A character of the same sound typed for another (the pinyin input method's slip): a
	 * quarter of an edit, 1 - 0.25/4. */
	assert_true(sim("海韵游艇", "海运游艇") > 0.93 && sim("海韵游艇", "海运游艇") < 0.94);
	assert_true(sim("东方明珠", "东方明株") > 0.93);
	/* Another character, another sound: a whole edit, 1 - 1/4. */
	assert_true(sim("蓝海游艇", "蓝洋游艇") > 0.74 && sim("蓝海游艇", "蓝洋游艇") < 0.76);
	/* A character with several readings matches on any: 行 (xing, hang) for 航 (hang). */
	assert_true(sim("远洋行", "远洋航") > 0.9);
	/* Words moved about: the bigrams forgive it. */
	assert_true(sim("蓝湾国际游艇", "国际蓝湾游艇") > 0.55);
	/* Unrelated names sharing the trade: low. */
	assert_true(sim("海韵游艇", "蓝海游艇") <= 0.5);
	assert_true(sim("haiyunyachts", "haiyunyacht") > 0.9);
	assert_true(sim("a", "a") == 1.0);
	assert_true(sim("a", "b") == 0.0);
	assert_true(sim("", "海韵") == 0.0);
	/* Symmetric. */
	assert_true(sim("蓝湾游艇俱乐部", "蓝湾游艇") == sim("蓝湾游艇", "蓝湾游艇俱乐部"));
	/* Long text is cut, not overrun. */
	char long_a[1024], long_b[1024];
	memset(long_a, 'x', sizeof long_a - 1);
	long_a[sizeof long_a - 1] = '\0';
	memcpy(long_b, long_a, sizeof long_b);
	long_b[0] = 'y';
	assert_true(sim(long_a, long_b) > 0.98);
}

/* A key's code: the entity's number and the kind in its top bits, stable, within 47 bits. */
static void test_codes(void **state)
{
	(void)state;
	const struct match_fields *customers =
	    match_fields_of(&(struct entity){.name = "customers"});
	const struct match_fields *contacts = match_fields_of(&(struct entity){.name = "contacts"});
	assert_non_null(customers);
	assert_non_null(contacts);
	assert_null(match_fields_of(&(struct entity){.name = "tasks"}));
	int64_t a = match_key_code(customers, MK_PHONE, "+8675512345678", 14);
	assert_true(a == match_key_code(customers, MK_PHONE, "+8675512345678", 14));
	assert_true(a != match_key_code(customers, MK_PHONE, "+8675512345679", 14));
	/* The same text is another key in another kind or entity. */
	assert_true(a != match_key_code(customers, MK_EMAIL, "+8675512345678", 14));
	assert_true(a != match_key_code(contacts, MK_PHONE, "+8675512345678", 14));
	static const enum match_kind kinds[] = {MK_TAX,  MK_PHONE, MK_EMAIL,  MK_DOMAIN,
	                                        MK_NAME, MK_GRAM,  MK_ADDRESS};
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		int64_t c = match_key_code(contacts, kinds[i], "海韵", strlen("海韵"));
		assert_int_equal(match_code_kind(c), kinds[i]);
		assert_int_equal(c >> 44, 2); /* contacts' number: stored codes depend on it */
		assert_true(c > 0 && c < (1LL << 47)); /* six bytes in a SQLite record */
	}
	/* A record's keys carry their codes. */
	struct match_keyset ks = {0};
	match_name_grams(customers, "海韵游艇", strlen("海韵游艇"), &ks);
	assert_int_equal(ks.n, 3);
	for (size_t i = 0; i < ks.n; i++) {
		assert_int_equal(ks.keys[i].kind, MK_GRAM);
		assert_true(ks.keys[i].code == match_key_code(customers, MK_GRAM, ks.keys[i].key,
		                                              strlen(ks.keys[i].key)));
	}
	match_keyset_free(&ks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_names),    UNIT_TEST(test_addresses),  UNIT_TEST(test_phones),
	    UNIT_TEST(test_internet), UNIT_TEST(test_similarity), UNIT_TEST(test_codes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
