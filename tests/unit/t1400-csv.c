/* core/csv: reading RFC 4180 records (UTF-8 or GB18030) and writing cells safely. */
#include "unit.h"

#include "core/csv.h"
#include "core/text.h"

#include <fcntl.h>
#include <iconv.h>

static char *dir;

static int setup(void **state)
{
	(void)state;
	dir = unit_tmpdir();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unit_rmtree(dir);
	free(dir);
	return 0;
}

/* Open a reader on a file holding these bytes; returns csv_open's result. */
static int open_bytes(struct csv_reader *r, const void *data, size_t n, size_t max)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/in.csv", dir);
	unit_write_file(path, data, n);
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	int rc = csv_open(r, fd, max);
	close(fd); /* the mapping outlives the descriptor */
	return rc;
}

/*
 * Expected records: fields separated by '|' and records by '\n' in `want`, each record's
 * starting line in `lines`.
 */
static void expect_records(const char *what, const char *data, size_t n, const char *want,
                           const int64_t *lines)
{
	struct csv_reader r;
	int rc = open_bytes(&r, data, n, 1 << 20);
	EXPECT(rc == 0, "%s: csv_open failed: %s", what, r.error ? r.error : "?");
	if (rc) {
		csv_close(&r);
		return;
	}
	struct str got = STR_INIT;
	size_t rec = 0;
	while ((rc = csv_next(&r)) == 1) {
		for (size_t i = 0; i < r.n_fields; i++) {
			size_t len;
			const char *f = csv_field(&r, i, &len);
			if (i)
				str_addc(&got, '|');
			str_add(&got, f, len);
		}
		str_addc(&got, '\n');
		if (lines)
			EXPECT(r.line == lines[rec],
			       "%s: record %zu starts at line %lld, want %lld", what, rec + 1,
			       (long long)r.line, (long long)lines[rec]);
		rec++;
	}
	EXPECT(rc == 0, "%s: csv_next ended with %d (%s)", what, rc, r.error ? r.error : "");
	EXPECT_STR(got.buf, want, what);
	/* csv_next keeps returning 0 at the end. */
	EXPECT(csv_next(&r) == 0, "%s: a second end", what);
	/* Rewind reads the same again. */
	csv_rewind(&r);
	size_t again = 0;
	while (csv_next(&r) == 1)
		again++;
	EXPECT(again == rec, "%s: %zu records after rewind, want %zu", what, again, rec);
	str_release(&got);
	csv_close(&r);
}

#define RECORDS(what, data, want, ...)                                        \
	do {                                                                  \
		static const int64_t l_[] = {__VA_ARGS__};                    \
		expect_records((what), (data), sizeof(data) - 1, (want), l_); \
	} while (0)

static void test_read(void **state)
{
	(void)state;
	RECORDS("simple LF", "a,b,c\n1,2,3\n", "a|b|c\n1|2|3\n", 1, 2);
	RECORDS("CRLF", "a,b\r\n1,2\r\n", "a|b\n1|2\n", 1, 2);
	RECORDS("no final newline", "a,b\n1,2", "a|b\n1|2\n", 1, 2);
	RECORDS("quoted comma", "\"a,b\",c\n", "a,b|c\n", 1);
	RECORDS("doubled quotes", "\"say \"\"hi\"\"\",x\n", "say \"hi\"|x\n", 1);
	RECORDS("only a quote", "\"\"\"\"\n", "\"\n", 1);
	RECORDS("empty quoted", "\"\",x\n", "|x\n", 1);
	RECORDS("empty fields", ",,\n", "||\n", 1);
	RECORDS("trailing comma", "a,b,\n", "a|b|\n", 1);
	RECORDS("embedded newline", "\"line1\nline2\",x\nnext,y\n", "line1\nline2|x\nnext|y\n", 1,
	        3);
	RECORDS("embedded CRLF", "\"l1\r\nl2\r\nl3\",x\r\nnext\r\n", "l1\r\nl2\r\nl3|x\nnext\n", 1,
	        4);
	RECORDS("blank lines skipped", "a\n\n\nb\n\r\n\r\nc\n", "a\nb\nc\n", 1, 4, 7);
	RECORDS("leading blank lines", "\n\na,b\n", "a|b\n", 3);
	RECORDS("BOM skipped", "\xef\xbb\xbfname,phone\n海韵,138\n", "name|phone\n海韵|138\n", 1,
	        2);
	RECORDS("UTF-8 text", "客户名称,地址\n上海海韵游艇,\"上海市,浦东\"\n",
	        "客户名称|地址\n上海海韵游艇|上海市,浦东\n", 1, 2);
	RECORDS("spaces kept", " a , b \n", " a | b \n", 1);
	RECORDS("quote inside unquoted", "a\"b,c\n", "a\"b|c\n", 1);
	RECORDS("many fields",
	        "1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,"
	        "31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47,48,49,50,51,52,53,54,55,56,57,"
	        "58,59,60,61,62,63,64,65,66,67,68,69,70\n",
	        "1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16|17|18|19|20|21|22|23|24|25|26|27|28|29|30|"
	        "31|32|33|34|35|36|37|38|39|40|41|42|43|44|45|46|47|48|49|50|51|52|53|54|55|56|57|"
	        "58|59|60|61|62|63|64|65|66|67|68|69|70\n",
	        1);
	EXPECT_ALL();
}

static void test_empty(void **state)
{
	(void)state;
	struct csv_reader r;
	assert_int_equal(open_bytes(&r, "", 0, 100), 0);
	assert_int_equal(csv_next(&r), 0);
	assert_false(r.converted);
	csv_close(&r);

	assert_int_equal(open_bytes(&r, "\xef\xbb\xbf", 3, 100), 0);
	assert_int_equal(csv_next(&r), 0);
	csv_close(&r);

	assert_int_equal(open_bytes(&r, "\n\r\n\n", 4, 100), 0);
	assert_int_equal(csv_next(&r), 0);
	csv_close(&r);
}

static void expect_error(const char *what, const char *data, size_t good_records)
{
	struct csv_reader r;
	assert_int_equal(open_bytes(&r, data, strlen(data), 1 << 20), 0);
	size_t n = 0;
	int rc;
	while ((rc = csv_next(&r)) == 1)
		n++;
	EXPECT(rc == -1, "%s: csv_next gave %d, want -1", what, rc);
	EXPECT(r.error != NULL, "%s: no error text", what);
	EXPECT(n == good_records, "%s: %zu records before the error, want %zu", what, n,
	       good_records);
	csv_close(&r);
}

static void test_malformed(void **state)
{
	(void)state;
	expect_error("unclosed quote", "\"abc\n", 0);
	expect_error("unclosed quote after a record", "a,b\n\"abc,d\n", 1);
	expect_error("unclosed at the end", "a,\"", 0);
	expect_error("text after closing quote", "\"a\"b,c\n", 0);
	expect_error("space after closing quote", "\"a\" ,c\n", 0);
	expect_error("text after quote later", "x,y\nz,\"q\"r\n", 1);
	EXPECT_ALL();
}

static void test_limits(void **state)
{
	(void)state;
	struct csv_reader r;
	/* A file larger than max_bytes is refused. */
	assert_int_equal(open_bytes(&r, "a,b,c\n", 6, 5), -1);
	assert_non_null(r.error);
	csv_close(&r);
	assert_int_equal(open_bytes(&r, "a,b,c\n", 6, 6), 0);
	csv_close(&r);
	/* Bytes that are neither UTF-8 nor GB18030. */
	assert_int_equal(open_bytes(&r, "abc\xff\xff", 5, 100), -1);
	assert_non_null(r.error);
	csv_close(&r);
	/* An unreadable descriptor. */
	assert_int_equal(csv_open(&r, -1, 100), -1);
	assert_non_null(r.error);
	csv_close(&r);
}

static void test_gb18030(void **state)
{
	(void)state;
	const char *utf8 =
	    "客户名称,电话,地址\r\n上海海韵游艇俱乐部,13812345678,\"上海市,浦东新区\"\r\n"
	    "深圳€公司,0755-82345678,\r\n";
	/* Convert with iconv, as Excel on a Chinese Windows would have saved it. */
	iconv_t cd = iconv_open("GB18030", "UTF-8");
	assert_true(cd != (iconv_t)-1);
	char gb[512], *in = (char *)utf8, *out = gb;
	size_t il = strlen(utf8), ol = sizeof gb;
	assert_true(iconv(cd, &in, &il, &out, &ol) != (size_t)-1);
	iconv_close(cd);
	size_t gbn = (size_t)(out - gb);
	assert_false(utf8_valid(gb, gbn)); /* really not UTF-8 */

	struct csv_reader r;
	assert_int_equal(open_bytes(&r, gb, gbn, 1 << 20), 0);
	assert_true(r.converted);
	const char *want[3][3] = {
	    {"客户名称", "电话", "地址"},
	    {"上海海韵游艇俱乐部", "13812345678", "上海市,浦东新区"},
	    {"深圳€公司", "0755-82345678", ""},
	};
	for (int rec = 0; rec < 3; rec++) {
		assert_int_equal(csv_next(&r), 1);
		assert_int_equal(r.n_fields, 3);
		assert_int_equal(r.line, rec + 1);
		for (int i = 0; i < 3; i++) {
			size_t len;
			const char *f = csv_field(&r, (size_t)i, &len);
			assert_int_equal(len, strlen(want[rec][i]));
			assert_memory_equal(f, want[rec][i], len);
		}
	}
	assert_int_equal(csv_next(&r), 0);
	csv_close(&r);

	/* The same text in UTF-8 is not converted. */
	assert_int_equal(open_bytes(&r, utf8, strlen(utf8), 1 << 20), 0);
	assert_false(r.converted);
	assert_int_equal(csv_next(&r), 1);
	size_t len;
	const char *f = csv_field(&r, 0, &len);
	assert_memory_equal(f, "客户名称", len);
	csv_close(&r);

	/* Hard-coded GB18030 bytes: "海韵,是" */
	static const char raw[] = "\xba\xa3\xd4\xcf,\xca\xc7\n";
	assert_int_equal(open_bytes(&r, raw, sizeof raw - 1, 100), 0);
	assert_true(r.converted);
	assert_int_equal(csv_next(&r), 1);
	f = csv_field(&r, 0, &len);
	assert_int_equal(len, strlen("海韵"));
	assert_memory_equal(f, "海韵", len);
	f = csv_field(&r, 1, &len);
	assert_memory_equal(f, "是", len);
	csv_close(&r);
}

struct cell_case {
	const char *in;
	bool neutralise;
	const char *want;
};

static void test_add_cell(void **state)
{
	(void)state;
	static const struct cell_case cases[] = {
	    {"", true, ""},
	    {"abc", true, "abc"},
	    {"海韵游艇", true, "海韵游艇"},
	    {"a,b", true, "\"a,b\""},
	    {"say \"hi\"", true, "\"say \"\"hi\"\"\""},
	    {"\"", true, "\"\"\"\""},
	    {"line1\nline2", true, "\"line1\nline2\""},
	    {"a\rb", true, "\"a\rb\""},
	    {" lead", true, "\" lead\""},
	    {"trail ", true, "\"trail \""},
	    {"mid dle", true, "mid dle"},
	    /* formulas: prefixed with an apostrophe (and quoted) only when neutralising */
	    {"=SUM(A1:A9)", true, "\"'=SUM(A1:A9)\""},
	    {"=SUM(A1:A9)", false, "=SUM(A1:A9)"},
	    {"+86 138", true, "\"'+86 138\""},
	    {"+86 138", false, "+86 138"},
	    {"-1", true, "\"'-1\""},
	    {"-1", false, "-1"},
	    {"@cmd", true, "\"'@cmd\""},
	    {"@cmd", false, "@cmd"},
	    {"\tx", true, "\"'\tx\""},
	    {"\tx", false, "\tx"},
	    {"\rx", true, "\"'\rx\""},
	    {"\rx", false, "\"\rx\""},
	    {"=HYPERLINK(\"http://x\",\"y\")", true, "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
	    {"a=b", true, "a=b"}, /* only the first character counts */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct str out = STR_INIT;
		str_adds(&out, "x,");
		csv_add_cell(&out, cases[i].in, strlen(cases[i].in), cases[i].neutralise);
		char want[256];
		snprintf(want, sizeof want, "x,%s", cases[i].want);
		char what[64];
		snprintf(what, sizeof what, "case %zu (neutralise %d)", i, cases[i].neutralise);
		EXPECT_STR(out.buf, want, what);
		str_release(&out);
	}
	EXPECT(csv_formula_like("=1", 2), "=");
	EXPECT(!csv_formula_like("", 0), "empty");
	EXPECT(!csv_formula_like("1=", 2), "later =");
	EXPECT_ALL();
}

/* What we write, we read back the same (cells with every special character). */
static void test_round_trip(void **state)
{
	(void)state;
	static const char *const cells[] = {"plain", "a,b",  "q\"uote",   "multi\nline",
	                                    "",      " sp ", "海韵,游艇", "crlf\r\nin"};
	enum { N = sizeof cells / sizeof cells[0] };
	struct str doc = STR_INIT;
	for (int row = 0; row < 3; row++) {
		for (int i = 0; i < N; i++) {
			if (i)
				str_addc(&doc, ',');
			csv_add_cell(&doc, cells[i], strlen(cells[i]), false);
		}
		str_add(&doc, "\r\n", 2);
	}
	struct csv_reader r;
	assert_int_equal(open_bytes(&r, doc.buf, doc.len, 1 << 20), 0);
	for (int row = 0; row < 3; row++) {
		assert_int_equal(csv_next(&r), 1);
		assert_int_equal(r.n_fields, N);
		for (int i = 0; i < N; i++) {
			size_t len;
			const char *f = csv_field(&r, (size_t)i, &len);
			if (len != strlen(cells[i]) || memcmp(f, cells[i], len) != 0)
				fail_msg("row %d cell %d: got [%.*s]", row, i, (int)len, f);
		}
	}
	assert_int_equal(csv_next(&r), 0);
	csv_close(&r);
	str_release(&doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_read),       UNIT_TEST(test_empty),   UNIT_TEST(test_malformed),
	    UNIT_TEST(test_limits),     UNIT_TEST(test_gb18030), UNIT_TEST(test_add_cell),
	    UNIT_TEST(test_round_trip),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
