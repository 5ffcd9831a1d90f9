/* Health, readiness and metrics for load balancers and monitoring. */
#include "api.h"
#include "core/util.h"

void api_healthz(struct req *r)
{
	struct str out = STR_INIT;
	str_adds(&out, "{\"status\":\"ok\"}");
	resp_json(r, 200, &out);
}

void api_readyz(struct req *r)
{
	/* Ready when the database answers: a node that lost it must leave the pool. */
	int64_t one = 0;
	int rc = db_query_int(r->db, "SELECT 1", 0, NULL, &one);
	struct str out = STR_INIT;
	if (rc || one != 1) {
		str_adds(&out, "{\"status\":\"unavailable\",\"database\":false}");
		resp_json(r, 503, &out);
		return;
	}
	str_adds(&out, "{\"status\":\"ready\",\"database\":true}");
	resp_json(r, 200, &out);
}

void api_metrics(struct req *r)
{
	struct str out = STR_INIT;
	metrics_render(&out);
	resp_text(r, 200, "text/plain; version=0.0.4; charset=utf-8", &out);
}
