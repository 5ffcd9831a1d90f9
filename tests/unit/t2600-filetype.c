/* services/filetype: the declared type against the one found, what is refused, what is shown
 * in the browser, and the Content-Disposition of a download. */
#include "unit.h"

#include "core/util.h"
#include "services/filetype.h"

static const char *const verdicts[] = {"accepted", "mismatch", "refused", "refused_name"};

static void test_judge(void **state)
{
	(void)state;
	static const struct {
		const char *declared, *name, *sniffed;
		bool script;
		enum file_verdict want;
		const char *stored; /* on acceptance */
	} cases[] = {
	    /* What was declared and found agree, or say nothing. */
	    {"image/png", "a.png", "image/png", false, FILE_ACCEPTED, "image/png"},
	    {"IMAGE/PNG; charset=x", "a.png", "image/png", false, FILE_ACCEPTED, "image/png"},
	    {NULL, "a.pdf", "application/pdf", false, FILE_ACCEPTED, "application/pdf"},
	    {"", "a.pdf", "application/pdf", false, FILE_ACCEPTED, "application/pdf"},
	    {"application/octet-stream", "a.pdf", "application/pdf", false, FILE_ACCEPTED,
	     "application/pdf"},
	    {"not a type", "a.pdf", "application/pdf", false, FILE_ACCEPTED, "application/pdf"},
	    {"image/jpg", "a.jpg", "image/jpeg", false, FILE_ACCEPTED, "image/jpeg"},
	    {"image/jpeg", "a.jpg", "image/png", false, FILE_ACCEPTED, "image/png"},
	    {"application/x-pdf", "a.pdf", "application/pdf", false, FILE_ACCEPTED,
	     "application/pdf"},
	    /* A rough finding refined by the declared type. */
	    {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "a.docx",
	     "application/zip", false, FILE_ACCEPTED,
	     "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
	    {"application/msword", "a.doc", "application/x-ole-storage", false, FILE_ACCEPTED,
	     "application/msword"},
	    {"text/csv", "a.csv", "text/plain", false, FILE_ACCEPTED, "text/csv"},
	    {"application/vnd.ms-excel", "a.csv", "text/plain", false, FILE_ACCEPTED,
	     "application/vnd.ms-excel"},
	    {"application/x-zip-compressed", "a.zip", "application/zip", false, FILE_ACCEPTED,
	     "application/x-zip-compressed"},
	    {"application/vnd.dwg", "a.dwg", "image/vnd.dwg", false, FILE_ACCEPTED,
	     "image/vnd.dwg"},
	    {"application/x-acad", "a.dwg", "application/octet-stream", false, FILE_ACCEPTED,
	     "application/x-acad"},
	    {"video/mp4", "a.mp4", "application/octet-stream", false, FILE_ACCEPTED, "video/mp4"},
	    {"audio/mp4", "a.m4a", "video/mp4", false, FILE_ACCEPTED, "video/mp4"},
	    {"application/xml", "a.xml", "text/xml", false, FILE_ACCEPTED, "application/xml"},
	    {"image/svg+xml", "a.svg", "image/svg+xml", false, FILE_ACCEPTED, "image/svg+xml"},
	    {"image/svg+xml", "a.svg", "text/plain", false, FILE_ACCEPTED, "text/plain"},
	    /* The content contradicts the declared type. */
	    {"image/png", "a.png", "application/x-executable", false, FILE_MISMATCH, NULL},
	    {"image/png", "a.png", "application/vnd.microsoft.portable-executable", false,
	     FILE_MISMATCH, NULL},
	    {"image/png", "a.png", "text/html", false, FILE_MISMATCH, NULL},
	    {"image/png", "a.png", "application/octet-stream", false, FILE_MISMATCH, NULL},
	    {"application/pdf", "a.pdf", "image/png", false, FILE_MISMATCH, NULL},
	    {"application/pdf", "a.pdf", "text/plain", false, FILE_MISMATCH, NULL},
	    {"text/plain", "a.txt", "application/x-sharedlib", false, FILE_MISMATCH, NULL},
	    {"text/plain", "a.txt", "application/octet-stream", false, FILE_MISMATCH, NULL},
	    {"image/gif", "a.gif", "application/zip", false, FILE_MISMATCH, NULL},
	    /* Refused whatever was declared. */
	    {NULL, "a", "application/x-pie-executable", false, FILE_REFUSED, NULL},
	    {NULL, "a", "application/x-dosexec", false, FILE_REFUSED, NULL},
	    {"application/x-msdownload", "a", "application/octet-stream", false, FILE_REFUSED,
	     NULL},
	    {"text/html", "a.txt", "text/plain", false, FILE_REFUSED, NULL},
	    {"text/plain", "a.txt", "text/html", false, FILE_REFUSED, NULL},
	    {"text/plain", "a.txt", "text/x-shellscript", false, FILE_REFUSED, NULL},
	    {NULL, "a.txt", "text/x-msdos-batch", false, FILE_REFUSED, NULL},
	    {NULL, "a.xhtml", "application/xhtml+xml", false, FILE_REFUSED, NULL},
	    {"application/java-archive", "a.zip", "application/zip", false, FILE_REFUSED, NULL},
	    {"image/svg+xml", "a.svg", "image/svg+xml", true, FILE_REFUSED, NULL},
	    {NULL, "a.svg", "text/plain", true, FILE_REFUSED, NULL},
	    {NULL, "a.txt", "image/svg+xml", true, FILE_REFUSED, NULL},
	    /* Script-like text that is no SVG is only text. */
	    {"text/plain", "notes.txt", "text/plain", true, FILE_ACCEPTED, "text/plain"},
	    /* Names that run or render when opened. */
	    {"text/plain", "run.bat", "text/plain", false, FILE_REFUSED_NAME, NULL},
	    {"text/plain", "a.pdf.EXE", "text/plain", false, FILE_REFUSED_NAME, NULL},
	    {"text/plain", "a.exe. . ", "text/plain", false, FILE_REFUSED_NAME, NULL},
	    {"text/plain", "page.htm", "text/plain", false, FILE_REFUSED_NAME, NULL},
	    {NULL, "a.js", "text/plain", false, FILE_REFUSED_NAME, NULL},
	    {NULL, "a.svgz", "application/gzip", false, FILE_REFUSED_NAME, NULL},
	    {"text/plain", "exe", "text/plain", false, FILE_ACCEPTED, "text/plain"},
	    {"text/plain", "a.exe.txt", "text/plain", false, FILE_ACCEPTED, "text/plain"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char stored[FILETYPE_MAX], declared[FILETYPE_MAX];
		enum file_verdict v =
		    filetype_judge(cases[i].declared, cases[i].name, cases[i].sniffed,
		                   cases[i].script, stored, declared);
		EXPECT(v == cases[i].want, "%s as %s named %s: %s, want %s", cases[i].sniffed,
		       unit_esc(cases[i].declared), cases[i].name, verdicts[v],
		       verdicts[cases[i].want]);
		if (v == FILE_ACCEPTED && cases[i].stored)
			EXPECT_STR(stored, cases[i].stored, cases[i].name);
	}
	/* The declared type as compared: lower case, no parameters; none said is generic. */
	char stored[FILETYPE_MAX], declared[FILETYPE_MAX];
	filetype_judge("Image/PNG ; q=1", "a.png", "image/png", false, stored, declared);
	EXPECT_STR(declared, "image/png", "declared");
	filetype_judge(NULL, "a.png", "", false, stored, declared);
	EXPECT_STR(declared, "application/octet-stream", "nothing declared");
	EXPECT_STR(stored, "application/octet-stream", "nothing found");
	EXPECT_ALL();
}

static void test_inline(void **state)
{
	(void)state;
	static const char *const shown[] = {"image/png",  "image/jpeg", "image/gif",
	                                    "image/webp", "image/bmp",  "application/pdf"};
	static const char *const not_shown[] = {"image/svg+xml",   "text/plain", "text/html",
	                                        "application/zip", "image/tiff", ""};
	for (size_t i = 0; i < ARRAY_SIZE(shown); i++)
		EXPECT(filetype_inline(shown[i]), "%s is shown", shown[i]);
	for (size_t i = 0; i < ARRAY_SIZE(not_shown); i++)
		EXPECT(!filetype_inline(not_shown[i]), "%s is not shown", not_shown[i]);
	EXPECT_ALL();
}

static void test_disposition(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		bool show;
		const char *want;
	} cases[] = {
	    {"合同.pdf", false,
	     "attachment; filename=\"__.pdf\"; filename*=UTF-8''%E5%90%88%E5%90%8C.pdf"},
	    {"图.png", true, "inline; filename=\"_.png\"; filename*=UTF-8''%E5%9B%BE.png"},
	    {"a \"b\"\\c;d.txt", false,
	     "attachment; filename=\"a _b__c;d.txt\"; filename*=UTF-8''a%20%22b%22%5Cc%3Bd.txt"},
	    {"report-2026_v1.0~final!.xlsx", false,
	     "attachment; filename=\"report-2026_v1.0~final!.xlsx\"; "
	     "filename*=UTF-8''report-2026_v1.0~final!.xlsx"},
	    {"100%.txt", false, "attachment; filename=\"100%.txt\"; filename*=UTF-8''100%25.txt"},
	    {"😀.txt", false, "attachment; filename=\"_.txt\"; filename*=UTF-8''%F0%9F%98%80.txt"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct str out = STR_INIT;
		filetype_disposition(&out, cases[i].name, cases[i].show);
		EXPECT_STR(out.buf, cases[i].want, cases[i].name);
		str_release(&out);
	}
	EXPECT_ALL();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    UNIT_TEST(test_judge),
	    UNIT_TEST(test_inline),
	    UNIT_TEST(test_disposition),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
