#include "policy.h"
#include "services/settings.h"
#include "actor.h"
#include "core/text.h"
#include "core/timeutil.h"
#include "core/util.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static long default_account_failures = 5, default_ip_failures = 50, default_window_s = 900;

void policy_set_defaults(long account_failures, long ip_failures, long window_s)
{
	default_account_failures = account_failures;
	default_ip_failures = ip_failures;
	default_window_s = window_s;
}

static void defaults(struct security_policy *p)
{
	*p = (struct security_policy){
	    .password_min_length = 12, /* ASVS 2.1.1 */
	    .password_history = 5,
	    .password_block_common = true,
	    .login_account_failures = default_account_failures,
	    .login_ip_failures = default_ip_failures,
	    .login_window_s = default_window_s,
	    .session_idle_minutes = 30,
	    .session_absolute_hours = 12,
	};
}

/* ---- networks ---- */

/* "10.0.0.0/8", "192.168.1.7", "2001:db8::/32" → n; false if it is none of these. */
static bool net_parse(const char *s, struct net *n)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t len = slash ? (size_t)(slash - s) : strlen(s);
	if (len >= sizeof buf)
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	memset(n, 0, sizeof *n);
	if (inet_pton(AF_INET, buf, n->addr) == 1) {
		n->family = AF_INET;
		n->bits = 32;
	} else if (inet_pton(AF_INET6, buf, n->addr) == 1) {
		n->family = AF_INET6;
		n->bits = 128;
	} else {
		return false;
	}
	if (slash) {
		char *end;
		long b = strtol(slash + 1, &end, 10);
		if (*end || end == slash + 1 || b < 0 || b > n->bits)
			return false;
		n->bits = (int)b;
	}
	return true;
}

static bool net_contains(const struct net *n, int family, const unsigned char *addr)
{
	if (n->family != family)
		return false;
	int full = n->bits / 8, rest = n->bits % 8;
	if (memcmp(n->addr, addr, (size_t)full) != 0)
		return false;
	if (!rest)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (n->addr[full] & mask) == (addr[full] & mask);
}

static void net_text(const struct net *n, struct str *out)
{
	char buf[INET6_ADDRSTRLEN];
	inet_ntop(n->family, n->addr, buf, sizeof buf);
	str_adds(out, buf);
	str_addf(out, "/%d", n->bits);
}

bool policy_ip_allowed(const struct security_policy *p, const char *const *roles, size_t n_roles,
                       const char *ip)
{
	unsigned char addr[16];
	int family = 0;
	if (ip && inet_pton(AF_INET, ip, addr) == 1)
		family = AF_INET;
	else if (ip && inet_pton(AF_INET6, ip, addr) == 1)
		family = AF_INET6;
	bool restricted = false;
	for (size_t r = 0; r < n_roles; r++)
		for (size_t i = 0; i < p->n_ip_rules; i++) {
			const struct ip_rule *rule = &p->ip_rules[i];
			if (strcmp(rule->role, roles[r]) != 0)
				continue;
			restricted = true;
			for (size_t k = 0; k < rule->n_nets && family; k++)
				if (net_contains(&rule->nets[k], family, addr))
					return true;
		}
	return !restricted;
}

const char *policy_restriction(const struct security_policy *p, const struct actor *a,
                               int64_t now_ms)
{
	if (a->must_change_password)
		return "password_change_required";
	if (p->password_max_age_days > 0 && a->password_changed_ms &&
	    now_ms > a->password_changed_ms + p->password_max_age_days * 86400000LL)
		return "password_change_required";
	if (!a->totp_enabled && policy_totp_required(p, a->roles, a->n_roles))
		return "totp_enrolment_required";
	return NULL;
}

bool policy_totp_required(const struct security_policy *p, const char *const *roles, size_t n_roles)
{
	for (size_t r = 0; r < n_roles; r++)
		for (size_t i = 0; i < p->n_totp_roles; i++)
			if (strcmp(p->totp_roles[i], roles[r]) == 0)
				return true;
	return false;
}

/* ---- passwords ---- */

/* Among the most used passwords (lower case; a password is compared lower-cased). */
static const char *const common_passwords[] = {
    "000000000000",  "0123456789",   "1111111111",   "111111111111",  "1234567890",
    "12345678910",   "123456789a",   "1234567890a",  "123123123123",  "123456123456",
    "123qweasdzxc",  "1q2w3e4r5t6y", "1qaz2wsx3edc", "5201314520",    "520131452013",
    "66666666",      "88888888",     "888888888888", "a123456789",    "aa123456789",
    "abc123456789",  "abcd12345678", "admin1234567", "administrator", "asdfghjkl",
    "iloveyou1234",  "password",     "password1234", "password123",   "passw0rd1234",
    "q1w2e3r4t5y6",  "qwer12345678", "qwerty123456", "qwertyuiop",    "qwertyuiop123",
    "sextant12345",  "welcome12345", "wo123456789",  "woaini1314",    "woaini520",
    "woaini5201314", "zxcvbnm123",   "zxcvbnm12345",
};

/* Words people dress up with digits and signs ("Password@2024", "qwerty123456"). */
static const char *const common_words[] = {
    "abcdef",   "admin",    "administrator", "asdfghjkl", "iloveyou", "letmein",
    "p@ssw0rd", "p@ssword", "passw0rd",      "password",  "qwerty",   "qwertyuiop",
    "sextant",  "welcome",  "woaini",        "zxcvbnm",
};

/* The password without the digits and signs around it, lower case: what is left to guess. */
static bool is_common(char *lowered)
{
	for (size_t i = 0; i < ARRAY_SIZE(common_passwords); i++)
		if (strcmp(lowered, common_passwords[i]) == 0)
			return true;
	char *core = lowered;
	while (*core && !isalpha((unsigned char)*core))
		core++;
	size_t n = strlen(core);
	while (n && !isalpha((unsigned char)core[n - 1]))
		n--;
	core[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(common_words); i++)
		if (strcmp(core, common_words[i]) == 0)
			return true;
	return false;
}

bool policy_password_ok(const struct security_policy *p, const char *password, const char *username,
                        struct problem *pr, const char *field)
{
	size_t bytes = password ? strlen(password) : 0;
	size_t chars = password ? utf8_length(password, bytes) : 0;
	bool ok = true;
	if ((int)chars < p->password_min_length) {
		char min[16];
		snprintf(min, sizeof min, "%d", p->password_min_length);
		problem_add(pr, field, "too_short",
		            (const char *[]){"min", arena_strdup(pr->arena, min), NULL});
		return false;
	}
	if (bytes > 256) {
		problem_add(pr, field, "too_long", (const char *[]){"max", "256", NULL});
		return false;
	}
	bool lower = false, upper = false, digit = false, other = false;
	for (const char *c = password; *c; c++) {
		unsigned char u = (unsigned char)*c;
		lower |= u >= 'a' && u <= 'z';
		upper |= u >= 'A' && u <= 'Z';
		digit |= u >= '0' && u <= '9';
		other |= !isalnum(u);
	}
	int classes = lower + upper + digit + other;
	if (classes < p->password_min_classes) {
		char min[16];
		snprintf(min, sizeof min, "%d", p->password_min_classes);
		problem_add(pr, field, "too_few_classes",
		            (const char *[]){"min", arena_strdup(pr->arena, min), NULL});
		ok = false;
	}
	if (p->password_block_common) {
		/* Compared in lower case, the username too ("Zhang.San2024" holds "zhang.san"). */
		char *lowered = arena_strdup(pr->arena, password);
		char *name = arena_strdup(pr->arena, username ? username : "");
		for (char *c = lowered; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		for (char *c = name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if ((*name && strstr(lowered, name) != NULL) || is_common(lowered)) {
			problem_add(pr, field, "password_common", NULL);
			ok = false;
		}
	}
	return ok;
}

/* ---- the document ---- */

void policy_json(const struct security_policy *p, struct str *out)
{
	str_addf(out,
	         "{\"password\":{\"min_length\":%d,\"min_classes\":%d,\"history\":%d,"
	         "\"max_age_days\":%d,\"block_common\":%s},"
	         "\"login\":{\"account_failures\":%ld,\"ip_failures\":%ld,\"window_seconds\":%ld},"
	         "\"session\":{\"idle_minutes\":%d,\"absolute_hours\":%d},\"totp_roles\":[",
	         p->password_min_length, p->password_min_classes, p->password_history,
	         p->password_max_age_days, p->password_block_common ? "true" : "false",
	         p->login_account_failures, p->login_ip_failures, p->login_window_s,
	         p->session_idle_minutes, p->session_absolute_hours);
	for (size_t i = 0; i < p->n_totp_roles; i++) {
		if (i)
			str_addc(out, ',');
		str_add_jsons(out, p->totp_roles[i]);
	}
	str_adds(out, "],\"ip_allowlist\":{");
	for (size_t i = 0; i < p->n_ip_rules; i++) {
		const struct ip_rule *r = &p->ip_rules[i];
		if (i)
			str_addc(out, ',');
		str_add_jsons(out, r->role);
		str_adds(out, ":[");
		for (size_t k = 0; k < r->n_nets; k++) {
			struct str n = STR_INIT;
			net_text(&r->nets[k], &n);
			if (k)
				str_addc(out, ',');
			str_add_json(out, n.buf, n.len);
			str_release(&n);
		}
		str_addc(out, ']');
	}
	str_adds(out, "}}");
}

/* An integer member of a section within [min, max]; absent keeps *out. */
static void int_member(struct problem *pr, json_t *sec, const char *section, const char *name,
                       long min, long max, long *out)
{
	json_t *v = json_object_get(sec, name);
	if (!v)
		return;
	const char *path = arena_printf(pr->arena, "%s.%s", section, name);
	if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max) {
		const char *lo = arena_printf(pr->arena, "%ld", min);
		const char *hi = arena_printf(pr->arena, "%ld", max);
		problem_add(pr, path, "out_of_range", (const char *[]){"min", lo, "max", hi, NULL});
		return;
	}
	*out = (long)json_integer_value(v);
}

static void only(struct problem *pr, json_t *obj, const char *section, const char *const *names)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		bool known = false;
		for (const char *const *n = names; *n && !known; n++)
			known = strcmp(*n, k) == 0;
		if (!known)
			problem_add(pr,
			            section ? arena_printf(pr->arena, "%s.%s", section, k)
			                    : arena_strdup(pr->arena, k),
			            "unknown_field", NULL);
	}
}

static json_t *section(struct problem *pr, json_t *doc, const char *name)
{
	json_t *s = json_object_get(doc, name);
	if (s && !json_is_object(s)) {
		problem_add(pr, name, "invalid_type", NULL);
		return NULL;
	}
	return s;
}

static void parse_passwords(struct problem *pr, json_t *s, struct security_policy *out)
{
	static const char *const names[] = {"min_length",   "min_classes",  "history",
	                                    "max_age_days", "block_common", NULL};
	only(pr, s, "password", names);
	long v = out->password_min_length;
	int_member(pr, s, "password", "min_length", 8, 128, &v);
	out->password_min_length = (int)v;
	v = out->password_min_classes;
	int_member(pr, s, "password", "min_classes", 0, 4, &v);
	out->password_min_classes = (int)v;
	v = out->password_history;
	int_member(pr, s, "password", "history", 0, 24, &v);
	out->password_history = (int)v;
	v = out->password_max_age_days;
	int_member(pr, s, "password", "max_age_days", 0, 3650, &v);
	out->password_max_age_days = (int)v;
	json_t *b = json_object_get(s, "block_common");
	if (b && !json_is_boolean(b))
		problem_add(pr, "password.block_common", "invalid_bool", NULL);
	else if (b)
		out->password_block_common = json_is_true(b);
}

static void parse_roles_list(struct arena *a, struct problem *pr, json_t *list,
                             bool (*known)(void *, const char *), void *ctx,
                             struct security_policy *out)
{
	if (!json_is_array(list)) {
		problem_add(pr, "totp_roles", "invalid_type", NULL);
		return;
	}
	out->totp_roles = ARENA_NEW_ARRAY(a, const char *, json_array_size(list) + 1);
	size_t i;
	json_t *v;
	json_array_foreach(list, i, v)
	{
		const char *role = json_string_value(v);
		const char *path = arena_printf(a, "totp_roles[%zu]", i);
		if (!role)
			problem_add(pr, path, "invalid_type", NULL);
		else if (!known(ctx, role))
			problem_add(pr, path, "reference_not_found", NULL);
		else
			out->totp_roles[out->n_totp_roles++] = arena_strdup(a, role);
	}
}

static void parse_allowlist(struct arena *a, struct problem *pr, json_t *obj,
                            bool (*known)(void *, const char *), void *ctx,
                            struct security_policy *out)
{
	out->ip_rules = ARENA_NEW_ARRAY(a, struct ip_rule, json_object_size(obj) + 1);
	const char *role;
	json_t *nets;
	json_object_foreach(obj, role, nets)
	{
		const char *path = arena_printf(a, "ip_allowlist.%s", role);
		if (!known(ctx, role)) {
			problem_add(pr, path, "reference_not_found", NULL);
			continue;
		}
		if (!json_is_array(nets) || json_array_size(nets) == 0 ||
		    json_array_size(nets) > POLICY_NETS_MAX) {
			problem_add(pr, path, json_is_array(nets) ? "out_of_range" : "invalid_type",
			            (const char *[]){"min", "1", "max", "64", NULL});
			continue;
		}
		struct ip_rule *r = &out->ip_rules[out->n_ip_rules++];
		r->role = arena_strdup(a, role);
		r->nets = ARENA_NEW_ARRAY(a, struct net, json_array_size(nets));
		size_t i;
		json_t *v;
		json_array_foreach(nets, i, v)
		{
			const char *s = json_string_value(v);
			if (!s || !net_parse(s, &r->nets[r->n_nets]))
				problem_add(pr, arena_printf(a, "%s[%zu]", path, i),
				            "invalid_network", NULL);
			else
				r->n_nets++;
		}
	}
}

int policy_parse(struct arena *a, json_t *doc, bool (*known)(void *ctx, const char *role),
                 void *ctx, struct problem *pr, struct security_policy *out)
{
	defaults(out);
	if (!json_is_object(doc)) {
		problem_add(pr, NULL, "invalid_type", NULL);
		return -1;
	}
	static const char *const top[] = {"password",     "login",     "session", "totp_roles",
	                                  "ip_allowlist", "exporters", NULL};
	only(pr, doc, NULL, top);
	json_t *s;
	if ((s = section(pr, doc, "password")))
		parse_passwords(pr, s, out);
	if ((s = section(pr, doc, "login"))) {
		static const char *const names[] = {"account_failures", "ip_failures",
		                                    "window_seconds", NULL};
		only(pr, s, "login", names);
		int_member(pr, s, "login", "account_failures", 1, 1000,
		           &out->login_account_failures);
		int_member(pr, s, "login", "ip_failures", 1, 1000000, &out->login_ip_failures);
		int_member(pr, s, "login", "window_seconds", 60, 86400, &out->login_window_s);
	}
	if ((s = section(pr, doc, "session"))) {
		static const char *const names[] = {"idle_minutes", "absolute_hours", NULL};
		only(pr, s, "session", names);
		long v = out->session_idle_minutes;
		int_member(pr, s, "session", "idle_minutes", 1, 24 * 60, &v);
		out->session_idle_minutes = (int)v;
		v = out->session_absolute_hours;
		int_member(pr, s, "session", "absolute_hours", 1, 24 * 30, &v);
		out->session_absolute_hours = (int)v;
	}
	json_t *t = json_object_get(doc, "totp_roles");
	if (t)
		parse_roles_list(a, pr, t, known, ctx, out);
	if ((s = section(pr, doc, "ip_allowlist")))
		parse_allowlist(a, pr, s, known, ctx, out);
	return pr->n_errors ? -1 : 0;
}

/* ---- storage and cache ---- */

#define POLICY_KEY      "security_policy"
#define POLICY_CACHE_MS 2000

/* The parsed policy, kept per process; every request copies it out (a few small arrays). */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct arena cache_arena;
static struct security_policy cached;
static bool cache_valid;
static int64_t cached_at_ns;
static uint64_t cache_generation;

static void copy_policy(struct arena *a, const struct security_policy *src,
                        struct security_policy *dst)
{
	*dst = *src;
	dst->totp_roles = ARENA_NEW_ARRAY(a, const char *, src->n_totp_roles + 1);
	for (size_t i = 0; i < src->n_totp_roles; i++)
		dst->totp_roles[i] = arena_strdup(a, src->totp_roles[i]);
	dst->ip_rules = ARENA_NEW_ARRAY(a, struct ip_rule, src->n_ip_rules + 1);
	for (size_t i = 0; i < src->n_ip_rules; i++) {
		const struct ip_rule *r = &src->ip_rules[i];
		struct ip_rule *d = &dst->ip_rules[i];
		d->role = arena_strdup(a, r->role);
		d->n_nets = r->n_nets;
		d->nets = ARENA_NEW_ARRAY(a, struct net, r->n_nets + 1);
		if (r->n_nets)
			memcpy(d->nets, r->nets, r->n_nets * sizeof *r->nets);
	}
}

void policy_cache_invalidate(void)
{
	pthread_mutex_lock(&cache_lock);
	if (cache_valid)
		arena_release(&cache_arena);
	cache_valid = false;
	cache_generation++;
	pthread_mutex_unlock(&cache_lock);
}

static bool any_role(void *ctx, const char *role)
{
	(void)ctx;
	(void)role;
	return true; /* a stored document was checked when it was stored */
}

/* A stored document; what no longer parses keeps its defaults. */
static void from_text(struct arena *a, const char *text, struct security_policy *out)
{
	defaults(out);
	if (!text || !*text)
		return;
	json_t *doc = json_loads(text, 0, NULL);
	struct problem pr;
	problem_init(&pr, a);
	if (doc)
		policy_parse(a, doc, any_role, NULL, &pr, out);
	json_decref(doc);
}

int policy_get(struct db *db, struct arena *a, struct security_policy *out)
{
	pthread_mutex_lock(&cache_lock);
	bool hit = cache_valid && time_mono_ns() - cached_at_ns < POLICY_CACHE_MS * 1000000LL;
	if (hit)
		copy_policy(a, &cached, out);
	uint64_t generation = cache_generation;
	pthread_mutex_unlock(&cache_lock);
	if (hit)
		return DB_OK;
	int64_t fetched = time_mono_ns();
	struct db_stmt *st;
	int rc = db_prepare(db, "SELECT value FROM sys_settings WHERE key = ?", &st);
	if (rc)
		return rc;
	db_bind_texts(st, 1, POLICY_KEY);
	rc = db_step(st);
	const char *text = rc == DB_ROW ? arena_strdup(a, db_column_text(st, 0, NULL)) : NULL;
	db_reset(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return rc;
	from_text(a, text, out);
	pthread_mutex_lock(&cache_lock);
	if (generation == cache_generation) {
		if (cache_valid)
			arena_release(&cache_arena);
		arena_init(&cache_arena, 1024);
		copy_policy(&cache_arena, out, &cached);
		cache_valid = true;
		cached_at_ns = fetched;
	}
	pthread_mutex_unlock(&cache_lock);
	return DB_OK;
}

int policy_store(struct db *db, const struct security_policy *p, int64_t by_user)
{
	struct str doc = STR_INIT;
	policy_json(p, &doc);
	int rc = settings_put(db, POLICY_KEY, doc.buf, by_user);
	str_release(&doc);
	return rc;
}
