#include "registry.h"
#include "embedded.h"
#include "links.h"
#include "process.h"
#include "core/log.h"
#include "core/str.h"
#include "core/util.h"

#include <jansson.h>
#include <pthread.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const field_type_names[FT__MAX] = {
    [FT_TEXT] = "text",           [FT_LONGTEXT] = "longtext",   [FT_INT] = "int",
    [FT_MONEY] = "money",         [FT_DECIMAL] = "decimal",     [FT_DATE] = "date",
    [FT_DATETIME] = "datetime",   [FT_BOOL] = "bool",           [FT_ENUM] = "enum",
    [FT_MULTIENUM] = "multienum", [FT_REFERENCE] = "reference", [FT_USER] = "user",
    [FT_EMAIL] = "email",         [FT_PHONE] = "phone",         [FT_URL] = "url",
};

static const char *const text_format_names[TF__MAX] = {
    [TF_NONE] = "",     [TF_POSTCODE] = "postcode", [TF_USCC] = "uscc", [TF_PROVINCE] = "province",
    [TF_CITY] = "city", [TF_DISTRICT] = "district"};

const char *text_format_name(enum text_format f)
{
	return text_format_names[f];
}

int field_type_parse(const char *name)
{
	for (int i = 0; i < FT__MAX; i++)
		if (strcmp(name, field_type_names[i]) == 0)
			return i;
	return -1;
}

/* Names that are routes of their own under /api/v1 and so cannot be entities. */
static const char *const reserved_entities[] = {
    "auth",     "meta",          "audit",     "openapi.json", "imports",       "files",
    "users",    "roles",         "shares",    "org_units",    "sessions",      "views",
    "recent",   "history",       "outbox",    "settings",     "jobs",          "message_templates",
    "webhooks", "notifications", "reminders", "calendar",     "announcements", "security_policy",
    "oidc",     "processes",     "approvals"};

/* Columns every table has; a schema may not declare fields with these names. */
static const char *const system_names[] = {
    "id",      "created_at", "created_by", "updated_at",  "updated_by",
    "version", "deleted_at", "owner_id",   "org_unit_id", "search_tokens"};

static bool valid_name(const char *s)
{
	const char *start = s;
	if (!s || !(*s >= 'a' && *s <= 'z'))
		return false;
	size_t n = 0;
	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	/* Double underscores separate a field from a filter operator in query strings. */
	return n <= 60 && !strstr(start, "__");
}

static bool valid_key(const char *s)
{
	if (!s || !*s)
		return false;
	size_t n = 0;
	for (; *s; s++, n++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-'))
			return false;
	return n <= 60;
}

static bool is_system_name(const char *n)
{
	for (size_t i = 0; i < ARRAY_SIZE(system_names); i++)
		if (strcmp(n, system_names[i]) == 0)
			return true;
	return false;
}

static const char *jstr(struct arena *a, const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? arena_strdup(a, s) : NULL;
}

/* A label is {"zh-CN": "…", "en": "…"}. */
static int parse_label(struct arena *a, const json_t *j, struct label *out, bool need_both,
                       char *err, size_t errlen, const char *what)
{
	memset(out, 0, sizeof *out);
	if (!j)
		return need_both ? fail_with(err, errlen, "%s: label missing", what) : 0;
	if (!json_is_object(j))
		return fail_with(err, errlen, "%s: a label is an object of languages", what);
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)j, k, v)
	{
		int l = lang_parse(k);
		if (l < 0 || !json_is_string(v))
			return fail_with(err, errlen, "%s: label language '%s' is not zh-CN or en",
			                 what, k);
		out->text[l] = arena_strdup(a, json_string_value(v));
	}
	if (need_both && (!out->text[LANG_ZH] || !out->text[LANG_EN]))
		return fail_with(err, errlen, "%s: label needs both zh-CN and en", what);
	if (!out->text[LANG_ZH] && !out->text[LANG_EN])
		return fail_with(err, errlen, "%s: label is empty", what);
	return 0;
}

static int parse_options(struct arena *a, const json_t *arr, struct field *f, char *err,
                         size_t errlen)
{
	if (!json_is_array(arr) || json_array_size(arr) == 0)
		return fail_with(err, errlen, "field '%s': an enum needs a non-empty options array",
		                 f->name);
	f->n_options = json_array_size(arr);
	f->options = ARENA_NEW_ARRAY(a, struct option, f->n_options);
	for (size_t i = 0; i < f->n_options; i++) {
		const json_t *o = json_array_get(arr, i);
		struct option *opt = &f->options[i];
		opt->key = jstr(a, o, "key");
		if (!valid_key(opt->key))
			return fail_with(err, errlen,
			                 "field '%s': option %zu needs a key of [a-z0-9_-]",
			                 f->name, i + 1);
		for (size_t j = 0; j < i; j++)
			if (strcmp(f->options[j].key, opt->key) == 0)
				return fail_with(err, errlen, "field '%s': option '%s' twice",
				                 f->name, opt->key);
		char what[128];
		snprintf(what, sizeof what, "field '%s' option '%s'", f->name, opt->key);
		if (parse_label(a, json_object_get(o, "label"), &opt->label, false, err, errlen,
		                what))
			return -1;
		opt->disabled = json_is_true(json_object_get(o, "disabled"));
	}
	return 0;
}

/* A reference's rules `same` and `acyclic` as written; whether they fit the model (the field
 * `same` names, the entity `acyclic` needs) is checked once every entity is known. */
static int parse_reference_rules(struct arena *a, const json_t *j, struct field *f, char *err,
                                 size_t errlen)
{
	const json_t *same = json_object_get(j, "same"), *acyclic = json_object_get(j, "acyclic");
	if ((same || acyclic) && f->type != FT_REFERENCE)
		return fail_with(err, errlen, "field '%s': 'same' and 'acyclic' are for references",
		                 f->name);
	if (same) {
		f->same_name = json_is_string(same) ? jstr(a, j, "same") : NULL;
		if (!valid_name(f->same_name) || strcmp(f->same_name, f->name) == 0)
			return fail_with(err, errlen, "field '%s': 'same' names another field",
			                 f->name);
	}
	if (acyclic && !json_is_boolean(acyclic))
		return fail_with(err, errlen, "field '%s': 'acyclic' is true or false", f->name);
	f->acyclic = json_is_true(acyclic);
	return 0;
}

static const struct {
	const char *name;
	unsigned flag;
} flag_names[] = {
    {"required", FF_REQUIRED},     {"unique", FF_UNIQUE},       {"indexed", FF_INDEXED},
    {"searchable", FF_SEARCHABLE}, {"sensitive", FF_SENSITIVE}, {"read_only", FF_READONLY},
};

/* Keys a field definition may have; anything else is a mistake worth reporting. */
static const char *const field_keys[] = {
    "name",   "type",    "label",      "help",      "section",   "max_length", "min",
    "max",    "scale",   "format",     "ref",       "options",   "default",    "required",
    "unique", "indexed", "searchable", "sensitive", "read_only", "same",       "acyclic"};

int registry_parse_field(struct arena *a, const void *jv, struct field *f, char *err, size_t errlen)
{
	const json_t *j = jv;
	memset(f, 0, sizeof *f);
	if (!json_is_object(j))
		return fail_with(err, errlen, "a field definition is an object");
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)j, k, v)
	{
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(field_keys); i++)
			known |= strcmp(k, field_keys[i]) == 0;
		if (!known) {
			const char *fname = json_string_value(json_object_get(j, "name"));
			return fail_with(err, errlen, "field '%s': unknown key '%s'",
			                 fname ? fname : "(no name)", k);
		}
	}
	f->name = jstr(a, j, "name");
	if (!valid_name(f->name))
		return fail_with(err, errlen, "field name '%s' is not [a-z][a-z0-9_]*",
		                 f->name ? f->name : "(missing)");
	const char *type = json_string_value(json_object_get(j, "type"));
	int t = type ? field_type_parse(type) : -1;
	if (t < 0)
		return fail_with(err, errlen, "field '%s': unknown type '%s'", f->name,
		                 type ? type : "(missing)");
	f->type = (enum field_type)t;
	char what[96];
	snprintf(what, sizeof what, "field '%s'", f->name);
	if (parse_label(a, json_object_get(j, "label"), &f->label, true, err, errlen, what))
		return -1;
	if (json_object_get(j, "help") &&
	    parse_label(a, json_object_get(j, "help"), &f->help, false, err, errlen, what))
		return -1;
	f->section = jstr(a, j, "section");
	for (size_t i = 0; i < ARRAY_SIZE(flag_names); i++) {
		json_t *b = json_object_get(j, flag_names[i].name);
		if (b && !json_is_boolean(b))
			return fail_with(err, errlen, "field '%s': '%s' is true or false", f->name,
			                 flag_names[i].name);
		if (json_is_true(b))
			f->flags |= flag_names[i].flag;
	}
	json_t *ml = json_object_get(j, "max_length");
	if (ml) {
		if (!json_is_integer(ml) || json_integer_value(ml) < 1 ||
		    json_integer_value(ml) > 100000)
			return fail_with(err, errlen, "field '%s': max_length is 1..100000",
			                 f->name);
		f->max_length = (int)json_integer_value(ml);
	}
	json_t *mn = json_object_get(j, "min"), *mx = json_object_get(j, "max");
	if (mn) {
		if (!json_is_integer(mn))
			return fail_with(err, errlen, "field '%s': min is an integer", f->name);
		f->has_min = true;
		f->min = json_integer_value(mn);
	}
	if (mx) {
		if (!json_is_integer(mx))
			return fail_with(err, errlen, "field '%s': max is an integer", f->name);
		f->has_max = true;
		f->max = json_integer_value(mx);
	}
	json_t *sc = json_object_get(j, "scale");
	if (f->type == FT_DECIMAL) {
		f->scale = sc ? (int)json_integer_value(sc) : 2;
		if (f->scale < 0 || f->scale > 6)
			return fail_with(err, errlen, "field '%s': scale is 0..6", f->name);
	} else if (sc) {
		return fail_with(err, errlen, "field '%s': scale is for decimals", f->name);
	}
	const char *fmt = json_string_value(json_object_get(j, "format"));
	if (fmt) {
		f->format = TF__MAX;
		for (int i = 1; i < TF__MAX; i++)
			if (strcmp(fmt, text_format_names[i]) == 0)
				f->format = (enum text_format)i;
		if (f->format == TF__MAX || f->type != FT_TEXT)
			return fail_with(err, errlen, "field '%s': unknown text format '%s'",
			                 f->name, fmt);
	}
	if (f->type == FT_REFERENCE) {
		f->ref_name = jstr(a, j, "ref");
		if (!f->ref_name)
			return fail_with(err, errlen, "field '%s': a reference needs 'ref'",
			                 f->name);
	} else if (json_object_get(j, "ref")) {
		return fail_with(err, errlen, "field '%s': 'ref' is for references", f->name);
	}
	if (parse_reference_rules(a, j, f, err, errlen))
		return -1;
	if (f->type == FT_ENUM || f->type == FT_MULTIENUM) {
		if (parse_options(a, json_object_get(j, "options"), f, err, errlen))
			return -1;
	} else if (json_object_get(j, "options")) {
		return fail_with(err, errlen, "field '%s': options are for enums", f->name);
	}
	json_t *def = json_object_get(j, "default");
	if (def) {
		char *d = json_dumps(def, JSON_ENCODE_ANY | JSON_COMPACT);
		f->default_value = arena_strdup(a, d);
		free(d);
	}
	if ((f->flags & FF_SEARCHABLE) && f->type != FT_TEXT && f->type != FT_LONGTEXT &&
	    f->type != FT_EMAIL && f->type != FT_PHONE && f->type != FT_URL)
		return fail_with(err, errlen, "field '%s': only text-like fields are searchable",
		                 f->name);
	/* Search tokens would tell a masked field's content to anyone who may search. */
	if ((f->flags & FF_SEARCHABLE) && (f->flags & FF_SENSITIVE))
		return fail_with(err, errlen, "field '%s': a sensitive field cannot be searchable",
		                 f->name);
	/* Indexed would make it sortable, and a keyset cursor carries the sort value; unique would
	 * answer "taken" to a guess. */
	if ((f->flags & (FF_INDEXED | FF_UNIQUE)) && (f->flags & FF_SENSITIVE))
		return fail_with(err, errlen,
		                 "field '%s': a sensitive field cannot be indexed or unique",
		                 f->name);
	if ((f->flags & (FF_INDEXED | FF_UNIQUE)) && f->type == FT_LONGTEXT)
		return fail_with(err, errlen, "field '%s': long text cannot be indexed", f->name);
	if ((f->flags & (FF_INDEXED | FF_UNIQUE)) && f->type == FT_MULTIENUM)
		return fail_with(err, errlen, "field '%s': a multi-select cannot be indexed",
		                 f->name);
	return 0;
}

/* Labels of the columns the registry adds to every entity. */
static const struct {
	const char *name;
	enum field_type type;
	const char *zh, *en;
} system_fields[] = {
    {"id", FT_INT, "编号", "ID"},
    {"owner_id", FT_USER, "负责人", "Owner"},
    {"org_unit_id", FT_INT, "所属部门", "Organisation unit"},
    {"created_at", FT_DATETIME, "创建时间", "Created at"},
    {"created_by", FT_USER, "创建人", "Created by"},
    {"updated_at", FT_DATETIME, "更新时间", "Updated at"},
    {"updated_by", FT_USER, "更新人", "Updated by"},
    {"version", FT_INT, "版本", "Version"},
    {"deleted_at", FT_DATETIME, "删除时间", "Deleted at"},
    {"search_tokens", FT_LONGTEXT, "搜索词", "Search tokens"},
};

static void add_system_field(struct arena *a, struct field *f, size_t i)
{
	memset(f, 0, sizeof *f);
	f->name = system_fields[i].name;
	f->type = system_fields[i].type;
	f->label.text[LANG_ZH] = system_fields[i].zh;
	f->label.text[LANG_EN] = system_fields[i].en;
	f->section = "system";
	f->flags = FF_SYSTEM | FF_READONLY;
	if (strcmp(f->name, "owner_id") == 0) {
		f->flags = FF_SYSTEM | FF_INDEXED; /* assignable: who owns a record is data */
		f->section = NULL;
	}
	if (strcmp(f->name, "org_unit_id") == 0 || strcmp(f->name, "created_at") == 0 ||
	    strcmp(f->name, "updated_at") == 0)
		f->flags |= FF_INDEXED;
	if (strcmp(f->name, "search_tokens") == 0)
		f->flags = FF_SYSTEM | FF_READONLY | FF_INTERNAL;
	UNUSED(a);
}

static int cmp_field_name(const void *x, const void *y)
{
	const struct field *const *a = x, *const *b = y;
	return strcmp((*a)->name, (*b)->name);
}

/* Working state while an entity's fields are collected (schema, then overlays). */
struct entity_build {
	struct entity *e;
	struct field *fields;
	size_t n, cap;
	json_t *schema; /* the entity's schema, until links_resolve */
};

static void free_builds(struct entity_build *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_decref(b[i].schema);
	}
	free(b);
}

static struct field *eb_push(struct arena *a, struct entity_build *b)
{
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 128;
		struct field *nf = ARENA_NEW_ARRAY(a, struct field, cap);
		if (b->n)
			memcpy(nf, b->fields, b->n * sizeof *nf);
		b->fields = nf;
		b->cap = cap;
	}
	return &b->fields[b->n++];
}

static int parse_entity(struct arena *a, const json_t *j, struct entity_build *b, char *err,
                        size_t errlen)
{
	struct entity *e = b->e;
	static const char *const keys[] = {
	    "entity",       "label",    "label_plural", "title_field", "owned",
	    "default_sort", "sections", "fields",       "indexes",     "area",
	    "pool",         "timeline", "handover",     "business",    "$comment"};
	/* The sidebar's areas (web/src/views/AppLayout.vue): where the entity's list is found. */
	static const char *const areas[] = {"workbench", "customers", "sales",   "orders",
	                                    "marketing", "knowledge", "service", "analytics"};
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)j, k, v)
	{
		bool known = false;
		for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
			known |= strcmp(k, keys[i]) == 0;
		if (!known)
			return fail_with(err, errlen, "unknown key '%s'", k);
	}
	e->name = jstr(a, j, "entity");
	if (!valid_name(e->name))
		return fail_with(err, errlen, "entity name is not [a-z][a-z0-9_]*");
	for (size_t i = 0; i < ARRAY_SIZE(reserved_entities); i++)
		if (strcmp(e->name, reserved_entities[i]) == 0)
			return fail_with(err, errlen, "entity name '%s' is reserved", e->name);
	if (parse_label(a, json_object_get(j, "label"), &e->label, true, err, errlen, e->name) ||
	    parse_label(a, json_object_get(j, "label_plural"), &e->label_plural, true, err, errlen,
	                e->name))
		return -1;
	e->title_field = jstr(a, j, "title_field");
	e->owned = json_is_true(json_object_get(j, "owned"));
	e->pool = json_is_true(json_object_get(j, "pool"));
	if (e->pool && !e->owned)
		return fail_with(err, errlen, "entity '%s': only an owned entity has a pool",
		                 e->name);
	/* Resolved with the references, once every entity is known (links.c). */
	b->schema = json_incref((json_t *)j);
	e->default_sort = jstr(a, j, "default_sort");
	if (!e->default_sort)
		e->default_sort = "-updated_at";
	e->area = jstr(a, j, "area");
	bool area_known = false;
	for (size_t i = 0; e->area && i < ARRAY_SIZE(areas); i++)
		area_known |= strcmp(e->area, areas[i]) == 0;
	if (!area_known)
		return fail_with(err, errlen,
		                 "entity '%s' needs an area (workbench, customers, sales …)",
		                 e->name);

	json_t *secs = json_object_get(j, "sections");
	e->n_sections = json_array_size(secs);
	e->sections = ARENA_NEW_ARRAY(a, struct section, e->n_sections + 2);
	for (size_t i = 0; i < e->n_sections; i++) {
		json_t *s = json_array_get(secs, i);
		e->sections[i].key = jstr(a, s, "key");
		if (!valid_name(e->sections[i].key))
			return fail_with(err, errlen, "section %zu needs a key", i + 1);
		if (parse_label(a, json_object_get(s, "label"), &e->sections[i].label, true, err,
		                errlen, e->sections[i].key))
			return -1;
	}

	json_t *fields = json_object_get(j, "fields");
	if (!json_is_array(fields) || json_array_size(fields) == 0)
		return fail_with(err, errlen, "'fields' must be a non-empty array");
	add_system_field(a, eb_push(a, b), 0); /* id first */
	for (size_t i = 0; i < json_array_size(fields); i++) {
		struct field *f = eb_push(a, b);
		char ferr[256];
		if (registry_parse_field(a, json_array_get(fields, i), f, ferr, sizeof ferr))
			return fail_with(err, errlen, "%s", ferr);
		if (is_system_name(f->name))
			return fail_with(err, errlen, "field '%s' is a system column", f->name);
	}

	json_t *idx = json_object_get(j, "indexes");
	e->n_indexes = json_array_size(idx);
	e->indexes = ARENA_NEW_ARRAY(a, struct index_def, e->n_indexes);
	for (size_t i = 0; i < e->n_indexes; i++) {
		json_t *cols = json_array_get(idx, i);
		struct index_def *d = &e->indexes[i];
		d->n_columns = json_array_size(cols);
		if (d->n_columns < 1 || d->n_columns > 4)
			return fail_with(err, errlen, "index %zu: 1 to 4 columns", i + 1);
		d->columns = ARENA_NEW_ARRAY(a, const char *, d->n_columns);
		for (size_t c = 0; c < d->n_columns; c++) {
			const char *cn = json_string_value(json_array_get(cols, c));
			d->columns[c] = cn ? arena_strdup(a, cn) : NULL;
			if (!d->columns[c])
				return fail_with(err, errlen, "index %zu: columns are names",
				                 i + 1);
		}
	}
	return 0;
}

/* Add the trailing system fields, sort the lookup index and check cross-references. */
static int finish_entity(struct arena *a, struct entity_build *b, char *err, size_t errlen)
{
	struct entity *e = b->e;
	for (size_t i = 1; i < ARRAY_SIZE(system_fields); i++) {
		const char *n = system_fields[i].name;
		if (!e->owned && (strcmp(n, "owner_id") == 0 || strcmp(n, "org_unit_id") == 0))
			continue;
		add_system_field(a, eb_push(a, b), i);
	}
	e->fields = b->fields;
	e->n_fields = b->n;
	/* Every entity has a place for administrators' fields and one for the system columns. */
	static const struct section extra[] = {
	    {"custom", {{"自定义字段", "Custom fields"}}},
	    {"system", {{"系统信息", "System"}}},
	};
	for (size_t i = 0; i < ARRAY_SIZE(extra); i++) {
		bool have = false;
		for (size_t k = 0; k < e->n_sections; k++)
			have |= strcmp(e->sections[k].key, extra[i].key) == 0;
		if (!have)
			e->sections[e->n_sections++] = extra[i];
	}
	e->searchable = false;
	for (size_t i = 0; i < e->n_fields; i++) {
		e->fields[i].position = i;
		if ((e->fields[i].flags & FF_SEARCHABLE) && !(e->fields[i].flags & FF_REMOVED))
			e->searchable = true;
	}
	struct str cols = STR_INIT;
	for (size_t i = 0; i < e->n_fields; i++) {
		const struct field *f = &e->fields[i];
		str_addf(&cols, "%st.\"%s\"", i ? ", " : "", f->name);
		if (f->type == FT_MONEY)
			str_addf(&cols, ", t.\"%s_currency\"", f->name);
	}
	e->columns_all = arena_strndup(a, cols.buf, cols.len);
	str_release(&cols);
	e->by_name = ARENA_NEW_ARRAY(a, const struct field *, e->n_fields);
	for (size_t i = 0; i < e->n_fields; i++)
		e->by_name[i] = &e->fields[i];
	qsort(e->by_name, e->n_fields, sizeof *e->by_name, cmp_field_name);
	for (size_t i = 1; i < e->n_fields; i++)
		if (strcmp(e->by_name[i - 1]->name, e->by_name[i]->name) == 0)
			return fail_with(err, errlen, "%s: field '%s' twice", e->name,
			                 e->by_name[i]->name);
	if (e->title_field && !entity_field(e, e->title_field))
		return fail_with(err, errlen, "%s: title_field '%s' is not a field", e->name,
		                 e->title_field);
	const char *ds = e->default_sort[0] == '-' ? e->default_sort + 1 : e->default_sort;
	const struct field *sf = entity_field(e, ds);
	if (!sf || !field_sortable(sf))
		return fail_with(err, errlen, "%s: default_sort '%s' is not a sortable field",
		                 e->name, ds);
	for (size_t i = 0; i < e->n_indexes; i++)
		for (size_t c = 0; c < e->indexes[i].n_columns; c++)
			if (!entity_field(e, e->indexes[i].columns[c]))
				return fail_with(err, errlen,
				                 "%s: index column '%s' is not a field", e->name,
				                 e->indexes[i].columns[c]);
	for (size_t i = 0; i < e->n_sections; i++)
		for (size_t k = 0; k < i; k++)
			if (strcmp(e->sections[i].key, e->sections[k].key) == 0)
				return fail_with(err, errlen, "%s: section '%s' twice", e->name,
				                 e->sections[i].key);
	return 0;
}

static int load_overlays(struct db *db, struct arena *a, struct entity_build *builds, size_t n,
                         int64_t *version, char *err, size_t errlen)
{
	struct db_stmt *st;
	int rc = db_query_int(db, "SELECT value FROM sys_meta WHERE key = 'meta_version'", 0, NULL,
	                      version);
	if (rc)
		return fail_with(err, errlen, "cannot read meta_version: %s", db_errmsg(db));
	rc = db_prepare(db,
	                "SELECT entity, definition, deleted_at IS NOT NULL FROM meta_custom_fields "
	                "ORDER BY position, id",
	                &st);
	if (rc)
		return fail_with(err, errlen, "cannot read custom fields: %s", db_errmsg(db));
	while ((rc = db_step(st)) == DB_ROW) {
		const char *ent = db_column_text(st, 0, NULL);
		struct entity_build *b = NULL;
		for (size_t i = 0; i < n; i++)
			if (strcmp(builds[i].e->name, ent) == 0)
				b = &builds[i];
		if (!b) {
			log_warn("custom field of unknown entity '%s' ignored", ent);
			continue;
		}
		json_error_t je;
		json_t *def = json_loads(db_column_text(st, 1, NULL), 0, &je);
		struct field f;
		char ferr[256];
		if (!def || registry_parse_field(a, def, &f, ferr, sizeof ferr)) {
			log_error("custom field of '%s' ignored: %s", ent, def ? ferr : je.text);
			json_decref(def);
			continue;
		}
		json_decref(def);
		f.flags |= FF_CUSTOM;
		if (db_column_int(st, 2))
			f.flags |= FF_REMOVED;
		if (!f.section)
			f.section = "custom";
		*eb_push(a, b) = f;
	}
	db_reset(st);
	if (rc != DB_DONE)
		return fail_with(err, errlen, "cannot read custom fields: %s", db_errmsg(db));

	rc = db_prepare(db, "SELECT entity, field, options FROM meta_options", &st);
	if (rc)
		return fail_with(err, errlen, "cannot read option lists: %s", db_errmsg(db));
	while ((rc = db_step(st)) == DB_ROW) {
		const char *ent = db_column_text(st, 0, NULL), *fname = db_column_text(st, 1, NULL);
		struct field *f = NULL;
		for (size_t i = 0; i < n && !f; i++)
			if (strcmp(builds[i].e->name, ent) == 0)
				for (size_t k = 0; k < builds[i].n; k++)
					if (strcmp(builds[i].fields[k].name, fname) == 0)
						f = &builds[i].fields[k];
		json_t *opts = json_loads(db_column_text(st, 2, NULL), 0, NULL);
		char ferr[256];
		if (f && opts && (f->type == FT_ENUM || f->type == FT_MULTIENUM) &&
		    parse_options(a, opts, f, ferr, sizeof ferr) == 0) {
			json_decref(opts);
			continue;
		}
		log_error("option list of '%s.%s' ignored", ent, fname);
		json_decref(opts);
	}
	db_reset(st);
	if (rc != DB_DONE)
		return fail_with(err, errlen, "cannot read option lists: %s", db_errmsg(db));
	return 0;
}

/* A related list's label: the child's plural, with the field's label when plain is false. */
static void relation_label(struct arena *a, struct relation *rel, bool plain)
{
	for (int l = 0; l < LANG__MAX; l++) {
		const char *plural = label_get(&rel->child->label_plural, (enum lang)l);
		rel->label.text[l] =
		    plain ? plural
		          : arena_printf(a, l == LANG_ZH ? "%s（%s）" : "%s (%s)", plural,
		                         label_get(&rel->via->label, (enum lang)l));
	}
}

/*
 * The rules of references, once every reference is resolved: `same` names a visible reference
 * that the record's entity and the target's both have, to one and the same entity (else there
 * is nothing the two could share); `acyclic` is for a reference to its own entity (a chain of
 * records of one kind).
 */
static int check_reference_rules(struct registry *r, char *err, size_t errlen)
{
	for (size_t i = 0; i < r->n_entities; i++) {
		struct entity *e = &r->entities[i];
		for (size_t k = 0; k < e->n_fields; k++) {
			struct field *f = &e->fields[k];
			if (f->acyclic && f->ref != e)
				return fail_with(
				    err, errlen,
				    "%s.%s: 'acyclic' is for a reference to its own entity",
				    e->name, f->name);
			if (!f->same_name)
				continue;
			const struct field *own = entity_field(e, f->same_name);
			const struct field *theirs = entity_field(f->ref, f->same_name);
			if (!own || !field_visible(own) || own->type != FT_REFERENCE)
				return fail_with(err, errlen,
				                 "%s.%s: 'same' names '%s', not a reference of %s",
				                 e->name, f->name, f->same_name, e->name);
			if (!theirs || !field_visible(theirs) || theirs->type != FT_REFERENCE ||
			    theirs->ref != own->ref)
				return fail_with(
				    err, errlen,
				    "%s.%s: 'same' names '%s', which %s lacks as a reference to %s",
				    e->name, f->name, f->same_name, f->ref->name, own->ref->name);
			f->same = own;
		}
	}
	return 0;
}

static void derive_relations(struct registry *r)
{
	for (size_t i = 0; i < r->n_entities; i++) {
		struct entity *parent = &r->entities[i];
		size_t count = 0;
		for (size_t c = 0; c < r->n_entities; c++)
			for (size_t k = 0; k < r->entities[c].n_fields; k++)
				if (r->entities[c].fields[k].ref == parent &&
				    field_visible(&r->entities[c].fields[k]))
					count++;
		parent->relations = ARENA_NEW_ARRAY(&r->arena, struct relation, count);
		for (size_t c = 0; c < r->n_entities; c++) {
			const struct entity *child = &r->entities[c];
			/* The first reference (built-in fields come before custom ones) keeps the
			 * plain name, so adding a second one never renames an existing list. */
			bool first = true;
			for (size_t k = 0; k < child->n_fields; k++) {
				const struct field *f = &child->fields[k];
				if (f->ref != parent || !field_visible(f))
					continue;
				struct relation *rel = &parent->relations[parent->n_relations++];
				rel->child = child;
				rel->via = f;
				rel->name =
				    first ? child->name
				          : arena_printf(&r->arena, "%s__%s", child->name, f->name);
				relation_label(&r->arena, rel, first && child != parent);
				first = false;
			}
		}
	}
}

/*
 * The processes of table processes onto their entities. A definition that no longer fits the
 * model (a field it names was removed) is left out with an error in the log, not a model that
 * fails to load.
 */
static int load_processes(struct db *db, struct registry *r, char *err, size_t errlen)
{
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT key, entity, definition, version FROM processes", &st);
	if (rc) {
		snprintf(err, errlen, "cannot read the processes: %s", db_errmsg(db));
		return -1;
	}
	while ((rc = db_step(st)) == DB_ROW) {
		const char *key = db_column_text(st, 0, NULL);
		struct entity *e = (struct entity *)registry_entity(r, db_column_text(st, 1, NULL));
		json_error_t je;
		json_t *def = json_loads(db_column_text(st, 2, NULL), 0, &je);
		struct process *p = ARENA_NEW(&r->arena, struct process);
		char why[300];
		if (!e || !def || process_parse(&r->arena, e, key, def, p, why, sizeof why))
			log_error("process '%s' is left out: %s", key,
			          !e     ? "its entity is gone"
			          : !def ? "not JSON"
			                 : why);
		else {
			p->version = db_column_int(st, 3);
			e->process = p;
		}
		json_decref(def);
	}
	db_reset(st);
	if (rc != DB_DONE) {
		snprintf(err, errlen, "cannot read the processes: %s", db_errmsg(db));
		return -1;
	}
	return 0;
}

/* Entity declarations read from --schema-dir at start-up, after the embedded ones. */
static struct embedded_file *extra_schema;
static size_t extra_count;

int registry_add_schema_dir(const char *dir, char **errp)
{
	DIR *d = opendir(dir);
	if (!d) {
		*errp = xstrdup(strerror(errno));
		return -1;
	}
	struct dirent *de;
	int rc = 0;
	while (!rc && (de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 || de->d_name[0] == '.')
			continue;
		char path[4096];
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		FILE *f = fopen(path, "rb");
		struct str data = STR_INIT;
		char buf[8192];
		size_t k;
		while (f && (k = fread(buf, 1, sizeof buf, f)) > 0)
			str_add(&data, buf, k);
		if (!f || ferror(f)) {
			*errp = xstrdup(path);
			rc = -1;
		} else {
			extra_schema =
			    xrealloc(extra_schema, (extra_count + 1) * sizeof *extra_schema);
			extra_schema[extra_count].name = xstrdup(path);
			extra_schema[extra_count].len = data.len;
			extra_schema[extra_count].data = str_detach(&data, NULL);
			extra_count++;
		}
		if (f)
			fclose(f);
		str_release(&data);
	}
	closedir(d);
	return rc;
}

void registry_drop_schema_dir(void)
{
	for (size_t i = 0; i < extra_count; i++) {
		free((char *)extra_schema[i].name);
		free((char *)extra_schema[i].data);
	}
	free(extra_schema);
	extra_schema = NULL;
	extra_count = 0;
}

struct registry *registry_build(struct db *db, char **errp)
{
	char err[512] = "";
	struct registry *r = xcalloc(1, sizeof *r);
	arena_init(&r->arena, 64 * 1024);
	atomic_init(&r->refs, 1);
	struct arena *a = &r->arena;
	r->n_entities = embedded_schema_count + extra_count;
	r->entities = ARENA_NEW_ARRAY(a, struct entity, r->n_entities);
	struct entity_build *builds = xcalloc(r->n_entities ? r->n_entities : 1, sizeof *builds);

	for (size_t i = 0; i < r->n_entities; i++) {
		const struct embedded_file *ef = i < embedded_schema_count
		                                     ? &embedded_schema[i]
		                                     : &extra_schema[i - embedded_schema_count];
		json_error_t je;
		json_t *j = json_loadb(ef->data, ef->len, JSON_REJECT_DUPLICATES, &je);
		builds[i].e = &r->entities[i];
		char eerr[400];
		if (!j) {
			snprintf(err, sizeof err, "%s:%d: %s", ef->name, je.line, je.text);
			goto fail;
		}
		int rc = parse_entity(a, j, &builds[i], eerr, sizeof eerr);
		json_decref(j);
		if (rc) {
			snprintf(err, sizeof err, "%s: %s", ef->name, eerr);
			goto fail;
		}
		for (size_t k = 0; k < i; k++)
			if (strcmp(r->entities[k].name, r->entities[i].name) == 0) {
				snprintf(err, sizeof err, "%s: entity '%s' twice", ef->name,
				         r->entities[i].name);
				goto fail;
			}
	}
	if (db && load_overlays(db, a, builds, r->n_entities, &r->version, err, sizeof err))
		goto fail;
	for (size_t i = 0; i < r->n_entities; i++) {
		char eerr[400];
		if (finish_entity(a, &builds[i], eerr, sizeof eerr)) {
			snprintf(err, sizeof err, "%s", eerr);
			goto fail;
		}
	}
	/* Resolve references once every entity is known. */
	for (size_t i = 0; i < r->n_entities; i++) {
		struct entity *e = &r->entities[i];
		for (size_t k = 0; k < e->n_fields; k++) {
			struct field *f = &e->fields[k];
			if (f->type != FT_REFERENCE)
				continue;
			f->ref = registry_entity(r, f->ref_name);
			if (!f->ref) {
				snprintf(err, sizeof err, "%s.%s: reference to unknown entity '%s'",
				         e->name, f->name, f->ref_name);
				goto fail;
			}
		}
	}
	for (size_t i = 0; i < r->n_entities; i++) {
		char eerr[400];
		if (links_resolve(a, &r->entities[i], builds[i].schema, eerr, sizeof eerr)) {
			snprintf(err, sizeof err, "%s: %s", r->entities[i].name, eerr);
			goto fail;
		}
	}
	if (check_reference_rules(r, err, sizeof err))
		goto fail;
	derive_relations(r);
	if (db && load_processes(db, r, err, sizeof err))
		goto fail;
	free_builds(builds, r->n_entities);
	return r;
fail:
	free_builds(builds, r->n_entities);
	registry_free(r);
	*errp = xstrdup(err);
	return NULL;
}

void registry_free(struct registry *r)
{
	if (!r)
		return;
	arena_release(&r->arena);
	free(r);
}

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct registry *current;

struct registry *registry_acquire(void)
{
	pthread_mutex_lock(&current_lock);
	struct registry *r = current;
	if (r)
		atomic_fetch_add(&r->refs, 1);
	pthread_mutex_unlock(&current_lock);
	return r;
}

void registry_release(struct registry *r)
{
	if (r && atomic_fetch_sub(&r->refs, 1) == 1)
		registry_free(r);
}

void registry_install(struct registry *r)
{
	pthread_mutex_lock(&current_lock);
	struct registry *old = current;
	/* Never back in time: the background refresh may finish a build of version v after a
	 * request installed v + 1, and would otherwise put the older model back for a while. */
	if (old && r && old->version > r->version) {
		pthread_mutex_unlock(&current_lock);
		registry_release(r);
		return;
	}
	current = r;
	pthread_mutex_unlock(&current_lock);
	registry_release(old);
}

int registry_refresh(struct db *db)
{
	int64_t v = 0;
	int rc =
	    db_query_int(db, "SELECT value FROM sys_meta WHERE key = 'meta_version'", 0, NULL, &v);
	if (rc)
		return rc;
	struct registry *cur = registry_acquire();
	bool same = cur && cur->version == v;
	registry_release(cur);
	if (same)
		return 0;
	char *err = NULL;
	struct registry *r = registry_build(db, &err);
	if (!r) {
		log_error("cannot rebuild the metadata registry: %s", err);
		free(err);
		return -1;
	}
	registry_install(r);
	log_info("metadata registry rebuilt at version %lld", (long long)v);
	return 0;
}

const struct entity *registry_entity(const struct registry *r, const char *name)
{
	for (size_t i = 0; i < r->n_entities; i++)
		if (strcmp(r->entities[i].name, name) == 0)
			return &r->entities[i];
	return NULL;
}

const struct field *entity_field_n(const struct entity *e, const char *name, size_t n)
{
	size_t lo = 0, hi = e->n_fields;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *fn = e->by_name[mid]->name;
		int c = strncmp(fn, name, n);
		if (c == 0 && fn[n] != '\0')
			c = 1;
		if (c == 0)
			return e->by_name[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct field *entity_field(const struct entity *e, const char *name)
{
	return entity_field_n(e, name, strlen(name));
}

const struct relation *entity_relation(const struct entity *e, const char *name)
{
	for (size_t i = 0; i < e->n_relations; i++)
		if (strcmp(e->relations[i].name, name) == 0)
			return &e->relations[i];
	return NULL;
}

const struct option *field_option(const struct field *f, const char *key, size_t n)
{
	for (size_t i = 0; i < f->n_options; i++)
		if (strlen(f->options[i].key) == n && memcmp(f->options[i].key, key, n) == 0)
			return &f->options[i];
	return NULL;
}

bool field_sortable(const struct field *f)
{
	if (!field_visible(f) || f->type == FT_LONGTEXT || f->type == FT_MULTIENUM)
		return false;
	return strcmp(f->name, "id") == 0 || (f->flags & (FF_INDEXED | FF_UNIQUE)) ||
	       f->type == FT_REFERENCE;
}
