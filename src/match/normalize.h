/*
 * The forms customers are compared in when looking for duplicates (docs/internals/MATCH.md).
 * Each function appends the normal form of s to out and says whether there is one: text that
 * normalises to nothing (a name of only a legal form, a "phone" without digits) is no key.
 *
 * - Names: folded (NFKC: full-width to half-width; case; traditional to simplified), bracketed
 *   parts and punctuation and spaces removed, legal forms taken off the end (有限公司,
 *   股份有限公司, 集团, Co., Ltd. …), and provinces and cities off the front
 *   (广东省深圳市海韵游艇有限公司 → 海韵游艇).
 * - Addresses: folded and compacted the same way, provinces and cities off the front.
 * - Phone numbers: E.164 for China (+8613812345678, +8675512345678), extensions dropped.
 * - E-mail addresses: lower case. Web domains: the registrable domain of a web address or of an
 *   e-mail address (www.haiyun.com.cn → haiyun.com.cn), never a free-mail provider's.
 * - Tax IDs: upper case, letters and digits only.
 */
#ifndef SEXTANT_MATCH_NORMALIZE_H
#define SEXTANT_MATCH_NORMALIZE_H

#include "core/str.h"

#include <stdbool.h>

bool match_name(struct str *out, const char *s);
bool match_address(struct str *out, const char *s);
bool match_phone(struct str *out, const char *s);
bool match_email(struct str *out, const char *s);
bool match_domain(struct str *out, const char *s);
bool match_tax_id(struct str *out, const char *s);

#endif
