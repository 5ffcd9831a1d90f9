#include "metajson.h"
#include "access.h"
#include "process.h"
#include "query.h"
#include "core/util.h"
#include "match/keys.h"

void meta_label_json(struct str *out, const struct label *l)
{
	str_addc(out, '{');
	bool first = true;
	for (int i = 0; i < LANG__MAX; i++) {
		if (!l->text[i])
			continue;
		if (!first)
			str_addc(out, ',');
		first = false;
		str_add_jsons(out, lang_tags[i]);
		str_addc(out, ':');
		str_add_jsons(out, l->text[i]);
	}
	str_addc(out, '}');
}

static void flag(struct str *out, const char *name, bool v)
{
	str_addf(out, ",\"%s\":%s", name, v ? "true" : "false");
}

void meta_field_json(struct str *out, const struct field *f)
{
	str_adds(out, "{\"name\":");
	str_add_jsons(out, f->name);
	str_adds(out, ",\"type\":");
	str_add_jsons(out, field_type_names[f->type]);
	str_adds(out, ",\"label\":");
	meta_label_json(out, &f->label);
	if (f->help.text[LANG_ZH] || f->help.text[LANG_EN]) {
		str_adds(out, ",\"help\":");
		meta_label_json(out, &f->help);
	}
	str_adds(out, ",\"section\":");
	if (f->section)
		str_add_jsons(out, f->section);
	else
		str_adds(out, "null");
	flag(out, "required", f->flags & FF_REQUIRED);
	flag(out, "unique", f->flags & FF_UNIQUE);
	flag(out, "indexed", f->flags & FF_INDEXED);
	flag(out, "searchable", f->flags & FF_SEARCHABLE);
	flag(out, "sensitive", f->flags & FF_SENSITIVE);
	flag(out, "read_only", !field_writable(f));
	flag(out, "system", f->flags & FF_SYSTEM);
	flag(out, "custom", f->flags & FF_CUSTOM);
	flag(out, "sortable", field_sortable(f));
	if (f->max_length)
		str_addf(out, ",\"max_length\":%d", f->max_length);
	if (f->has_min)
		str_addf(out, ",\"min\":%lld", (long long)f->min);
	if (f->has_max)
		str_addf(out, ",\"max\":%lld", (long long)f->max);
	if (f->type == FT_DECIMAL)
		str_addf(out, ",\"scale\":%d", f->scale);
	if (f->format != TF_NONE)
		str_addf(out, ",\"format\":\"%s\"", text_format_name(f->format));
	if (f->type == FT_REFERENCE) {
		str_adds(out, ",\"ref\":");
		str_add_jsons(out, f->ref_name);
		/* The form offers only targets that keep the rules (same customer). */
		if (f->same_name) {
			str_adds(out, ",\"same\":");
			str_add_jsons(out, f->same_name);
		}
		if (f->acyclic)
			str_adds(out, ",\"acyclic\":true");
	} else if (f->type == FT_USER) {
		str_adds(out, ",\"ref\":\"users\"");
	}
	if (f->default_value) {
		str_adds(out, ",\"default\":");
		str_adds(out, f->default_value);
	}
	if (f->n_options) {
		str_adds(out, ",\"options\":[");
		for (size_t i = 0; i < f->n_options; i++) {
			const struct option *o = &f->options[i];
			if (i)
				str_addc(out, ',');
			str_adds(out, "{\"key\":");
			str_add_jsons(out, o->key);
			str_adds(out, ",\"label\":");
			meta_label_json(out, &o->label);
			if (o->disabled)
				str_adds(out, ",\"disabled\":true");
			str_addc(out, '}');
		}
		str_addc(out, ']');
	}
	str_adds(out, ",\"operators\":[");
	bool first = true;
	for (int op = 0; op < OP__MAX; op++) {
		if (!filter_op_allowed(f, (enum filter_op)op))
			continue;
		if (!first)
			str_addc(out, ',');
		first = false;
		str_add_jsons(out, filter_op_names[op]);
	}
	str_adds(out, "]}");
}

void meta_entity_json(struct str *out, const struct entity *e, const struct actor *a)
{
	str_adds(out, "{\"name\":");
	str_add_jsons(out, e->name);
	str_adds(out, ",\"label\":");
	meta_label_json(out, &e->label);
	str_adds(out, ",\"label_plural\":");
	meta_label_json(out, &e->label_plural);
	str_adds(out, ",\"title_field\":");
	if (e->title_field)
		str_add_jsons(out, e->title_field);
	else
		str_adds(out, "null");
	str_adds(out, ",\"default_sort\":");
	str_add_jsons(out, e->default_sort);
	str_adds(out, ",\"area\":");
	str_add_jsons(out, e->area);
	flag(out, "searchable", e->searchable);
	flag(out, "owned", e->owned);
	str_adds(out, ",\"sections\":[");
	for (size_t i = 0; i < e->n_sections; i++) {
		if (i)
			str_addc(out, ',');
		str_adds(out, "{\"key\":");
		str_add_jsons(out, e->sections[i].key);
		str_adds(out, ",\"label\":");
		meta_label_json(out, &e->sections[i].label);
		str_addc(out, '}');
	}
	str_adds(out, "],\"fields\":[");
	bool first = true;
	for (size_t i = 0; i < e->n_fields; i++) {
		if (!field_visible(&e->fields[i]))
			continue;
		if (!first)
			str_addc(out, ',');
		first = false;
		meta_field_json(out, &e->fields[i]);
	}
	/* Whether POST /api/v1/{entity}/match checks for look-alikes (docs/internals/MATCH.md). */
	/* A shared pool (claim, release, hand over) and a timeline: the 360° page. */
	str_addf(out, "],\"duplicate_check\":%s,\"pool\":%s,\"timeline\":%s,\"process\":",
	         match_fields_of(e) ? "true" : "false", e->pool ? "true" : "false",
	         e->timeline ? "true" : "false");
	/* A process's state field is moved by transitions only: forms show it read-only. */
	if (e->process) {
		str_adds(out, "{\"key\":");
		str_add_jsons(out, e->process->key);
		str_adds(out, ",\"state_field\":");
		str_add_jsons(out, e->process->state_field->name);
		str_addc(out, '}');
	} else {
		str_adds(out, "null");
	}
	str_adds(out, ",\"relations\":[");
	for (size_t i = 0; i < e->n_relations; i++) {
		const struct relation *rel = &e->relations[i];
		if (i)
			str_addc(out, ',');
		str_adds(out, "{\"name\":");
		str_add_jsons(out, rel->name);
		str_adds(out, ",\"entity\":");
		str_add_jsons(out, rel->child->name);
		str_adds(out, ",\"field\":");
		str_add_jsons(out, rel->via->name);
		str_adds(out, ",\"label\":");
		meta_label_json(out, &rel->label);
		str_addc(out, '}');
	}
	/* What the caller may do (whether at all), and over which records (the scope). */
	str_adds(out, "],\"permissions\":{");
	struct op op = {.e = e, .actor = a};
	for (int act = 0; act < ACT__MAX; act++) {
		str_add_jsons(out, action_names[act]);
		str_adds(out,
		         access_scope(&op, (enum action)act) != SCOPE_NONE ? ":true," : ":false,");
	}
	str_addf(out, "\"restore\":%s,\"customize\":%s},\"scopes\":{", a->admin ? "true" : "false",
	         a->admin ? "true" : "false");
	for (int act = 0; act < ACT__MAX; act++) {
		if (act)
			str_addc(out, ',');
		str_add_jsons(out, action_names[act]);
		str_addc(out, ':');
		str_add_jsons(out, scope_names[access_scope(&op, (enum action)act)]);
	}
	str_adds(out, "}}");
}

void meta_registry_json(struct str *out, const struct registry *r, const struct actor *a)
{
	str_addf(out, "{\"version\":%lld,\"languages\":[\"zh-CN\",\"en\"],\"field_types\":[",
	         (long long)r->version);
	for (int i = 0; i < FT__MAX; i++) {
		if (i)
			str_addc(out, ',');
		str_add_jsons(out, field_type_names[i]);
	}
	str_adds(out, "],\"entities\":[");
	for (size_t i = 0; i < r->n_entities; i++) {
		if (i)
			str_addc(out, ',');
		meta_entity_json(out, &r->entities[i], a);
	}
	str_adds(out, "]}");
}
