/*
 * What an attached file may be (docs/internals/FILES.md, docs/DECISIONS.md): the type the
 * uploader declared against the type libmagic found in the content, the kinds refused whatever
 * is declared (programs, scripts, HTML, SVG with script), the names refused (what Windows runs
 * when opened), which types are shown in the browser rather than downloaded, and the
 * Content-Disposition of a download. Pure functions of their arguments.
 */
#ifndef SEXTANT_FILETYPE_H
#define SEXTANT_FILETYPE_H

#include "core/str.h"

#include <stdbool.h>
#include <stddef.h>

#define FILETYPE_MAX 128 /* a media type's length, with room to spare */

enum file_verdict {
	FILE_ACCEPTED,
	FILE_MISMATCH,     /* the declared type contradicts the content */
	FILE_REFUSED,      /* a kind never accepted (by content, or by the declared type) */
	FILE_REFUSED_NAME, /* a name Windows would run or a browser render when opened */
};

/*
 * The verdict on content libmagic calls `sniffed`, declared as `declared` (a Content-Type,
 * parameters allowed; NULL or empty: nothing declared), named `name`; `script`: the text holds
 * script markup (files_inspect). On acceptance `stored` gets the type to keep: the sniffed one,
 * or the declared one where it only refines a generic finding (a .docx libmagic calls a zip).
 * `declared_out` gets the declared type as compared (lower case, no parameters).
 */
enum file_verdict filetype_judge(const char *declared, const char *name, const char *sniffed,
                                 bool script, char stored[FILETYPE_MAX],
                                 char declared_out[FILETYPE_MAX]);

/* Whether a download of this type may be shown in the browser (raster images and PDF). */
bool filetype_inline(const char *type);

/*
 * `attachment` (or `inline`) with filename="…" as ASCII (other characters and quotes as '_')
 * and filename*=UTF-8''… percent-encoded (RFC 6266, RFC 8187).
 */
void filetype_disposition(struct str *out, const char *name, bool show_inline);

#endif
