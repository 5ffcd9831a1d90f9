#include "filetype.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/*
 * Families of media types. A declared type and the type found agree when they are of one family
 * (a .jpg saved as .png is still a picture); the families are what libmagic tells apart reliably.
 */
enum family {
	FAM_GENERIC, /* nothing said: application/octet-stream and its cousins */
	FAM_EXEC,    /* programs and scripts */
	FAM_MARKUP,  /* HTML, XHTML */
	FAM_SVG,
	FAM_IMAGE,
	FAM_MEDIA, /* audio and video (libmagic calls an .m4a video/mp4) */
	FAM_PDF,
	FAM_TEXT,
	FAM_PACKAGE, /* zip, Office (both generations), archives */
	FAM_OTHER,   /* a type we cannot check (vendor formats) */
};

static const char *const generic_types[] = {
    "application/octet-stream", "binary/octet-stream",        "application/unknown",
    "application/x-unknown",    "application/force-download", "application/download",
    "application/x-download",   "application/binary",         NULL};

static const char *const exec_types[] = {"application/x-executable",
                                         "application/x-pie-executable",
                                         "application/x-sharedlib",
                                         "application/x-object",
                                         "application/x-elf",
                                         "application/x-coredump",
                                         "application/x-dosexec",
                                         "application/x-msdownload",
                                         "application/x-msdos-program",
                                         "application/vnd.microsoft.portable-executable",
                                         "application/x-ms-dos-executable",
                                         "application/x-mach-binary",
                                         "application/x-msi",
                                         "application/x-ms-installer",
                                         "application/x-java-applet",
                                         "application/java-vm",
                                         "application/java-archive",
                                         "application/x-java-archive",
                                         "application/vnd.android.package-archive",
                                         "application/x-bytecode.python",
                                         "application/x-ms-shortcut",
                                         "application/x-ms-application",
                                         "application/hta",
                                         "application/x-sh",
                                         "application/x-shellscript",
                                         "application/x-csh",
                                         "application/x-bat",
                                         "application/x-perl",
                                         "application/x-httpd-php",
                                         "application/x-php",
                                         "application/javascript",
                                         "application/x-javascript",
                                         "application/ecmascript",
                                         "application/x-powershell",
                                         "text/x-shellscript",
                                         "text/x-sh",
                                         "text/x-msdos-batch",
                                         "text/x-perl",
                                         "text/x-python",
                                         "text/x-script.python",
                                         "text/x-php",
                                         "text/x-ruby",
                                         "text/x-tcl",
                                         "text/x-lua",
                                         "text/x-awk",
                                         "text/javascript",
                                         "text/x-javascript",
                                         "text/ecmascript",
                                         "text/vbscript",
                                         "text/vbs",
                                         "text/x-vbscript",
                                         NULL};

static const char *const text_types[] = {
    "application/json", "application/xml",   "application/x-yaml", "application/yaml",
    "application/csv",  "application/x-csv", "application/rtf",    NULL};

static const char *const package_types[] = {"application/zip",
                                            "application/x-zip-compressed",
                                            "application/x-zip",
                                            "application/epub+zip",
                                            "application/x-ole-storage",
                                            "application/cdfv2",
                                            "application/vnd.ms-office",
                                            "application/msword",
                                            "application/vnd.ms-excel",
                                            "application/vnd.ms-powerpoint",
                                            "application/vnd.ms-outlook",
                                            "application/vnd.visio",
                                            "application/gzip",
                                            "application/x-gzip",
                                            "application/x-compressed",
                                            "application/x-bzip2",
                                            "application/x-xz",
                                            "application/x-7z-compressed",
                                            "application/x-rar",
                                            "application/x-rar-compressed",
                                            "application/vnd.rar",
                                            "application/x-tar",
                                            "application/zstd",
                                            NULL};

/* Prefixes of the Office Open XML and OpenDocument types (zip files). */
static const char *const package_prefixes[] = {"application/vnd.openxmlformats-officedocument.",
                                               "application/vnd.oasis.opendocument.",
                                               "application/vnd.ms-excel.",
                                               "application/vnd.ms-word.",
                                               "application/vnd.ms-powerpoint.",
                                               NULL};

/* What libmagic answers for content it knows only roughly: a declared type may refine it. */
static const char *const rough_types[] = {"application/octet-stream",
                                          "application/zip",
                                          "application/x-ole-storage",
                                          "application/cdfv2",
                                          "application/vnd.ms-office",
                                          "text/plain",
                                          NULL};

static const char *const inline_types[] = {
    "image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp", "application/pdf", NULL};

/* Common other spellings of a type. */
static const char *const aliases[][2] = {
    {"image/jpg", "image/jpeg"},
    {"image/pjpeg", "image/jpeg"},
    {"image/x-png", "image/png"},
    {"image/x-ms-bmp", "image/bmp"},
    {"application/x-pdf", "application/pdf"},
    {"application/acrobat", "application/pdf"},
    {"text/xml", "application/xml"},
};

/*
 * Names that run or render when opened: Windows programs, scripts and shortcuts, and HTML. The
 * content is checked too, but a text file named .bat or .js runs on Windows whatever it holds.
 */
static const char *const refused_extensions[] = {
    "exe", "com",   "scr",  "pif",    "bat",         "cmd",       "msi",  "msp", "mst",
    "msc", "dll",   "cpl",  "ocx",    "sys",         "drv",       "vbs",  "vbe", "js",
    "jse", "mjs",   "wsf",  "wsc",    "wsh",         "ws",        "hta",  "ps1", "ps1xml",
    "ps2", "psc1",  "psd1", "psm1",   "lnk",         "inf",       "reg",  "scf", "url",
    "jar", "apk",   "chm",  "gadget", "application", "appref-ms", "html", "htm", "xhtml",
    "xht", "shtml", "mht",  "mhtml",  "svgz",        NULL};

static bool in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

static bool has_prefix_in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strncmp(s, *list, strlen(*list)) == 0)
			return true;
	return false;
}

/* A media type in lower case without parameters or spaces, aliases resolved; "" if it is not
 * of the form type/subtype. */
static void normalise(const char *t, char out[FILETYPE_MAX])
{
	size_t n = 0;
	bool slash = false;
	out[0] = '\0';
	if (!t)
		return;
	while (*t == ' ' || *t == '\t')
		t++;
	for (; *t && *t != ';' && *t != ' ' && *t != '\t'; t++) {
		unsigned char c = (unsigned char)*t;
		bool ok = isalnum(c) || strchr("!#$&^_.+-/", c);
		if (!ok || n + 1 >= FILETYPE_MAX || (c == '/' && (slash || n == 0))) {
			out[0] = '\0';
			return;
		}
		slash |= c == '/';
		out[n++] = (char)tolower(c);
	}
	out[n] = '\0';
	if (!slash || out[n - 1] == '/') {
		out[0] = '\0';
		return;
	}
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(out, aliases[i][0]) == 0)
			snprintf(out, FILETYPE_MAX, "%s", aliases[i][1]);
}

static enum family family(const char *t)
{
	if (!*t || in(t, generic_types))
		return FAM_GENERIC;
	if (in(t, exec_types))
		return FAM_EXEC;
	if (strcmp(t, "text/html") == 0 || strcmp(t, "application/xhtml+xml") == 0)
		return FAM_MARKUP;
	if (strcmp(t, "image/svg+xml") == 0)
		return FAM_SVG;
	if (strncmp(t, "image/", 6) == 0)
		return FAM_IMAGE;
	if (strncmp(t, "audio/", 6) == 0 || strncmp(t, "video/", 6) == 0 ||
	    strcmp(t, "application/ogg") == 0)
		return FAM_MEDIA;
	if (strcmp(t, "application/pdf") == 0)
		return FAM_PDF;
	if (strncmp(t, "text/", 5) == 0 || in(t, text_types))
		return FAM_TEXT;
	if (in(t, package_types) || has_prefix_in(t, package_prefixes))
		return FAM_PACKAGE;
	return FAM_OTHER;
}

/* Whether content found to be `s` may be what was declared as `d`. */
static bool agree(const char *d, const char *s)
{
	enum family fd = family(d), fs = family(s);
	if (fd == FAM_GENERIC || strcmp(d, s) == 0)
		return true;
	if (fd == fs && fd != FAM_OTHER)
		return true;
	if (fd == FAM_OTHER)
		return true; /* a vendor type we cannot check: what was found is kept */
	/* Content libmagic does not know is not a picture, a PDF or text it would know. */
	if (fs == FAM_GENERIC)
		return !(in(d, inline_types) || fd == FAM_TEXT || fd == FAM_SVG ||
		         fd == FAM_MARKUP);
	/* Declared as text and text it is, if of a kind refused (a script, a page): judged so. */
	if (fd == FAM_TEXT && strncmp(s, "text/", 5) == 0)
		return true;
	/* An SVG is XML text, which libmagic may call so. */
	if ((fd == FAM_SVG && fs == FAM_TEXT) || (fd == FAM_TEXT && fs == FAM_SVG))
		return true;
	/* Windows declares a .csv or .txt by the program that opens it (Excel, Word). */
	return fs == FAM_TEXT && fd == FAM_PACKAGE;
}

/* The extension of a name, lower case, after trailing dots and spaces (which Windows drops). */
static void extension(const char *name, char out[16])
{
	size_t n = strlen(name);
	while (n && (name[n - 1] == '.' || name[n - 1] == ' '))
		n--;
	size_t dot = n;
	while (dot && name[dot - 1] != '.' && name[dot - 1] != '/' && name[dot - 1] != '\\')
		dot--;
	out[0] = '\0';
	if (!dot || name[dot - 1] != '.' || n - dot >= 16)
		return;
	for (size_t i = dot; i < n; i++)
		out[i - dot] = (char)tolower((unsigned char)name[i]);
	out[n - dot] = '\0';
}

enum file_verdict filetype_judge(const char *declared, const char *name, const char *sniffed,
                                 bool script, char stored[FILETYPE_MAX],
                                 char declared_out[FILETYPE_MAX])
{
	char d[FILETYPE_MAX], s[FILETYPE_MAX], ext[16];
	normalise(declared, d);
	normalise(sniffed, s);
	if (!*s)
		snprintf(s, sizeof s, "application/octet-stream");
	snprintf(declared_out, FILETYPE_MAX, "%s", *d ? d : "application/octet-stream");
	snprintf(stored, FILETYPE_MAX, "%s", s);
	extension(name, ext);
	enum family fd = family(d), fs = family(s);
	if (fd == FAM_EXEC || fd == FAM_MARKUP)
		return FILE_REFUSED; /* said to be a program or a page: whatever it is, not here */
	if (!agree(d, s))
		return FILE_MISMATCH;
	if (fs == FAM_EXEC || fs == FAM_MARKUP)
		return FILE_REFUSED;
	if (in(ext, refused_extensions))
		return FILE_REFUSED_NAME;
	if (script && (fs == FAM_SVG || fd == FAM_SVG || strcmp(ext, "svg") == 0))
		return FILE_REFUSED;
	/* A rough finding refined by what was declared (a .docx is a zip, a .csv plain text). */
	if (in(s, rough_types) && *d && fd != FAM_GENERIC && fd != FAM_SVG && !in(d, inline_types))
		snprintf(stored, FILETYPE_MAX, "%s", d);
	return FILE_ACCEPTED;
}

bool filetype_inline(const char *type)
{
	return in(type, inline_types);
}

void filetype_disposition(struct str *out, const char *name, bool show_inline)
{
	str_adds(out, show_inline ? "inline; filename=\"" : "attachment; filename=\"");
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p >= 0x80 && (*p & 0xc0) == 0x80)
			continue; /* the rest of a character already written as '_' */
		bool plain = *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\';
		str_addc(out, plain ? (char)*p : '_');
	}
	str_adds(out, "\"; filename*=UTF-8''");
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		/* RFC 8187's attr-char: what may stand as it is. */
		if (isalnum(*p) || strchr("!#$&+-.^_`|~", *p)) {
			str_addc(out, (char)*p);
		} else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			str_add(out, e, 3);
		}
	}
}
