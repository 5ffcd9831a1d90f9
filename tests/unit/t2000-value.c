/* meta/value: every way a field value comes in (JSON, filter, CSV) and goes out (JSON, text, SQL).
 */
#include "unit.h"

#include "core/log.h"
#include "db/db.h"
#include "meta/value.h"

#include <jansson.h>

static struct option opts[] = {
    {.key = "a", .label = {.text = {"甲", "Alpha"}}},
    {.key = "b", .label = {.text = {"乙", "Beta"}}},
    {.key = "c", .label = {.text = {"丙", "Gamma"}}, .disabled = true},
};

static struct field f_text = {.name = "t", .type = FT_TEXT, .max_length = 5};
static struct field f_text_dflt = {.name = "td", .type = FT_TEXT};
static struct field f_long = {.name = "l", .type = FT_LONGTEXT};
static struct field f_int = {
    .name = "i", .type = FT_INT, .has_min = true, .min = 0, .has_max = true, .max = 100};
static struct field f_int_free = {.name = "i2", .type = FT_INT};
static struct field f_money = {.name = "m", .type = FT_MONEY, .has_min = true, .min = 0};
static struct field f_dec = {.name = "d", .type = FT_DECIMAL, .scale = 2};
static struct field f_dec0 = {.name = "d0", .type = FT_DECIMAL, .scale = 0};
static struct field f_dec3 = {.name = "d3", .type = FT_DECIMAL, .scale = 3};
static struct field f_date = {.name = "dt", .type = FT_DATE};
static struct field f_datetime = {.name = "ts", .type = FT_DATETIME};
static struct field f_bool = {.name = "b", .type = FT_BOOL};
static struct field f_enum = {.name = "e", .type = FT_ENUM, .options = opts, .n_options = 3};
static struct field f_multi = {.name = "me", .type = FT_MULTIENUM, .options = opts, .n_options = 3};
static struct field f_ref = {.name = "r", .type = FT_REFERENCE, .ref_name = "customers"};
static struct field f_user = {.name = "u", .type = FT_USER};
static struct field f_email = {.name = "em", .type = FT_EMAIL};
static struct field f_phone = {.name = "ph", .type = FT_PHONE};
static struct field f_url = {.name = "url", .type = FT_URL};
static struct field f_post = {.name = "pc", .type = FT_TEXT, .format = TF_POSTCODE};
static struct field f_uscc = {.name = "tax", .type = FT_TEXT, .format = TF_USCC};

static struct arena A;

static int setup(void **state)
{
	(void)state;
	arena_init(&A, 0);
	log_threshold = LOG_ERROR;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	arena_release(&A);
	return 0;
}

/* One case: input, and either the value's JSON form or the error code (and one parameter). */
struct jcase {
	const struct field *f;
	const char *in;
	const char *want;  /* value_to_json of the result; NULL when an error is expected */
	const char *code;  /* expected error code */
	const char *param; /* "name=value" expected among the error's parameters, or NULL */
};

static bool has_param(const struct verr *e, const char *nv)
{
	const char *eq = strchr(nv, '=');
	for (int i = 0; i + 1 < 5 && e->params[i]; i += 2)
		if (strlen(e->params[i]) == (size_t)(eq - nv) &&
		    memcmp(e->params[i], nv, (size_t)(eq - nv)) == 0 && e->params[i + 1] &&
		    strcmp(e->params[i + 1], eq + 1) == 0)
			return true;
	return false;
}

static void check_result(const char *what, const struct field *f, int rc, const struct value *v,
                         const struct verr *e, const char *want, const char *code,
                         const char *param)
{
	if (want) {
		EXPECT(rc == 0, "%s: refused with %s, want %s", what, rc ? e->code : "", want);
		if (rc == 0) {
			struct str out = STR_INIT;
			value_to_json(&out, f, v);
			EXPECT_STR(out.buf, want, what);
			str_release(&out);
		}
	} else {
		struct str out = STR_INIT;
		if (rc == 0)
			value_to_json(&out, f, v);
		EXPECT(rc == -1, "%s: accepted as %s, want error %s", what, out.buf, code);
		str_release(&out);
		if (rc == -1) {
			EXPECT_STR(e->code, code, what);
			if (param)
				EXPECT(has_param(e, param), "%s: error %s lacks parameter %s", what,
				       e->code, param);
		}
	}
}

static void run_json(const struct jcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_error_t je;
		json_t *j = json_loads(c[i].in, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
		if (!j)
			fail_msg("test input %s is not JSON: %s", c[i].in, je.text);
		struct value v;
		struct verr e = {0};
		int rc = value_from_json(&A, c[i].f, j, &v, &e);
		json_decref(j); /* text must have been copied */
		char what[160];
		snprintf(what, sizeof what, "%s from JSON %s", c[i].f->name, c[i].in);
		check_result(what, c[i].f, rc, &v, &e, c[i].want, c[i].code, c[i].param);
	}
}

#define RUN_JSON(cases) run_json(cases, sizeof cases / sizeof cases[0])

static void test_json_text(void **state)
{
	(void)state;
	static const struct jcase cases[] = {
	    {&f_text, "\"  hello  \"", "\"hello\"", NULL, NULL},
	    {&f_text, "\"\\t hi \\n\"", "\"hi\"", NULL, NULL},
	    {&f_text, "\"海韵游艇船\"", "\"海韵游艇船\"", NULL, NULL}, /* 5 code points */
	    {&f_text, "\"海韵游艇船长\"", NULL, "too_long", "max=5"},
	    {&f_text, "\"abcde\"", "\"abcde\"", NULL, NULL},
	    {&f_text, "\"abcdef\"", NULL, "too_long", "max=5"},
	    {&f_text, "\"\"", "null", NULL, NULL},
	    {&f_text, "\"   \"", "null", NULL, NULL},
	    {&f_text, "null", "null", NULL, NULL},
	    /* ideographic spaces (U+3000) are trimmed too */
	    {&f_text, "\"\u3000海韵\u3000\"", "\"海韵\"", NULL, NULL},
	    {&f_text, "\"\u3000\u3000\"", "null", NULL, NULL},
	    /* control characters: refused in text */
	    {&f_text, "\"a\\u0001b\"", NULL, "invalid_value", NULL},
	    {&f_text, "\"a\\nb\"", NULL, "invalid_value", NULL},
	    {&f_text, "\"a\\u007fb\"", NULL, "invalid_value", NULL},
	    {&f_text, "\"a\\u0000b\"", NULL, "invalid_value", NULL},
	    {&f_text, "5", NULL, "invalid_type", "expected=string"},
	    {&f_text, "true", NULL, "invalid_type", NULL},
	    {&f_text, "[\"a\"]", NULL, "invalid_type", NULL},
	    /* long text keeps inner line breaks and tabs */
	    {&f_long, "\"line1\\nline2\"", "\"line1\\nline2\"", NULL, NULL},
	    {&f_long, "\"a\\tb\\r\\nc\"", "\"a\\tb\\r\\nc\"", NULL, NULL},
	    {&f_long, "\"\\n\\nabc\\n\"", "\"abc\"", NULL, NULL},
	    {&f_long, "\"a\\u0007b\"", NULL, "invalid_value", NULL},
	    {&f_long, "\"a\\u0000b\"", NULL, "invalid_value", NULL},
	    /* formats */
	    {&f_email, "\" User@Example.COM \"", "\"User@example.com\"", NULL, NULL},
	    {&f_email, "\"bad\"", NULL, "invalid_email", NULL},
	    {&f_phone, "\"+86 138 1234 5678\"", "\"13812345678\"", NULL, NULL},
	    {&f_phone, "\"12345\"", NULL, "invalid_phone", NULL},
	    {&f_url, "\"www.example.com\"", "\"https://www.example.com\"", NULL, NULL},
	    {&f_url, "\"javascript:alert(1)\"", NULL, "invalid_url", NULL},
	    {&f_post, "\"518000\"", "\"518000\"", NULL, NULL},
	    {&f_post, "\"51800\"", NULL, "invalid_postcode", NULL},
	    {&f_uscc, "\"91350100m000100y43\"", "\"91350100M000100Y43\"", NULL, NULL},
	    {&f_uscc, "\"91350100M000100Y44\"", NULL, "invalid_tax_id", NULL},
	};
	RUN_JSON(cases);
	EXPECT_ALL();
}

static void test_json_text_lengths(void **state)
{
	(void)state;
	/* The default maximum of text is 255 code points, of long text 20000. */
	struct str s = STR_INIT;
	str_addc(&s, '"');
	for (int i = 0; i < 255; i++)
		str_adds(&s, "海");
	str_addc(&s, '"');
	json_t *j = json_loads(s.buf, JSON_DECODE_ANY, NULL);
	struct value v;
	struct verr e;
	EXPECT(value_from_json(&A, &f_text_dflt, j, &v, &e) == 0, "255 CJK characters refused");
	EXPECT(v.n == 255 * 3, "stored bytes %zu", v.n);
	json_decref(j);
	str_truncate(&s, s.len - 1);
	str_adds(&s, "海\"");
	j = json_loads(s.buf, JSON_DECODE_ANY, NULL);
	EXPECT(value_from_json(&A, &f_text_dflt, j, &v, &e) == -1 &&
	           strcmp(e.code, "too_long") == 0 && has_param(&e, "max=255"),
	       "256 CJK characters accepted");
	json_decref(j);
	str_reset(&s);
	str_addc(&s, '"');
	for (int i = 0; i < 20001; i++)
		str_addc(&s, 'x');
	str_addc(&s, '"');
	j = json_loads(s.buf, JSON_DECODE_ANY, NULL);
	EXPECT(value_from_json(&A, &f_long, j, &v, &e) == -1 && strcmp(e.code, "too_long") == 0,
	       "20001 characters of long text accepted");
	json_decref(j);
	str_release(&s);
	EXPECT_ALL();
}

/* Trimming removes any mix of ASCII white space and ideographic spaces at either end. */
static void test_json_text_mixed_spaces(void **state)
{
	(void)state;
	static const struct jcase cases[] = {
	    {&f_text, "\"\u3000 海韵 \u3000\"", "\"海韵\"", NULL, NULL},
	    {&f_text, "\" \u3000海韵\"", "\"海韵\"", NULL, NULL},
	    {&f_text, "\"海韵\u3000 \"", "\"海韵\"", NULL, NULL},
	};
	RUN_JSON(cases);
	EXPECT_ALL();
}

static void test_json_numbers(void **state)
{
	(void)state;
	static const struct jcase cases[] = {
	    {&f_int, "5", "5", NULL, NULL},
	    {&f_int, "0", "0", NULL, NULL},
	    {&f_int, "100", "100", NULL, NULL},
	    {&f_int, "101", NULL, "out_of_range", "max=100"},
	    {&f_int, "-1", NULL, "out_of_range", "min=0"},
	    {&f_int, "\"5\"", NULL, "invalid_integer", NULL},
	    {&f_int, "5.0", NULL, "invalid_integer", NULL},
	    {&f_int, "5.5", NULL, "invalid_integer", NULL},
	    {&f_int, "true", NULL, "invalid_integer", NULL},
	    {&f_int, "null", "null", NULL, NULL},
	    {&f_int_free, "9007199254740991", "9007199254740991", NULL, NULL},
	    {&f_int_free, "-9007199254740991", "-9007199254740991", NULL, NULL},
	    {&f_int_free, "9007199254740992", NULL, "out_of_range", "max=9007199254740991"},
	    /* money: {"amount": fen, "currency": "XXX"} or a bare integer of fen */
	    {&f_money, "{\"amount\":123450,\"currency\":\"CNY\"}",
	     "{\"amount\":123450,\"currency\":\"CNY\"}", NULL, NULL},
	    {&f_money, "{\"amount\":100,\"currency\":\"USD\"}",
	     "{\"amount\":100,\"currency\":\"USD\"}", NULL, NULL},
	    {&f_money, "{\"currency\":\"USD\",\"amount\":7}", "{\"amount\":7,\"currency\":\"USD\"}",
	     NULL, NULL},
	    {&f_money, "{\"amount\":100}", "{\"amount\":100,\"currency\":\"CNY\"}", NULL, NULL},
	    {&f_money, "{\"amount\":100,\"currency\":null}",
	     "{\"amount\":100,\"currency\":\"CNY\"}", NULL, NULL},
	    {&f_money, "100", "{\"amount\":100,\"currency\":\"CNY\"}", NULL, NULL},
	    {&f_money, "0", "{\"amount\":0,\"currency\":\"CNY\"}", NULL, NULL},
	    {&f_money, "{\"amount\":null}", "null", NULL, NULL},
	    {&f_money, "{}", "null", NULL, NULL},
	    {&f_money, "null", "null", NULL, NULL},
	    {&f_money, "{\"amount\":100,\"currency\":\"usd\"}", NULL, "invalid_money", NULL},
	    {&f_money, "{\"amount\":100,\"currency\":\"RMB1\"}", NULL, "invalid_money", NULL},
	    {&f_money, "{\"amount\":100,\"currency\":5}", NULL, "invalid_money", NULL},
	    {&f_money, "{\"amount\":\"100\"}", NULL, "invalid_money", NULL},
	    {&f_money, "{\"amount\":1.5}", NULL, "invalid_money", NULL},
	    {&f_money, "{\"amount\":100,\"extra\":1}", NULL, "invalid_money", NULL},
	    {&f_money, "\"100\"", NULL, "invalid_money", NULL},
	    {&f_money, "12.5", NULL, "invalid_money", NULL},
	    {&f_money, "-1", NULL, "out_of_range", "min=0"},
	    /* decimals: scaled integers */
	    {&f_dec, "12.34", "12.34", NULL, NULL},
	    {&f_dec, "0.1", "0.10", NULL, NULL},
	    {&f_dec, "-0.01", "-0.01", NULL, NULL},
	    {&f_dec, "7", "7.00", NULL, NULL},
	    {&f_dec, "\"7\"", "7.00", NULL, NULL},
	    {&f_dec, "\"12.3\"", "12.30", NULL, NULL},
	    {&f_dec, "\"12.340\"", "12.34", NULL, NULL},
	    {&f_dec, "\"-0.01\"", "-0.01", NULL, NULL},
	    {&f_dec, "\".5\"", "0.50", NULL, NULL},
	    {&f_dec, "12.345", NULL, "invalid_decimal", "scale=2"},
	    {&f_dec, "\"12.345\"", NULL, "invalid_decimal", "scale=2"},
	    {&f_dec, "\"abc\"", NULL, "invalid_decimal", NULL},
	    {&f_dec, "\"1e3\"", NULL, "invalid_decimal", NULL},
	    {&f_dec, "\"-\"", NULL, "invalid_decimal", NULL},
	    {&f_dec, "true", NULL, "invalid_decimal", NULL},
	    {&f_dec, "1e300", NULL, "invalid_decimal", NULL},
	    {&f_dec0, "\"7\"", "7", NULL, NULL},
	    {&f_dec0, "7.5", NULL, "invalid_decimal", "scale=0"},
	    {&f_dec3, "\"-0.001\"", "-0.001", NULL, NULL},
	};
	RUN_JSON(cases);
	EXPECT_ALL();
}

static void test_json_other(void **state)
{
	(void)state;
	static const struct jcase cases[] = {
	    {&f_bool, "true", "true", NULL, NULL},
	    {&f_bool, "false", "false", NULL, NULL},
	    {&f_bool, "null", "null", NULL, NULL},
	    {&f_bool, "\"true\"", NULL, "invalid_bool", NULL},
	    {&f_bool, "1", NULL, "invalid_bool", NULL},
	    {&f_date, "\"2024-02-29\"", "\"2024-02-29\"", NULL, NULL},
	    {&f_date, "\" 2024-02-29 \"", "\"2024-02-29\"", NULL, NULL},
	    {&f_date, "\"2023-02-29\"", NULL, "invalid_date", NULL},
	    {&f_date, "\"2024-2-29\"", NULL, "invalid_date", NULL},
	    {&f_date, "20240229", NULL, "invalid_type", "expected=string"},
	    {&f_datetime, "\"2026-11-27T09:09:16+08:00\"", "\"2026-11-27T01:09:16.000Z\"", NULL,
	     NULL},
	    {&f_datetime, "\"2026-11-27 01:09:16.123+00\"", "\"2026-11-27T01:09:16.123Z\"", NULL,
	     NULL},
	    /* JSON is RFC 3339: a plain date is not a date-time */
	    {&f_datetime, "\"2026-11-27\"", NULL, "invalid_datetime", NULL},
	    {&f_datetime, "\"2026-11-27T01:09:16\"", NULL, "invalid_datetime", NULL},
	    {&f_enum, "\"a\"", "\"a\"", NULL, NULL},
	    {&f_enum, "\" b \"", "\"b\"", NULL, NULL},
	    {&f_enum, "\"甲\"", NULL, "invalid_option", "value=甲"}, /* labels only from CSV */
	    {&f_enum, "\"Alpha\"", NULL, "invalid_option", NULL},
	    {&f_enum, "\"c\"", NULL, "invalid_option", "value=c"}, /* disabled */
	    {&f_enum, "\"x\"", NULL, "invalid_option", "value=x"},
	    {&f_enum, "\"A\"", NULL, "invalid_option", NULL},
	    {&f_enum, "1", NULL, "invalid_type", NULL},
	    {&f_enum, "\"\"", "null", NULL, NULL},
	    {&f_multi, "[\"a\",\"b\"]", "[\"a\",\"b\"]", NULL, NULL},
	    {&f_multi, "[\"b\",\"a\"]", "[\"b\",\"a\"]", NULL, NULL},
	    {&f_multi, "[\"b\",\"a\",\"b\"]", "[\"b\",\"a\"]", NULL,
	     NULL}, /* duplicates collapsed */
	    {&f_multi, "[\"a\"]", "[\"a\"]", NULL, NULL},
	    {&f_multi, "[]", "null", NULL, NULL},
	    {&f_multi, "null", "null", NULL, NULL},
	    {&f_multi, "\"a\"", NULL, "invalid_type", "expected=array"},
	    {&f_multi, "[1]", NULL, "invalid_type", "expected=string"},
	    {&f_multi, "[\"x\"]", NULL, "invalid_option", "value=x"},
	    {&f_multi, "[\"a\",\"c\"]", NULL, "invalid_option", "value=c"},
	    {&f_multi, "[\"甲\"]", NULL, "invalid_option", NULL},
	    {&f_ref, "5", "5", NULL, NULL},
	    {&f_ref, "9007199254740991", "9007199254740991", NULL, NULL},
	    {&f_ref, "0", NULL, "invalid_id", NULL},
	    {&f_ref, "-1", NULL, "invalid_id", NULL},
	    {&f_ref, "\"5\"", NULL, "invalid_id", NULL},
	    {&f_ref, "1.5", NULL, "invalid_id", NULL},
	    {&f_ref, "null", "null", NULL, NULL},
	    {&f_user, "3", "3", NULL, NULL},
	    {&f_user, "0", NULL, "invalid_id", NULL},
	};
	RUN_JSON(cases);
	EXPECT_ALL();
}

/* A multi-select with repeated keys is the set of its keys, however often one repeats. */
static void test_json_multienum_many_duplicates(void **state)
{
	(void)state;
	static const struct jcase cases[] = {
	    {&f_multi, "[\"a\",\"a\",\"a\",\"a\"]", "[\"a\"]", NULL, NULL},
	    {&f_multi, "[\"a\",\"b\",\"a\",\"b\"]", "[\"a\",\"b\"]", NULL, NULL},
	};
	RUN_JSON(cases);
	EXPECT_ALL();
}

struct tcase {
	const struct field *f;
	enum text_source src;
	const char *in;
	const char *want; /* value_to_json */
	const char *code;
};

static void run_text(const struct tcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct value v;
		struct verr e = {0};
		int rc = value_from_text(&A, c[i].f, c[i].in, strlen(c[i].in), c[i].src, &v, &e);
		char what[160];
		snprintf(what, sizeof what, "%s from %s text [%s]", c[i].f->name,
		         c[i].src == TS_CSV ? "CSV" : "filter", c[i].in);
		check_result(what, c[i].f, rc, &v, &e, c[i].want, c[i].code, NULL);
	}
}

static void test_text_sources(void **state)
{
	(void)state;
	static const struct tcase cases[] = {
	    {&f_text, TS_CSV, "  hello ", "\"hello\"", NULL},
	    {&f_text, TS_CSV, "", "null", NULL},
	    {&f_text, TS_CSV, "\xff", NULL, "invalid_utf8"},
	    {&f_long, TS_CSV, "a\nb", "\"a\\nb\"", NULL},
	    {&f_int, TS_CSV, " 42 ", "42", NULL},
	    {&f_int, TS_FILTER, "42", "42", NULL},
	    {&f_int, TS_CSV, "4x", NULL, "invalid_integer"},
	    {&f_int, TS_CSV, "4.0", NULL, "invalid_integer"},
	    {&f_int, TS_CSV, "101", NULL, "out_of_range"},
	    {&f_int, TS_CSV, "\xff", NULL, "invalid_utf8"},
	    {&f_int, TS_CSV, "  ", "null", NULL},
	    /* money from a CSV is in yuan; in a filter, whole fen */
	    {&f_money, TS_CSV, "1234.50", "{\"amount\":123450,\"currency\":\"CNY\"}", NULL},
	    {&f_money, TS_CSV, "1234.5", "{\"amount\":123450,\"currency\":\"CNY\"}", NULL},
	    {&f_money, TS_CSV, "1234", "{\"amount\":123400,\"currency\":\"CNY\"}", NULL},
	    {&f_money, TS_CSV, "0.01", "{\"amount\":1,\"currency\":\"CNY\"}", NULL},
	    {&f_money, TS_CSV, "1234.567", NULL, "invalid_money"},
	    {&f_money, TS_CSV, "¥1234", NULL, "invalid_money"},
	    {&f_money, TS_CSV, "abc", NULL, "invalid_money"},
	    {&f_money, TS_CSV, "-1", NULL, "out_of_range"},
	    {&f_money, TS_FILTER, "123450", "{\"amount\":123450,\"currency\":\"CNY\"}", NULL},
	    {&f_money, TS_FILTER, "1234.50", NULL, "invalid_money"},
	    {&f_dec, TS_CSV, "12.34", "12.34", NULL},
	    {&f_dec, TS_FILTER, "12.34", "12.34", NULL},
	    {&f_dec, TS_CSV, "12.345", NULL, "invalid_decimal"},
	    /* booleans */
	    {&f_bool, TS_CSV, "是", "true", NULL},
	    {&f_bool, TS_CSV, "否", "false", NULL},
	    {&f_bool, TS_CSV, "yes", "true", NULL},
	    {&f_bool, TS_CSV, "no", "false", NULL},
	    {&f_bool, TS_CSV, "YES", "true", NULL},
	    {&f_bool, TS_CSV, "1", "true", NULL},
	    {&f_bool, TS_CSV, "0", "false", NULL},
	    {&f_bool, TS_CSV, "TRUE", "true", NULL},
	    {&f_bool, TS_CSV, "False", "false", NULL},
	    {&f_bool, TS_CSV, " 是 ", "true", NULL},
	    {&f_bool, TS_FILTER, "true", "true", NULL},
	    {&f_bool, TS_FILTER, "0", "false", NULL},
	    {&f_bool, TS_CSV, "maybe", NULL, "invalid_bool"},
	    {&f_bool, TS_CSV, "2", NULL, "invalid_bool"},
	    /* enums: keys everywhere, labels (either language) only from CSV */
	    {&f_enum, TS_CSV, "甲", "\"a\"", NULL},
	    {&f_enum, TS_CSV, "Beta", "\"b\"", NULL},
	    {&f_enum, TS_CSV, "a", "\"a\"", NULL},
	    {&f_enum, TS_CSV, " 乙 ", "\"b\"", NULL},
	    {&f_enum, TS_CSV, "丙", NULL, "invalid_option"}, /* disabled */
	    {&f_enum, TS_CSV, "丁", NULL, "invalid_option"},
	    {&f_enum, TS_FILTER, "a", "\"a\"", NULL},
	    {&f_enum, TS_FILTER, "甲", NULL, "invalid_option"},
	    {&f_enum, TS_FILTER, "Beta", NULL, "invalid_option"},
	    {&f_multi, TS_CSV, "甲、乙", "[\"a\",\"b\"]", NULL},
	    {&f_multi, TS_CSV, "a,b", "[\"a\",\"b\"]", NULL},
	    {&f_multi, TS_CSV, "a;b", "[\"a\",\"b\"]", NULL},
	    {&f_multi, TS_CSV, "Alpha, Beta", "[\"a\",\"b\"]", NULL},
	    {&f_multi, TS_CSV, "a,,b,", "[\"a\",\"b\"]", NULL},
	    {&f_multi, TS_CSV, "乙、甲、乙", "[\"b\",\"a\"]", NULL},
	    {&f_multi, TS_CSV, "a,x", NULL, "invalid_option"},
	    {&f_multi, TS_CSV, "a,c", NULL, "invalid_option"},
	    {&f_multi, TS_FILTER, "a,b", "[\"a\",\"b\"]", NULL},
	    {&f_multi, TS_FILTER, "甲", NULL, "invalid_option"},
	    {&f_date, TS_CSV, "2024-02-29", "\"2024-02-29\"", NULL},
	    {&f_date, TS_CSV, "2024/02/29", NULL, "invalid_date"},
	    {&f_datetime, TS_CSV, "2026-11-27T09:09:16+08:00", "\"2026-11-27T01:09:16.000Z\"",
	     NULL},
	    /* spreadsheet forms: no zone means Asia/Shanghai, minutes suffice, a date is midnight
	     */
	    {&f_datetime, TS_CSV, "2026-11-27 09:09", "\"2026-11-27T01:09:00.000Z\"", NULL},
	    {&f_datetime, TS_CSV, "2026-11-27", "\"2026-11-26T16:00:00.000Z\"", NULL},
	    {&f_datetime, TS_CSV, "2026-11-27 9:09", NULL, "invalid_datetime"},
	    /* filters: a plain date is midnight UTC */
	    {&f_datetime, TS_FILTER, "2026-11-27", "\"2026-11-27T00:00:00.000Z\"", NULL},
	    {&f_ref, TS_CSV, "5", "5", NULL},
	    {&f_ref, TS_FILTER, " 5 ", "5", NULL},
	    {&f_ref, TS_CSV, "0", NULL, "invalid_id"},
	    {&f_ref, TS_CSV, "-3", NULL, "invalid_id"},
	    {&f_ref, TS_CSV, "abc", NULL, "invalid_id"},
	    {&f_ref, TS_CSV, "9007199254740992", NULL, "invalid_id"},
	    {&f_user, TS_CSV, "12", "12", NULL},
	    {&f_email, TS_CSV, "A@B.CN", "\"A@b.cn\"", NULL},
	    {&f_phone, TS_CSV, "0086 138 1234 5678", "\"13812345678\"", NULL},
	};
	run_text(cases, sizeof cases / sizeof cases[0]);
	EXPECT_ALL();
}

/* The same from a CSV cell. */
static void test_text_multienum_many_duplicates(void **state)
{
	(void)state;
	static const struct tcase cases[] = {
	    {&f_multi, TS_CSV, "a,a,a,a", "[\"a\"]", NULL},
	    {&f_multi, TS_CSV, "甲、乙、甲、乙", "[\"a\",\"b\"]", NULL},
	};
	run_text(cases, sizeof cases / sizeof cases[0]);
	EXPECT_ALL();
}

static void test_to_text(void **state)
{
	(void)state;
	static const struct {
		const struct field *f;
		struct value v;
		const char *zh, *en;
	} cases[] = {
	    {&f_bool, {.kind = V_INT, .i = 1}, "是", "yes"},
	    {&f_bool, {.kind = V_INT, .i = 0}, "否", "no"},
	    {&f_money, {.kind = V_INT, .i = 123450, .currency = "CNY"}, "1234.50", "1234.50"},
	    {&f_money, {.kind = V_INT, .i = -5}, "-0.05", "-0.05"},
	    {&f_money, {.kind = V_INT, .i = 0}, "0.00", "0.00"},
	    {&f_money, {.kind = V_INT, .i = 100}, "1.00", "1.00"},
	    {&f_dec, {.kind = V_INT, .i = 1234}, "12.34", "12.34"},
	    {&f_dec, {.kind = V_INT, .i = -1}, "-0.01", "-0.01"},
	    {&f_dec0, {.kind = V_INT, .i = 7}, "7", "7"},
	    {&f_dec3, {.kind = V_INT, .i = -1001}, "-1.001", "-1.001"},
	    {&f_enum, {.kind = V_TEXT, .s = "a", .n = 1}, "甲", "Alpha"},
	    {&f_enum, {.kind = V_TEXT, .s = "c", .n = 1}, "丙", "Gamma"},
	    {&f_enum, {.kind = V_TEXT, .s = "zz", .n = 2}, "zz", "zz"}, /* unknown key as is */
	    {&f_multi, {.kind = V_TEXT, .s = ",a,b,", .n = 5}, "甲、乙", "Alpha, Beta"},
	    {&f_multi, {.kind = V_TEXT, .s = ",b,", .n = 3}, "乙", "Beta"},
	    {&f_int, {.kind = V_INT, .i = 42}, "42", "42"},
	    {&f_ref, {.kind = V_INT, .i = 9}, "9", "9"},
	    {&f_text, {.kind = V_TEXT, .s = "海韵", .n = 6}, "海韵", "海韵"},
	    {&f_date, {.kind = V_TEXT, .s = "2024-02-29", .n = 10}, "2024-02-29", "2024-02-29"},
	    {&f_text, {.kind = V_NULL}, "", ""},
	    {&f_money, {.kind = V_NULL}, "", ""},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		for (int l = 0; l < LANG__MAX; l++) {
			struct str out = STR_INIT;
			value_to_text(&out, cases[i].f, &cases[i].v, (enum lang)l);
			char what[64];
			snprintf(what, sizeof what, "case %zu (%s) in %s", i, cases[i].f->name,
			         lang_tags[l]);
			EXPECT_STR(out.buf, l == LANG_ZH ? cases[i].zh : cases[i].en, what);
			str_release(&out);
		}
	}
	/* value_to_json of the same kinds. */
	struct {
		const struct field *f;
		struct value v;
		const char *want;
	} js[] = {
	    {&f_multi, {.kind = V_TEXT, .s = ",a,b,", .n = 5}, "[\"a\",\"b\"]"},
	    {&f_multi, {.kind = V_TEXT, .s = ",", .n = 1}, "[]"},
	    {&f_money, {.kind = V_INT, .i = -5}, "{\"amount\":-5,\"currency\":\"CNY\"}"},
	    {&f_dec, {.kind = V_INT, .i = 5}, "0.05"},
	    {&f_bool, {.kind = V_NULL}, "null"},
	    {&f_text, {.kind = V_TEXT, .s = "q\"", .n = 2}, "\"q\\\"\""},
	};
	for (size_t i = 0; i < sizeof js / sizeof js[0]; i++) {
		struct str out = STR_INIT;
		value_to_json(&out, js[i].f, &js[i].v);
		EXPECT_STR(out.buf, js[i].want, js[i].f->name);
		str_release(&out);
	}
	EXPECT_ALL();
}

static void test_equal_default(void **state)
{
	(void)state;
	struct value n1 = {.kind = V_NULL}, n2 = {.kind = V_NULL};
	struct value i1 = {.kind = V_INT, .i = 1}, i2 = {.kind = V_INT, .i = 1},
	             i3 = {.kind = V_INT, .i = 2};
	struct value t1 = {.kind = V_TEXT, .s = "ab", .n = 2},
	             t2 = {.kind = V_TEXT, .s = "abc", .n = 2},
	             t3 = {.kind = V_TEXT, .s = "ac", .n = 2};
	assert_true(value_equal(&f_int, &n1, &n2));
	assert_true(value_equal(&f_int, &i1, &i2));
	assert_false(value_equal(&f_int, &i1, &i3));
	assert_false(value_equal(&f_int, &i1, &n1));
	assert_true(value_equal(&f_text, &t1, &t2));
	assert_false(value_equal(&f_text, &t1, &t3));
	struct value m1 = {.kind = V_INT, .i = 100, .currency = "CNY"};
	struct value m2 = {.kind = V_INT, .i = 100};
	struct value m3 = {.kind = V_INT, .i = 100, .currency = "USD"};
	assert_true(value_equal(&f_money, &m1, &m2)); /* no currency means CNY */
	assert_false(value_equal(&f_money, &m1, &m3));

	assert_int_equal(field_columns(&f_money), 2);
	assert_int_equal(field_columns(&f_int), 1);
	assert_int_equal(field_columns(&f_text), 1);

	struct field fd = f_enum;
	fd.default_value = "\"b\"";
	struct value v;
	assert_true(value_default(&A, &fd, &v));
	assert_int_equal(v.kind, V_TEXT);
	assert_memory_equal(v.s, "b", 1);
	fd.default_value = "\"c\""; /* a disabled option is no default */
	assert_false(value_default(&A, &fd, &v));
	fd.default_value = NULL;
	assert_false(value_default(&A, &fd, &v));
	struct field fi = f_int;
	fi.default_value = "5";
	assert_true(value_default(&A, &fi, &v));
	assert_int_equal(v.i, 5);
	fi.default_value = "null";
	assert_false(value_default(&A, &fi, &v));
	struct field fb = f_bool;
	fb.default_value = "false";
	assert_true(value_default(&A, &fb, &v));
	assert_int_equal(v.i, 0);
}

/* value_bind and value_from_column agree: what is stored reads back equal. */
static void test_sql_round_trip(void **state)
{
	(void)state;
	struct db_options o = {.kind = DB_SQLITE, .target = ":memory:", .timeout_ms = 5000};
	struct db *db;
	char *err = NULL;
	assert_int_equal(db_open(&o, &db, &err), DB_OK);
	assert_int_equal(db_exec(db, "CREATE TABLE t (t TEXT, l TEXT, i INTEGER, m INTEGER, "
	                             "m_currency TEXT, d INTEGER, dt TEXT, ts TEXT, b INTEGER, "
	                             "e TEXT, me TEXT, r INTEGER)"),
	                 DB_OK);
	const struct field *fields[] = {&f_text,     &f_long, &f_int,  &f_money, &f_dec, &f_date,
	                                &f_datetime, &f_bool, &f_enum, &f_multi, &f_ref};
	const char *inputs[] = {"\"海韵\"",
	                        "\"a\\nb\"",
	                        "42",
	                        "{\"amount\":123,\"currency\":\"USD\"}",
	                        "\"12.34\"",
	                        "\"2024-02-29\"",
	                        "\"2026-11-27T09:09:16.5+08:00\"",
	                        "true",
	                        "\"b\"",
	                        "[\"b\",\"a\"]",
	                        "7"};
	enum { N = sizeof fields / sizeof fields[0] };
	for (int pass = 0; pass < 2; pass++) { /* values, then all NULL */
		struct value vals[N];
		for (int i = 0; i < N; i++) {
			json_t *j = json_loads(inputs[i], JSON_DECODE_ANY, NULL);
			struct verr e;
			if (pass == 0)
				assert_int_equal(value_from_json(&A, fields[i], j, &vals[i], &e),
				                 0);
			else
				vals[i] = (struct value){.kind = V_NULL};
			json_decref(j);
		}
		assert_int_equal(db_exec(db, "DELETE FROM t"), DB_OK);
		struct db_stmt *st;
		assert_int_equal(
		    db_prepare(db, "INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		               &st),
		    DB_OK);
		int idx = 1;
		for (int i = 0; i < N; i++)
			value_bind(st, &idx, fields[i], &vals[i]);
		assert_int_equal(idx, 13);
		assert_int_equal(db_step(st), DB_DONE);
		db_reset(st);
		assert_int_equal(db_prepare(db, "SELECT * FROM t", &st), DB_OK);
		assert_int_equal(db_step(st), DB_ROW);
		int col = 0;
		for (int i = 0; i < N; i++) {
			struct value back;
			value_from_column(fields[i], st, &col, &back);
			struct str a = STR_INIT, b = STR_INIT;
			value_to_json(&a, fields[i], &vals[i]);
			value_to_json(&b, fields[i], &back);
			EXPECT(value_equal(fields[i], &vals[i], &back),
			       "pass %d field %s: stored %s, read %s", pass, fields[i]->name, a.buf,
			       b.buf);
			str_release(&a);
			str_release(&b);
		}
		assert_int_equal(col, 12);
		db_reset(st);
	}
	db_close(db);
	EXPECT_ALL();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_json_text),
	    UNIT_TEST(test_json_text_lengths),
	    UNIT_TEST(test_json_text_mixed_spaces),
	    UNIT_TEST(test_json_numbers),
	    UNIT_TEST(test_json_other),
	    UNIT_TEST(test_json_multienum_many_duplicates),
	    UNIT_TEST(test_text_sources),
	    UNIT_TEST(test_text_multienum_many_duplicates),
	    UNIT_TEST(test_to_text),
	    UNIT_TEST(test_equal_default),
	    UNIT_TEST(test_sql_round_trip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
