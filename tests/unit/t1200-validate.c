/* meta/validate: checks and normal forms of email, phone, URL, postcode, USCC and currency. */
#include "unit.h"

#include "meta/validate.h"

typedef bool (*validator)(const char *s, size_t n, struct str *out);

struct vcase {
	const char *in;
	const char *want; /* normal form, or NULL: rejected */
};

static void run(const char *name, validator fn, const struct vcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct str out = STR_INIT;
		str_adds(&out, "<"); /* validators append */
		bool ok = fn(c[i].in, strlen(c[i].in), &out);
		if (c[i].want) {
			EXPECT(ok, "%s(\"%s\") rejected, want \"%s\"", name, c[i].in, c[i].want);
			if (ok) {
				EXPECT(out.buf[0] == '<' && strcmp(out.buf + 1, c[i].want) == 0,
				       "%s(\"%s\") = \"%s\", want \"%s\"", name, c[i].in,
				       out.buf + 1, c[i].want);
			}
		} else {
			EXPECT(!ok, "%s(\"%s\") accepted as \"%s\"", name, c[i].in, out.buf + 1);
		}
		str_release(&out);
	}
}

#define RUN(fn, cases) run(#fn, fn, cases, sizeof cases / sizeof cases[0])

static void test_email(void **state)
{
	(void)state;
	static const struct vcase cases[] = {
	    {"a@b.cn", "a@b.cn"},
	    {"sales@haiyun-yachts.com", "sales@haiyun-yachts.com"},
	    {"first.last@example.com", "first.last@example.com"},
	    {"user+tag@Example.COM", "user+tag@example.com"},   /* domain lower-cased */
	    {"User.Name@EXAMPLE.com", "User.Name@example.com"}, /* local part kept */
	    {"x@mail.example.com.cn", "x@mail.example.com.cn"},
	    {"o'brien@example.ie", "o'brien@example.ie"},
	    {"info@例子.中国", "info@例子.中国"}, /* IDN domain */
	    {"info@xn--fsqu00a.xn--fiqs8s", "info@xn--fsqu00a.xn--fiqs8s"},
	    {"a1@123.com", "a1@123.com"}, /* numeric label, not TLD */
	    {"", NULL},
	    {"plain", NULL},
	    {"a@b", NULL},
	    {"@example.com", NULL},
	    {"a@", NULL},
	    {"a@@example.com", NULL},
	    {"a@b@example.com", NULL},
	    {".a@example.com", NULL},
	    {"a.@example.com", NULL},
	    {"a..b@example.com", NULL},
	    {"a b@example.com", NULL},
	    {"a@exa mple.com", NULL},
	    {"a@example", NULL},     /* one label */
	    {"a@example.c", NULL},   /* one-letter TLD */
	    {"a@example.123", NULL}, /* numeric TLD */
	    {"a@1.2.3.4", NULL},     /* an IP is not a domain here */
	    {"a@-example.com", NULL},
	    {"a@example-.com", NULL},
	    {"a@example..com", NULL},
	    {"a@.example.com", NULL},
	    {"a@example.com.", NULL},
	    {"a@exa_mple.com", NULL},
	    {"a<b>@example.com", NULL},
	    {"a\"b@example.com", NULL},
	};
	RUN(validate_email, cases);
	/* Length limits: 64 for the local part. */
	char local[80];
	memset(local, 'a', 65);
	snprintf(local + 65, sizeof local - 65, "@example.com");
	struct str out = STR_INIT;
	EXPECT(!validate_email(local, strlen(local), &out), "65-character local part accepted");
	memmove(local + 64, local + 65, strlen(local + 65) + 1);
	EXPECT(validate_email(local, strlen(local), &out), "64-character local part rejected");
	str_release(&out);
	EXPECT_ALL();
}

static void test_phone(void **state)
{
	(void)state;
	static const struct vcase cases[] = {
	    /* mobiles */
	    {"13812345678", "13812345678"},
	    {"138 1234 5678", "13812345678"},
	    {"138-1234-5678", "13812345678"},
	    {"+86 138 1234 5678", "13812345678"},
	    {"+8613812345678", "13812345678"},
	    {"+86-138-1234-5678", "13812345678"},
	    {"0086 138 1234 5678", "13812345678"},
	    {"008613812345678", "13812345678"},
	    {"19912345678", "19912345678"},
	    /* landlines with area code */
	    {"0755-12345678", "0755-12345678"},
	    {"075512345678", "0755-12345678"},
	    {"0755 1234 5678", "0755-12345678"},
	    {"(0755)12345678", "0755-12345678"},
	    {"(010)88886666", "010-88886666"},
	    {"010-88886666", "010-88886666"},
	    {"021 6888 8888", "021-68888888"},
	    {"020-3888888", "020-3888888"}, /* 7-digit local number */
	    {"0571-8888888", "0571-8888888"},
	    {"+86 755 1234 5678", "0755-12345678"}, /* international form of a landline */
	    {"+86 10 8888 6666", "010-88886666"},
	    {"0086 21 6888 8888", "021-68888888"},
	    /* extensions */
	    {"0755-12345678-123", "0755-12345678-123"},
	    {"0755-12345678转123", "0755-12345678-123"},
	    {"0755-12345678 转 123", "0755-12345678-123"},
	    {"0755-12345678ext123", "0755-12345678-123"},
	    {"0755-12345678 ext 123", "0755-12345678-123"},
	    {"0755-12345678#8", "0755-12345678-8"},
	    {"0755-12345678x123", "0755-12345678-123"},
	    {"010-88886666-1", "010-88886666-1"},
	    /* The same with local numbers that start 2-8, as real ones do: these separate the
	     * extension handling from the question of a leading 1 in the cases above. */
	    {"0755-82345678", "0755-82345678"},
	    {"0755 8234 5678", "0755-82345678"},
	    {"(0755)82345678", "0755-82345678"},
	    {"+86 755 8234 5678", "0755-82345678"},
	    {"0755-82345678-123", "0755-82345678-123"},
	    {"0755-82345678转123", "0755-82345678-123"},
	    {"0755-82345678ext123", "0755-82345678-123"},
	    {"0755-82345678 ext 123", "0755-82345678-123"},
	    {"0755-82345678#8", "0755-82345678-8"},
	    {"0755-82345678x123", "0755-82345678-123"},
	    /* the local number written in two groups is not an extension */
	    {"010-8888-6666", "010-88886666"},
	    {"021-6888-8888", "021-68888888"},
	    /* service numbers */
	    {"400-123-4567", "400-123-4567"},
	    {"4001234567", "400-123-4567"},
	    {"400 123 4567", "400-123-4567"},
	    {"800-123-4567", "800-123-4567"},
	    /* international */
	    {"+852 2345 6789", "+85223456789"},
	    {"+1 (415) 555-0100", "+14155550100"},
	    {"+44 20 7946 0958", "+442079460958"},
	    {"+852 2345 6789 ext 12", "+85223456789-12"},
	    /* rejected */
	    {"", NULL},
	    {"12345", NULL},
	    {"0755-0123456", NULL}, /* local number cannot start with 0 */
	    {"1234567890123456789", NULL},
	    {"12812345678", NULL},  /* not a mobile prefix */
	    {"1381234567", NULL},   /* 10 digits */
	    {"138123456789", NULL}, /* 12 digits */
	    {"138abcd5678", NULL},
	    {"phone", NULL},
	    {"tel:13812345678", NULL},
	    {"+", NULL},
	    {"+0 123 4567", NULL},
	    {"0755-12345678转", NULL},       /* extension marker without digits */
	    {"0755-12345678-1234567", NULL}, /* 7-digit extension */
	    {"00755-12345678", NULL},
	    {"13812345678-123", NULL}, /* mobiles have no extension */
	    {"075512345", NULL},
	};
	RUN(validate_phone, cases);
	EXPECT_ALL();
}

static void test_url(void **state)
{
	(void)state;
	static const struct vcase cases[] = {
	    {"https://example.com", "https://example.com"},
	    {"http://example.com", "http://example.com"},
	    {"https://www.example.com/path?q=1&r=2#frag",
	     "https://www.example.com/path?q=1&r=2#frag"},
	    {"HTTPS://Example.COM/Path/Case", "https://example.com/Path/Case"},
	    {"HTTP://WWW.EXAMPLE.COM", "http://www.example.com"},
	    {"www.example.com", "https://www.example.com"},
	    {"Example.com/About", "https://example.com/About"},
	    {"www.example.com:8080/x", "https://www.example.com:8080/x"},
	    {"https://example.com:8443/", "https://example.com:8443/"},
	    {"https://海韵游艇.中国/", "https://海韵游艇.中国/"},
	    {"https://example.com/海韵", "https://example.com/海韵"},
	    {"http://localhost:8080/app", "http://localhost:8080/app"},
	    {"", NULL},
	    {"javascript:alert(1)", NULL},
	    {"JavaScript:alert(1)", NULL},
	    {"javascript://example.com/%0aalert(1)", NULL},
	    {"ftp://example.com/file", NULL},
	    {"data:text/html,<script>alert(1)</script>", NULL},
	    {"file:///etc/passwd", NULL},
	    {"mailto:a@example.com", NULL},
	    {"https://", NULL},
	    {"http://", NULL},
	    {"https://exa mple.com", NULL},
	    {"https://example.com/a b", NULL},
	    {"https://example.com/\"x", NULL},
	    {"https://example.com/<x>", NULL},
	    {"https://example.com/\x01", NULL},
	    {"example", NULL}, /* no dot */
	    {"https://.example.com", NULL},
	    {"https://-example.com", NULL},
	    {"https://user@example.com", NULL},
	    {"https://exa_mple.com", NULL},
	    {"//example.com", NULL},
	};
	RUN(validate_url, cases);
	/* A rejected URL leaves the output as it was. */
	struct str out = STR_INIT;
	str_adds(&out, "keep");
	EXPECT(!validate_url("https://bad host.com", strlen("https://bad host.com"), &out),
	       "bad host accepted");
	EXPECT_STR(out.buf, "keep", "output after a rejected URL");
	str_release(&out);
	EXPECT_ALL();
}

static void test_postcode(void **state)
{
	(void)state;
	static const struct vcase cases[] = {
	    {"518000", "518000"},   {"100000", "100000"}, {"000000", "000000"}, {"51800", NULL},
	    {"5180000", NULL},      {"51800a", NULL},     {"518 00", NULL},     {"", NULL},
	    {"５１８０００", NULL}, {"-51800", NULL},
	};
	RUN(validate_postcode, cases);
	EXPECT_ALL();
}

static void test_uscc(void **state)
{
	(void)state;
	static const struct vcase cases[] = {
	    {"91350100M000100Y43", "91350100M000100Y43"},
	    {"91110000600037341L", "91110000600037341L"}, /* check characters computed by hand */
	    {"12100000400000624D", "12100000400000624D"},
	    {"91440300MA5FXXXX0U", "91440300MA5FXXXX0U"},
	    {"92440101MA5CT3U6XQ", "92440101MA5CT3U6XQ"},
	    {"91350100m000100y43", "91350100M000100Y43"}, /* lower case normalised */
	    {"91440300ma5fxxxx0u", "91440300MA5FXXXX0U"},
	    {"91350100M000100Y44", NULL}, /* wrong check character */
	    {"91110000600037341K", NULL},
	    {"91350100M000100Y4", NULL},   /* 17 characters */
	    {"91350100M000100Y430", NULL}, /* 19 characters */
	    {"", NULL},
	    {"91350100I000100Y43", NULL}, /* I, O, Z, S, V are not used */
	    {"91350100O000100Y43", NULL},
	    {"91350100Z000100Y43", NULL},
	    {"91350100S000100Y43", NULL},
	    {"91350100V000100Y43", NULL},
	    {"91350100M000100YI3", NULL},
	    {"91350100M000100Y4I", NULL},
	    {"91350100M000100Y4-", NULL},
	    {"91350100M000100 43", NULL},
	    {"９1350100M000100Y43", NULL},
	};
	RUN(validate_uscc, cases);
	/* Every other check character than the right one is refused. */
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
	char code[19] = "91350100M000100Y43";
	for (const char *c = alphabet; *c; c++) {
		code[17] = *c;
		struct str out = STR_INIT;
		bool ok = validate_uscc(code, 18, &out);
		EXPECT(ok == (*c == '3'), "validate_uscc(%s) = %d", code, ok);
		str_release(&out);
	}
	EXPECT_ALL();
}

static void test_currency(void **state)
{
	(void)state;
	EXPECT(validate_currency("CNY", 3), "CNY");
	EXPECT(validate_currency("USD", 3), "USD");
	EXPECT(!validate_currency("cny", 3), "lower case");
	EXPECT(!validate_currency("CN", 2), "two letters");
	EXPECT(!validate_currency("CNYX", 4), "four letters");
	EXPECT(!validate_currency("C1Y", 3), "digit");
	EXPECT(!validate_currency("", 0), "empty");
	EXPECT_ALL();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_email),    UNIT_TEST(test_phone), UNIT_TEST(test_url),
	    UNIT_TEST(test_postcode), UNIT_TEST(test_uscc),  UNIT_TEST(test_currency),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
