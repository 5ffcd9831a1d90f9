/* core/text: UTF-8 checks, folding for matching, and the search tokens (docs/internals/SEARCH.md).
 */
#include "unit.h"

#include "core/text.h"

static void test_utf8_valid(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		bool ok;
		const char *what;
	} cases[] = {
	    {"", true, "empty"},
	    {"plain ascii", true, "ascii"},
	    {"\x7f", true, "DEL is ASCII"},
	    {"\xc2\x80", true, "U+0080, smallest 2-byte"},
	    {"\xc3\xa9", true, "é"},
	    {"\xdf\xbf", true, "U+07FF"},
	    {"\xe0\xa0\x80", true, "U+0800, smallest 3-byte"},
	    {"海韵游艇", true, "CJK"},
	    {"\xed\x9f\xbf", true, "U+D7FF, below the surrogates"},
	    {"\xee\x80\x80", true, "U+E000, above the surrogates"},
	    {"\xef\xbf\xbf", true, "U+FFFF"},
	    {"\xf0\x90\x80\x80", true, "U+10000, smallest 4-byte"},
	    {"\xf0\x9f\x98\x80", true, "emoji"},
	    {"\xf4\x8f\xbf\xbf", true, "U+10FFFF"},
	    /* overlong forms */
	    {"\xc0\x80", false, "overlong NUL"},
	    {"\xc1\xbf", false, "overlong U+007F"},
	    {"\xe0\x80\x80", false, "overlong 3-byte NUL"},
	    {"\xe0\x9f\xbf", false, "overlong U+07FF"},
	    {"\xf0\x80\x80\x80", false, "overlong 4-byte NUL"},
	    {"\xf0\x8f\xbf\xbf", false, "overlong U+FFFF"},
	    /* surrogates */
	    {"\xed\xa0\x80", false, "U+D800"},
	    {"\xed\xbf\xbf", false, "U+DFFF"},
	    {"\xed\xa0\xbd\xed\xb8\x80", false, "CESU-8 pair"},
	    /* beyond Unicode */
	    {"\xf4\x90\x80\x80", false, "U+110000"},
	    {"\xf5\x80\x80\x80", false, "F5 lead"},
	    {"\xf8\x88\x80\x80\x80", false, "5-byte form"},
	    {"\xfe", false, "FE"},
	    {"\xff", false, "FF"},
	    /* broken sequences */
	    {"\x80", false, "lone continuation"},
	    {"a\xbfz", false, "continuation in ASCII"},
	    {"\xc3", false, "truncated 2-byte"},
	    {"\xe6\xb5", false, "truncated 3-byte"},
	    {"\xf0\x9f\x98", false, "truncated 4-byte"},
	    {"\xe6\x41\x41", false, "3-byte lead then ASCII"},
	    {"\xc3\xc3\xa9", false, "lead then lead"},
	    {"ok\xe6\xb5", false, "truncated at the end"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		bool ok = utf8_valid(cases[i].in, strlen(cases[i].in));
		EXPECT(ok == cases[i].ok, "utf8_valid(%s) = %d", cases[i].what, ok);
	}
	/* An embedded NUL is valid UTF-8 (length-delimited text). */
	EXPECT(utf8_valid("a\0b", 3), "NUL inside");
	/* utf8_seq_len never reads past n. */
	EXPECT(utf8_seq_len((const unsigned char *)"\xe6\xb5\xb7", 2) == 0, "seq_len bounded");
	EXPECT(utf8_seq_len((const unsigned char *)"\xe6\xb5\xb7", 3) == 3, "seq_len 3");
	EXPECT(utf8_seq_len((const unsigned char *)"a", 1) == 1, "seq_len 1");
	EXPECT(utf8_seq_len((const unsigned char *)"\xf0\x9f\x98\x80", 4) == 4, "seq_len 4");
	EXPECT_ALL();
}

static void test_utf8_length(void **state)
{
	(void)state;
	EXPECT_INT(utf8_length("", 0), 0, "empty");
	EXPECT_INT(utf8_length("abc", 3), 3, "ascii");
	EXPECT_INT(utf8_length("海韵", strlen("海韵")), 2, "CJK");
	EXPECT_INT(utf8_length("a海\xf0\x9f\x98\x80é", strlen("a海\xf0\x9f\x98\x80é")), 4, "mixed");
	EXPECT_INT(utf8_length("海韵", 3), 1, "prefix of the bytes");
	EXPECT_ALL();
}

static void fold(const char *in, const char *want)
{
	struct str out = STR_INIT;
	text_fold(&out, in, strlen(in));
	EXPECT_STR(out.buf, want, in);
	str_release(&out);
}

static void test_fold(void **state)
{
	(void)state;
	fold("", "");
	fold("abc", "abc");
	fold("Hello WORLD", "hello world");
	fold("ＡＢＣ１２", "abc12"); /* full-width → ASCII (NFKC) */
	fold("ｈｅｌｌｏ", "hello");
	fold("Straße", "strasse"); /* full case folding */
	fold("Café", "cafe");      /* marks stripped */
	fold("ﬁ", "fi");           /* compatibility ligature */
	fold("海韻", "海韵");      /* traditional → simplified */
	fold("遊艇", "游艇");
	fold("上海海韻遊艇俱樂部", "上海海韵游艇俱乐部");
	fold("海韵游艇", "海韵游艇"); /* simplified stays */
	fold("ＡＢＣ海韻", "abc海韵");
	/* Folding appends. */
	struct str out = STR_INIT;
	str_adds(&out, "x:");
	text_fold(&out, "Ａ", strlen("Ａ"));
	EXPECT_STR(out.buf, "x:a", "appends");
	str_release(&out);
	EXPECT_ALL();
}

static void tokens(const char *in, const char *want)
{
	struct str out = STR_INIT;
	text_search_tokens(&out, in, strlen(in));
	EXPECT_STR(out.buf, want, in);
	str_release(&out);
}

static void test_search_tokens(void **state)
{
	(void)state;
	tokens("", "");
	tokens("上海海韵", "上海 海海 海韵 韵");
	tokens("海", "海");
	tokens("海韵", "海韵 韵");
	tokens("Hello World", "hello world");
	tokens("Hello world HELLO", "hello world"); /* duplicates dropped */
	tokens("海海海", "海海 海");                /* the repeated bigram once */
	tokens("中文English123", "中文 文 english123");
	tokens("海韵 海韵", "海韵 韵");
	tokens("海韻", "海韵 韵"); /* folded first */
	tokens("ＡＢＣ公司", "abc 公司 司");
	tokens("  ...!!! ", ""); /* separators only */
	tokens("a-b_c", "a b c");
	tokens("13812345678", "13812345678");
	tokens("sales@haiyun.cn", "sales haiyun cn");
	tokens("上海，海韵", "上海 海 海韵 韵"); /* full-width comma separates runs */
	/* Line breaks and tabs separate like spaces (search.c joins fields with a newline). */
	tokens("line1\nline2", "line1 line2");
	tokens("a\tb", "a b");
	tokens("a\r\nb", "a b");
	tokens("海韵\n浦东", "海韵 韵 浦东 东");
	tokens("é\nb", "e b");
	/* Tokens are appended without touching what was there. */
	struct str out = STR_INIT;
	str_adds(&out, "k");
	text_search_tokens(&out, "海韵", strlen("海韵"));
	EXPECT(strncmp(out.buf, "k", 1) == 0 && strstr(out.buf, "海韵") != NULL,
	       "appends: got [%s]", out.buf);
	str_release(&out);
	/* A long text: every bigram once, output grows without losing tokens. */
	struct str in = STR_INIT;
	for (int i = 0; i < 2000; i++)
		str_addf(&in, "word%d ", i);
	str_release(&out);
	text_search_tokens(&out, in.buf, in.len);
	EXPECT(strstr(out.buf, "word0 ") == out.buf, "first word");
	EXPECT(strstr(out.buf, " word1999") != NULL, "last word");
	size_t spaces = 0;
	for (size_t i = 0; i < out.len; i++)
		spaces += out.buf[i] == ' ';
	EXPECT_INT(spaces, 1999, "2000 distinct words");
	str_release(&out);
	str_release(&in);
	EXPECT_ALL();
}

struct want_term {
	const char *token;
	bool prefix;
};

static void query(const char *q, size_t max, const struct want_term *want, size_t nwant)
{
	struct search_term terms[16];
	size_t n = text_search_query(q, strlen(q), terms, max);
	EXPECT(n == nwant, "query [%s]: %zu terms, want %zu", q, n, nwant);
	for (size_t i = 0; i < n && i < nwant; i++) {
		EXPECT_STR(terms[i].token, want[i].token, q);
		EXPECT(terms[i].prefix == want[i].prefix, "query [%s] term %zu [%s]: prefix %d", q,
		       i, terms[i].token, terms[i].prefix);
	}
	text_search_terms_free(terms, n);
}

#define QUERY(q, max, ...)                                          \
	do {                                                        \
		static const struct want_term w_[] = {__VA_ARGS__}; \
		query((q), (max), w_, sizeof w_ / sizeof w_[0]);    \
	} while (0)

static void test_search_query(void **state)
{
	(void)state;
	QUERY("海韵", 16, {"海韵", false}); /* two characters: one exact bigram */
	QUERY("海", 16, {"海", true});      /* one character: a prefix */
	QUERY("海韵游艇", 16, {"海韵", false}, {"韵游", false}, {"游艇", false});
	QUERY("Yacht Club", 16, {"yacht", true}, {"club", true});
	QUERY("ＹＡＣＨＴ", 16, {"yacht", true});
	QUERY("海韻", 16, {"海韵", false}); /* traditional folded */
	QUERY("海 韵", 16, {"海", true}, {"韵", true});
	QUERY("海韵 yacht", 16, {"海韵", false}, {"yacht", true});
	QUERY("yacht yacht", 16, {"yacht", true}); /* duplicates once */
	QUERY("138", 16, {"138", true});
	QUERY("中文English123", 16, {"中文", false}, {"english123", true});
	/* At most max terms. */
	QUERY("a b c d e", 3, {"a", true}, {"b", true}, {"c", true});
	/* Nothing to search for. */
	struct search_term t[4];
	EXPECT_INT(text_search_query("!!! ，。", strlen("!!! ，。"), t, 4), 0, "punctuation");
	EXPECT_INT(text_search_query("", 0, t, 4), 0, "empty");
	EXPECT_INT(text_search_query("   ", 3, t, 4), 0, "spaces");
	EXPECT_ALL();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_utf8_valid),    UNIT_TEST(test_utf8_length),  UNIT_TEST(test_fold),
	    UNIT_TEST(test_search_tokens), UNIT_TEST(test_search_query),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
