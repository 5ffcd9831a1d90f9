/* Query parameters the report endpoints share (api/sales.c, api/activity_report.c). */
#include "api.h"
#include "core/util.h"
#include "meta/access.h"

#include <string.h>

bool api_is_month(const char *s)
{
	if (strlen(s) != 7 || s[4] != '-')
		return false;
	for (int i = 0; i < 7; i++)
		if (i != 4 && (s[i] < '0' || s[i] > '9'))
			return false;
	int m = (s[5] - '0') * 10 + (s[6] - '0');
	return m >= 1 && m <= 12;
}

const char *api_option_param(struct op *op, const char *param, const char *field, const char *v)
{
	const struct field *f = entity_field(op->e, field);
	if (!f || !field_option(f, v, strlen(v))) {
		problem_add(op->problem, param, "invalid_option",
		            (const char *[]){"value", v, NULL});
		return NULL;
	}
	return v;
}

int64_t api_id_param(struct op *op, const char *param, const char *v)
{
	int64_t id;
	if (!parse_int64(v, strlen(v), &id) || id < 1) {
		problem_add(op->problem, param, "invalid_integer", NULL);
		return 0;
	}
	return id;
}

bool api_report_may(struct req *r, struct op *op, const char *what)
{
	if (op->problem->n_errors) {
		resp_error(r, 400, "bad_request");
		return false;
	}
	bool may;
	int rc = access_may_list(op, &may);
	if (rc) {
		api_db_failure(r, rc, what);
		return false;
	}
	if (!may)
		resp_error(r, 403, "forbidden");
	return may;
}

bool api_report_common(struct op *op, const char *k, const char *v, const char **from,
                       const char **to, int64_t *owner_id, int64_t *team_id)
{
	if (str_eq(k, "from") || str_eq(k, "to")) {
		if (!api_is_month(v))
			problem_add(op->problem, k, "invalid_month", NULL);
		else
			*(str_eq(k, "from") ? from : to) = v;
	} else if (str_eq(k, "owner"))
		*owner_id = api_id_param(op, k, v);
	else if (str_eq(k, "team"))
		*team_id = api_id_param(op, k, v);
	else
		return false;
	return true;
}
