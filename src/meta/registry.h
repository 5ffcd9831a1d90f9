/*
 * The metadata registry: every entity and field, loaded from the schema files embedded in the
 * binary (the files under schema/) and overlaid with what administrators added at run time (custom
 * fields, edited option lists). One registry drives DDL, validation, the generic API, OpenAPI,
 * import, export and the UI (docs/internals/METADATA.md).
 *
 * A registry is immutable once built. When an administrator changes the model a new one is built
 * in its own arena and swapped in; requests hold a reference to the one they started with.
 */
#ifndef SEXTANT_REGISTRY_H
#define SEXTANT_REGISTRY_H

#include "core/arena.h"
#include "core/i18n.h"
#include "db/db.h"

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum field_type {
	FT_TEXT,
	FT_LONGTEXT,
	FT_INT,
	FT_MONEY,
	FT_DECIMAL,
	FT_DATE,
	FT_DATETIME,
	FT_BOOL,
	FT_ENUM,
	FT_MULTIENUM,
	FT_REFERENCE,
	FT_USER,
	FT_EMAIL,
	FT_PHONE,
	FT_URL,
	FT__MAX
};

enum field_flags {
	FF_REQUIRED = 1 << 0,
	FF_UNIQUE = 1 << 1,     /* among live (not deleted) records */
	FF_INDEXED = 1 << 2,    /* an index, which also makes the field sortable */
	FF_SEARCHABLE = 1 << 3, /* feeds the full-text search tokens */
	FF_SENSITIVE = 1 << 4,  /* personal data: masked unless the role may see it */
	FF_READONLY = 1 << 5,   /* set by the system, never by a request */
	FF_SYSTEM = 1 << 6,     /* a column every table has (id, created_at …) */
	FF_CUSTOM = 1 << 7,     /* added by an administrator at run time */
	FF_INTERNAL = 1 << 8,   /* never leaves the server (search tokens) */
	FF_REMOVED = 1 << 9,    /* a removed custom field: column and data kept, hidden */
};

/* Extra checks on text fields. */
/* Postcodes and credit codes are checked; the three region parts are only shown as one
 * province / city / district picker by the web app. */
enum text_format { TF_NONE, TF_POSTCODE, TF_USCC, TF_PROVINCE, TF_CITY, TF_DISTRICT, TF__MAX };

struct option {
	const char *key; /* stable ASCII key stored in the database */
	struct label label;
	bool disabled; /* kept for old records, not offered for new values */
};

struct entity;

struct field {
	const char *name; /* API name and column name: [a-z][a-z0-9_]* */
	enum field_type type;
	unsigned flags;
	struct label label;
	struct label help;
	const char *section;
	int max_length; /* text: code points; 0: the type's default */
	bool has_min, has_max;
	int64_t min, max; /* int, money (fen), decimal (scaled) */
	int scale;        /* decimal: digits after the point */
	enum text_format format;
	const char *ref_name; /* reference: target entity's name */
	const struct entity *ref;
	/* Rules of a reference (docs/internals/METADATA.md), checked by meta/refrules.c. `same`:
	 * the target must hold the same value as the record in that field of both (a contact
	 * reports only to a contact of its own customer); `acyclic` (a reference to its own
	 * entity): following it from a record never comes back to the record. */
	const char *same_name;
	const struct field *same; /* resolved: this entity's field named same_name */
	bool acyclic;
	struct option *options;
	size_t n_options;
	const char
	    *default_value; /* JSON text of the value a create gets when the field is absent */
	size_t position;    /* order in the entity's field list */
};

struct section {
	const char *key;
	struct label label;
};

struct index_def {
	const char **columns;
	size_t n_columns;
};

/* A related list: records of `child` whose `via` field references this entity. */
struct relation {
	const char *name; /* URL segment: the child's name, or child__field when ambiguous */
	const struct entity *child;
	const struct field *via;
	/* The child's plural label; "plural (field label)" for a second list of the same child or
	 * a list of the entity's own records, so that two tabs never read the same. */
	struct label label;
};

/*
 * Records of an entity that are about a customer (schema key "timeline"): they make up the
 * customer's timeline, and with followup one that has happened counts as following the customer
 * (and its contact) up: the customer's last_followup_at and the contact's last_contacted_at.
 */
struct timeline {
	const struct field *customer, *contact, *at; /* contact may be NULL */
	const struct field *kind,
	    *detail; /* an option list and a text shown with it; may be NULL */
	bool followup;
};

/* Records whose option field `field` holds one of `values`; every record when field is NULL. */
struct option_set {
	const struct field *field;
	const char **values;
	size_t n_values;
};

/*
 * What of an entity moves with a customer handed over to someone else (schema key "handover"):
 * the former owner's records about the customer (by `customer`), those in `when` — the open
 * tasks — or all of them.
 */
struct handover {
	const struct field *customer;
	struct option_set when;
};

/*
 * Records of an entity that are business done with a customer (schema key "business"): orders,
 * contracts. Those in `counted` (signed, delivered: not drafts or cancelled ones), dated by `at`,
 * make the customer's repeat business, from which its loyalty is scored (modules/loyalty.h).
 */
struct business {
	const struct field *customer, *at;
	struct option_set counted;
};

struct entity {
	const char *name; /* plural, URL segment and table name */
	struct label label, label_plural;
	const char *title_field;
	bool owned; /* has owner_id and org_unit_id */
	bool searchable;
	const char *default_sort; /* "-updated_at" */
	const char *area;         /* the sidebar area that lists it: "customers", "sales" … */
	struct field *fields;
	size_t n_fields;
	const struct field **by_name; /* sorted by name, for lookup */
	struct section *sections;
	size_t n_sections;
	struct index_def *indexes;
	size_t n_indexes;
	struct relation *relations;
	size_t n_relations;
	/* Every column in field order, as t."id", t."name", … (record loads use it as is). */
	const char *columns_all;
	/* The process its records follow (meta/process.h), or NULL. */
	const struct process *process;
	/* Records without an owner are in the shared pool: readable, and claimable (C-POOL). */
	bool pool;
	const struct timeline *timeline; /* NULL: not about customers */
	const struct handover *handover; /* NULL: stays with its owner */
	const struct business *business; /* NULL: no business done with customers */
};

struct registry {
	struct arena arena;
	struct entity *entities;
	size_t n_entities;
	int64_t version; /* sys_meta.meta_version it was built from */
	atomic_int refs;
};

/* Names of the system columns, in table order. */
#define SYS_ID "id"

/* Read every *.json of dir as entity declarations too, in every registry built from now on
 * (--schema-dir: a company's own entities, the tests' entities). -1 with *errp on failure. */
int registry_add_schema_dir(const char *dir, char **errp);
void registry_drop_schema_dir(void);

/*
 * Build a registry from the embedded schema files (and --schema-dir's) plus the overlays in the
 * database (custom fields and option lists), or, with db NULL, from the schema files alone. On
 * failure returns NULL and writes what is wrong to *err (malloc'd).
 */
struct registry *registry_build(struct db *db, char **err);
void registry_free(struct registry *r);

/* The current registry, with a reference the caller releases. */
struct registry *registry_acquire(void);
void registry_release(struct registry *r);
/* Make r current (takes the caller's reference). An r older than the current registry (a
 * lower meta_version) is dropped instead: models only move forward (a database put back from a
 * backup needs the nodes restarted). */
void registry_install(struct registry *r);
/* Rebuild from the database if the stored meta_version differs; 0 if nothing to do. */
int registry_refresh(struct db *db);

const struct entity *registry_entity(const struct registry *r, const char *name);
const struct field *entity_field(const struct entity *e, const char *name);
const struct field *entity_field_n(const struct entity *e, const char *name, size_t n);
const struct relation *entity_relation(const struct entity *e, const char *name);
const struct option *field_option(const struct field *f, const char *key, size_t n);

/* Whether a list may be sorted on the field (an index serves it). */
bool field_sortable(const struct field *f);
/* Whether the API shows the field (not internal, not removed). */
static inline bool field_visible(const struct field *f)
{
	return !(f->flags & (FF_INTERNAL | FF_REMOVED));
}
/* Whether a request may set the field. */
static inline bool field_writable(const struct field *f)
{
	return !(f->flags & (FF_READONLY | FF_INTERNAL | FF_REMOVED));
}

/* Whether the system (an operation without an actor: the process engine, the demo) may set
 * the field: the read-only fields it fills in, never the columns every table has. */
static inline bool field_system_writable(const struct field *f)
{
	return field_writable(f) || !(f->flags & (FF_SYSTEM | FF_INTERNAL | FF_REMOVED));
}

/* Parse one field definition (the schema files' form); used for custom fields too. */
int registry_parse_field(struct arena *a, const void *json_field, struct field *out, char *err,
                         size_t errlen);

extern const char *const field_type_names[FT__MAX];
int field_type_parse(const char *name);
const char *text_format_name(enum text_format f);

#endif
