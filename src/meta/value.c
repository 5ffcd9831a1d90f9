#include "value.h"
#include "validate.h"
#include "core/text.h"
#include "core/util.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX_DEFAULT     255
#define LONGTEXT_MAX_DEFAULT 20000

static int verr_set(struct verr *e, const char *code)
{
	memset(e, 0, sizeof *e);
	e->code = code;
	return -1;
}

static int verr_set1(struct verr *e, const char *code, const char *name, const char *val)
{
	verr_set(e, code);
	e->params[0] = name;
	e->params[1] = val;
	return -1;
}

int field_columns(const struct field *f)
{
	return f->type == FT_MONEY ? 2 : 1;
}

/* Strip white space, ASCII and the ideographic space U+3000 (common in Chinese input), in any mix.
 */
static void trim(const char **s, size_t *n)
{
	for (;;) {
		if (*n && isspace((unsigned char)**s)) {
			(*s)++;
			(*n)--;
		} else if (*n >= 3 && memcmp(*s, "\xe3\x80\x80", 3) == 0) {
			*s += 3;
			*n -= 3;
		} else {
			break;
		}
	}
	for (;;) {
		if (*n && isspace((unsigned char)(*s)[*n - 1]))
			(*n)--;
		else if (*n >= 3 && memcmp(*s + *n - 3, "\xe3\x80\x80", 3) == 0)
			*n -= 3;
		else
			break;
	}
}

static void set_text(struct arena *a, struct value *v, const char *s, size_t n)
{
	v->kind = V_TEXT;
	v->s = arena_strndup(a, s, n);
	v->n = n;
}

static int check_range(const struct field *f, int64_t x, struct verr *e, struct arena *a)
{
	int64_t lo = f->has_min ? f->min : -VALUE_INT_LIMIT;
	int64_t hi = f->has_max ? f->max : VALUE_INT_LIMIT;
	if (x < lo || x > hi) {
		verr_set(e, "out_of_range");
		e->params[0] = "min";
		e->params[1] = arena_printf(a, "%lld", (long long)lo);
		e->params[2] = "max";
		e->params[3] = arena_printf(a, "%lld", (long long)hi);
		return -1;
	}
	return 0;
}

/* Text-like types share one path: trim, UTF-8, control characters, length, format. */
static int text_value(struct arena *a, const struct field *f, const char *s, size_t n,
                      struct value *v, struct verr *e)
{
	trim(&s, &n);
	if (n == 0) {
		v->kind = V_NULL;
		return 0;
	}
	if (!utf8_valid(s, n))
		return verr_set(e, "invalid_utf8");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 &&
		     !(f->type == FT_LONGTEXT && (c == '\n' || c == '\t' || c == '\r'))) ||
		    c == 0x7f)
			return verr_set(e, "invalid_value");
	}
	size_t max = f->max_length            ? (size_t)f->max_length
	             : f->type == FT_LONGTEXT ? LONGTEXT_MAX_DEFAULT
	                                      : TEXT_MAX_DEFAULT;
	if (utf8_length(s, n) > max)
		return verr_set1(e, "too_long", "max", arena_printf(a, "%zu", max));
	struct str norm = STR_INIT;
	bool ok = true;
	const char *code = NULL;
	switch (f->type) {
	case FT_EMAIL:
		ok = validate_email(s, n, &norm);
		code = "invalid_email";
		break;
	case FT_PHONE:
		ok = validate_phone(s, n, &norm);
		code = "invalid_phone";
		break;
	case FT_URL:
		ok = validate_url(s, n, &norm);
		code = "invalid_url";
		break;
	default:
		if (f->format == TF_POSTCODE) {
			ok = validate_postcode(s, n, &norm);
			code = "invalid_postcode";
		} else if (f->format == TF_USCC) {
			ok = validate_uscc(s, n, &norm);
			code = "invalid_tax_id";
		} else {
			str_add(&norm, s, n);
		}
	}
	if (!ok) {
		str_release(&norm);
		return verr_set(e, code);
	}
	set_text(a, v, norm.buf, norm.len);
	str_release(&norm);
	return 0;
}

static int enum_value(struct arena *a, const struct field *f, const char *s, size_t n, bool labels,
                      struct value *v, struct verr *e)
{
	const struct option *o = field_option(f, s, n);
	if (!o && labels) {
		for (size_t i = 0; i < f->n_options && !o; i++)
			for (int l = 0; l < LANG__MAX; l++) {
				const char *t = f->options[i].label.text[l];
				if (t && strlen(t) == n && memcmp(t, s, n) == 0)
					o = &f->options[i];
			}
	}
	if (!o || o->disabled)
		return verr_set1(e, "invalid_option", "value",
		                 arena_strndup(a, s, n > 60 ? 60 : n));
	v->kind = V_TEXT;
	v->s = o->key; /* lives as long as the registry, which outlives the request */
	v->n = strlen(o->key);
	return 0;
}

/* Multi-select values are stored as ",a,b," so a filter can match one key with LIKE. */
static int multienum_finish(struct arena *a, const char **keys, size_t nkeys, struct value *v)
{
	if (nkeys == 0) {
		v->kind = V_NULL;
		return 0;
	}
	struct str s = STR_INIT;
	str_addc(&s, ',');
	for (size_t i = 0; i < nkeys; i++) {
		for (size_t k = 0; k < i; k++)
			if (strcmp(keys[k], keys[i]) == 0)
				goto next;
		str_adds(&s, keys[i]);
		str_addc(&s, ',');
	next:;
	}
	set_text(a, v, s.buf, s.len);
	str_release(&s);
	return 0;
}

/* "1234.5" → 123450 at scale 2; refuses more decimals than the scale. */
static bool parse_scaled(const char *s, size_t n, int scale, int64_t *out)
{
	size_t i = 0;
	bool neg = false;
	if (i < n && (s[i] == '-' || s[i] == '+'))
		neg = s[i++] == '-';
	int64_t v = 0;
	size_t digits = 0;
	for (; i < n && isdigit((unsigned char)s[i]); i++, digits++) {
		if (v > (VALUE_INT_LIMIT - 9) / 10)
			return false;
		v = v * 10 + (s[i] - '0');
	}
	int frac = 0;
	if (i < n && s[i] == '.') {
		i++;
		for (; i < n && isdigit((unsigned char)s[i]); i++, frac++) {
			if (frac >= scale) {
				if (s[i] != '0')
					return false;
				continue;
			}
			if (v > (VALUE_INT_LIMIT - 9) / 10)
				return false;
			v = v * 10 + (s[i] - '0');
			digits++;
		}
	}
	if (i != n || digits == 0)
		return false;
	for (; frac < scale; frac++) {
		if (v > VALUE_INT_LIMIT / 10)
			return false;
		v *= 10;
	}
	*out = neg ? -v : v;
	return true;
}

static int64_t pow10i(int s)
{
	int64_t p = 1;
	while (s-- > 0)
		p *= 10;
	return p;
}

static int ref_value(const char *s, size_t n, struct value *v, struct verr *e)
{
	int64_t id;
	if (!parse_int64(s, n, &id) || id <= 0 || id > VALUE_INT_LIMIT)
		return verr_set(e, "invalid_id");
	v->kind = V_INT;
	v->i = id;
	return 0;
}

int value_from_json(struct arena *a, const struct field *f, const json_t *j, struct value *v,
                    struct verr *e)
{
	memset(v, 0, sizeof *v);
	if (!j || json_is_null(j)) {
		v->kind = V_NULL;
		return 0;
	}
	switch (f->type) {
	case FT_TEXT:
	case FT_LONGTEXT:
	case FT_EMAIL:
	case FT_PHONE:
	case FT_URL:
		if (!json_is_string(j))
			return verr_set1(e, "invalid_type", "expected", "string");
		return text_value(a, f, json_string_value(j), json_string_length(j), v, e);
	case FT_INT:
		if (!json_is_integer(j))
			return verr_set(e, "invalid_integer");
		v->kind = V_INT;
		v->i = json_integer_value(j);
		return check_range(f, v->i, e, a);
	case FT_MONEY: {
		const json_t *amount = j, *cur = NULL;
		if (json_is_object(j)) {
			const char *k;
			json_t *x;
			json_object_foreach((json_t *)j, k,
			                    x) if (strcmp(k, "amount") != 0 &&
			                           strcmp(k, "currency") !=
			                               0) return verr_set(e, "invalid_money");
			amount = json_object_get(j, "amount");
			cur = json_object_get(j, "currency");
			if (json_is_null(amount) || !amount) {
				v->kind = V_NULL;
				return 0;
			}
		}
		if (!json_is_integer(amount))
			return verr_set(e, "invalid_money");
		if (cur && !json_is_null(cur) &&
		    (!json_is_string(cur) ||
		     !validate_currency(json_string_value(cur), json_string_length(cur))))
			return verr_set(e, "invalid_money");
		v->kind = V_INT;
		v->i = json_integer_value(amount);
		v->currency =
		    cur && json_is_string(cur) ? arena_strdup(a, json_string_value(cur)) : "CNY";
		return check_range(f, v->i, e, a);
	}
	case FT_DECIMAL: {
		char buf[64];
		int64_t x;
		if (json_is_integer(j)) {
			snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(j));
		} else if (json_is_real(j)) {
			double d = json_real_value(j);
			double scaled = d * (double)pow10i(f->scale);
			if (!isfinite(scaled) || fabs(scaled) > (double)VALUE_INT_LIMIT ||
			    fabs(scaled - round(scaled)) > 1e-6 * fmax(1.0, fabs(scaled)))
				return verr_set1(e, "invalid_decimal", "scale",
				                 arena_printf(a, "%d", f->scale));
			v->kind = V_INT;
			v->i = (int64_t)llround(scaled);
			return check_range(f, v->i, e, a);
		} else if (json_is_string(j) && json_string_length(j) < sizeof buf) {
			snprintf(buf, sizeof buf, "%s", json_string_value(j));
		} else {
			return verr_set1(e, "invalid_decimal", "scale",
			                 arena_printf(a, "%d", f->scale));
		}
		if (!parse_scaled(buf, strlen(buf), f->scale, &x))
			return verr_set1(e, "invalid_decimal", "scale",
			                 arena_printf(a, "%d", f->scale));
		v->kind = V_INT;
		v->i = x;
		return check_range(f, v->i, e, a);
	}
	case FT_BOOL:
		if (!json_is_boolean(j))
			return verr_set(e, "invalid_bool");
		v->kind = V_INT;
		v->i = json_is_true(j);
		return 0;
	case FT_MULTIENUM: {
		if (!json_is_array(j))
			return verr_set1(e, "invalid_type", "expected", "array");
		size_t n = json_array_size(j);
		if (n > 1000)
			return verr_set(e, "invalid_value");
		const char **keys = ARENA_NEW_ARRAY(a, const char *, n ? n : 1);
		for (size_t i = 0; i < n; i++) {
			const json_t *x = json_array_get(j, i);
			struct value one;
			if (!json_is_string(x))
				return verr_set1(e, "invalid_type", "expected", "string");
			if (enum_value(a, f, json_string_value(x), json_string_length(x), false,
			               &one, e))
				return -1;
			keys[i] = one.s;
		}
		return multienum_finish(a, keys, n, v);
	}
	default:
		break;
	}
	/* Types whose JSON form is a string or an integer id. */
	if (f->type == FT_REFERENCE || f->type == FT_USER) {
		if (!json_is_integer(j) || json_integer_value(j) <= 0)
			return verr_set(e, "invalid_id");
		v->kind = V_INT;
		v->i = json_integer_value(j);
		return 0;
	}
	if (!json_is_string(j))
		return verr_set1(e, "invalid_type", "expected", "string");
	return value_from_text(a, f, json_string_value(j), json_string_length(j), TS_JSON, v, e);
}

static bool text_is(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (strlen(*words) == n && strncasecmp(*words, s, n) == 0)
			return true;
	return false;
}

int value_from_text(struct arena *a, const struct field *f, const char *s, size_t n,
                    enum text_source src, struct value *v, struct verr *e)
{
	memset(v, 0, sizeof *v);
	if (!utf8_valid(s, n))
		return verr_set(e, "invalid_utf8");
	if (f->type != FT_LONGTEXT && f->type != FT_TEXT)
		trim(&s, &n);
	if (n == 0) {
		v->kind = V_NULL;
		return 0;
	}
	switch (f->type) {
	case FT_TEXT:
	case FT_LONGTEXT:
	case FT_EMAIL:
	case FT_PHONE:
	case FT_URL:
		return text_value(a, f, s, n, v, e);
	case FT_INT: {
		int64_t x;
		if (!parse_int64(s, n, &x))
			return verr_set(e, "invalid_integer");
		v->kind = V_INT;
		v->i = x;
		return check_range(f, v->i, e, a);
	}
	case FT_MONEY: {
		int64_t x;
		bool ok = src == TS_CSV ? parse_scaled(s, n, 2, &x) : parse_int64(s, n, &x);
		if (!ok)
			return verr_set(e, "invalid_money");
		v->kind = V_INT;
		v->i = x;
		v->currency = "CNY";
		return check_range(f, v->i, e, a);
	}
	case FT_DECIMAL: {
		int64_t x;
		if (!parse_scaled(s, n, f->scale, &x))
			return verr_set1(e, "invalid_decimal", "scale",
			                 arena_printf(a, "%d", f->scale));
		v->kind = V_INT;
		v->i = x;
		return check_range(f, v->i, e, a);
	}
	case FT_DATE: {
		int y, m, d;
		if (!time_parse_date(s, n, &y, &m, &d))
			return verr_set(e, "invalid_date");
		set_text(a, v, s, n);
		return 0;
	}
	case FT_DATETIME: {
		int64_t ms;
		/* A JSON value is RFC 3339; a filter may also be a plain date (midnight UTC); a CSV
		 * cell is what a spreadsheet shows, in the default time zone unless it says so. */
		bool ok;
		if (src == TS_CSV)
			ok = time_parse_datetime_local(s, n, TIME_DEFAULT_OFFSET_MIN, &ms);
		else if (src == TS_FILTER && n == 10)
			ok = time_parse_datetime_local(s, n, 0, &ms);
		else
			ok = time_parse_datetime(s, n, &ms);
		if (!ok)
			return verr_set(e, "invalid_datetime");
		char iso[TIME_ISO_LEN];
		time_format_iso(ms, iso);
		set_text(a, v, iso, strlen(iso));
		return 0;
	}
	case FT_BOOL: {
		static const char *const yes[] = {"true", "1", "yes", "y", "是", "t", NULL};
		static const char *const no[] = {"false", "0", "no", "n", "否", "f", NULL};
		v->kind = V_INT;
		if (text_is(s, n, yes))
			v->i = 1;
		else if (text_is(s, n, no))
			v->i = 0;
		else
			return verr_set(e, "invalid_bool");
		return 0;
	}
	case FT_ENUM:
		return enum_value(a, f, s, n, src == TS_CSV, v, e);
	case FT_MULTIENUM: {
		/* CSV cells and filters list keys (or labels) separated by commas or 、 */
		size_t most = 1;
		for (size_t i = 0; i < n; i++)
			most += s[i] == ',' || s[i] == ';' || (unsigned char)s[i] == 0xe3;
		const char **keys = ARENA_NEW_ARRAY(a, const char *, most);
		size_t nk = 0;
		const char *p = s, *end = s + n;
		while (p < end) {
			const char *q = p;
			while (q < end && *q != ',' && *q != ';' &&
			       !(end - q >= 3 && memcmp(q, "、", 3) == 0))
				q++;
			const char *t = p;
			size_t tn = (size_t)(q - p);
			trim(&t, &tn);
			if (tn) {
				struct value one;
				if (enum_value(a, f, t, tn, src == TS_CSV, &one, e))
					return -1;
				if (nk < most)
					keys[nk++] = one.s;
			}
			p = q < end ? q + (*q == ',' || *q == ';' ? 1 : 3) : end;
		}
		return multienum_finish(a, keys, nk, v);
	}
	case FT_REFERENCE:
	case FT_USER:
		return ref_value(s, n, v, e);
	case FT__MAX:
		break;
	}
	return verr_set(e, "invalid_value");
}

void value_from_column(const struct field *f, struct db_stmt *st, int *col, struct value *v)
{
	int c = *col;
	*col += field_columns(f);
	v->currency = NULL;
	if (db_column_null(st, c)) {
		v->kind = V_NULL;
		return;
	}
	switch (f->type) {
	case FT_INT:
	case FT_DECIMAL:
	case FT_BOOL:
	case FT_REFERENCE:
	case FT_USER:
		v->kind = V_INT;
		v->i = db_column_int(st, c);
		return;
	case FT_MONEY:
		v->kind = V_INT;
		v->i = db_column_int(st, c);
		v->currency = db_column_null(st, c + 1) ? "CNY" : db_column_text(st, c + 1, NULL);
		return;
	case FT_DATETIME: {
		/* SQLite stores our canonical text; PostgreSQL prints timestamptz its own way. */
		size_t n;
		const char *t = db_column_text(st, c, &n);
		int64_t ms;
		v->kind = V_TEXT;
		if (n == TIME_ISO_LEN - 1 && t[10] == 'T' && t[n - 1] == 'Z') {
			v->s = t;
			v->n = n;
		} else if (time_parse_datetime(t, n, &ms)) {
			time_format_iso(ms, v->buf);
			v->s = v->buf;
			v->n = TIME_ISO_LEN - 1;
		} else {
			v->s = t;
			v->n = n;
		}
		return;
	}
	default:
		v->kind = V_TEXT;
		v->s = db_column_text(st, c, &v->n);
		return;
	}
}

void value_bind(struct db_stmt *st, int *idx, const struct field *f, const struct value *v)
{
	int i = (*idx)++;
	if (f->type == FT_MONEY)
		(*idx)++;
	switch (v->kind) {
	case V_NULL:
		db_bind_null(st, i);
		if (f->type == FT_MONEY)
			db_bind_null(st, i + 1);
		return;
	case V_INT:
		db_bind_int(st, i, v->i);
		if (f->type == FT_MONEY)
			db_bind_texts(st, i + 1, v->currency ? v->currency : "CNY");
		return;
	case V_TEXT:
		db_bind_text(st, i, v->s, v->n);
		return;
	}
}

static void add_scaled(struct str *out, int64_t x, int scale)
{
	if (scale == 0) {
		str_add_int(out, x);
		return;
	}
	uint64_t u = x < 0 ? 0 - (uint64_t)x : (uint64_t)x;
	uint64_t p = (uint64_t)pow10i(scale);
	str_addf(out, "%s%llu.%0*llu", x < 0 ? "-" : "", (unsigned long long)(u / p), scale,
	         (unsigned long long)(u % p));
}

void value_to_json(struct str *out, const struct field *f, const struct value *v)
{
	if (v->kind == V_NULL) {
		str_add(out, "null", 4);
		return;
	}
	switch (f->type) {
	case FT_BOOL:
		str_adds(out, v->i ? "true" : "false");
		return;
	case FT_MONEY:
		str_add(out, "{\"amount\":", 10);
		str_add_int(out, v->i);
		str_add(out, ",\"currency\":", 12);
		str_add_jsons(out, v->currency ? v->currency : "CNY");
		str_addc(out, '}');
		return;
	case FT_DECIMAL:
		add_scaled(out, v->i, f->scale);
		return;
	case FT_INT:
	case FT_REFERENCE:
	case FT_USER:
		str_add_int(out, v->i);
		return;
	case FT_MULTIENUM: {
		/* ",a,b," → ["a","b"] */
		str_addc(out, '[');
		bool first = true;
		const char *p = v->s, *end = v->s + v->n;
		while (p < end) {
			while (p < end && *p == ',')
				p++;
			const char *q = p;
			while (q < end && *q != ',')
				q++;
			if (q > p) {
				if (!first)
					str_addc(out, ',');
				str_add_json(out, p, (size_t)(q - p));
				first = false;
			}
			p = q;
		}
		str_addc(out, ']');
		return;
	}
	default:
		if (v->kind == V_INT)
			str_add_int(out, v->i);
		else
			str_add_json(out, v->s, v->n);
	}
}

static const char *option_label(const struct field *f, const char *key, size_t n, enum lang lang)
{
	const struct option *o = field_option(f, key, n);
	return o ? label_get(&o->label, lang) : NULL;
}

void value_to_text(struct str *out, const struct field *f, const struct value *v, enum lang lang)
{
	if (v->kind == V_NULL)
		return;
	switch (f->type) {
	case FT_BOOL:
		str_adds(out,
		         v->i ? (lang == LANG_ZH ? "是" : "yes") : (lang == LANG_ZH ? "否" : "no"));
		return;
	case FT_MONEY:
		add_scaled(out, v->i, 2);
		return;
	case FT_DECIMAL:
		add_scaled(out, v->i, f->scale);
		return;
	case FT_ENUM: {
		const char *l = option_label(f, v->s, v->n, lang);
		if (l)
			str_adds(out, l);
		else
			str_add(out, v->s, v->n);
		return;
	}
	case FT_MULTIENUM: {
		const char *p = v->s, *end = v->s + v->n;
		bool first = true;
		while (p < end) {
			while (p < end && *p == ',')
				p++;
			const char *q = p;
			while (q < end && *q != ',')
				q++;
			if (q > p) {
				if (!first)
					str_adds(out, lang == LANG_ZH ? "、" : ", ");
				const char *l = option_label(f, p, (size_t)(q - p), lang);
				if (l)
					str_adds(out, l);
				else
					str_add(out, p, (size_t)(q - p));
				first = false;
			}
			p = q;
		}
		return;
	}
	default:
		if (v->kind == V_INT)
			str_add_int(out, v->i);
		else
			str_add(out, v->s, v->n);
	}
}

bool value_equal(const struct field *f, const struct value *a, const struct value *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case V_NULL:
		return true;
	case V_INT:
		if (f->type == FT_MONEY)
			return a->i == b->i && strcmp(a->currency ? a->currency : "CNY",
			                              b->currency ? b->currency : "CNY") == 0;
		return a->i == b->i;
	case V_TEXT:
		return a->n == b->n && memcmp(a->s, b->s, a->n) == 0;
	}
	return false;
}

bool value_default(struct arena *a, const struct field *f, struct value *v)
{
	if (!f->default_value)
		return false;
	json_t *j = json_loads(f->default_value, JSON_DECODE_ANY, NULL);
	struct verr e;
	int rc = value_from_json(a, f, j, v, &e);
	json_decref(j);
	return rc == 0 && v->kind != V_NULL;
}
