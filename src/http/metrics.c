/*
 * Prometheus metrics: requests, latency histogram and database time per route. Counters are
 * relaxed atomics in fixed arrays indexed by route: no locks on the request path.
 */
#include "http.h"
#include "core/util.h"

#include <stdatomic.h>
#include <stdlib.h>

static const double buckets[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                 0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define NB      (sizeof buckets / sizeof buckets[0])
#define CLASSES 6 /* 1xx..5xx, plus "other" at 0 */

struct route_metrics {
	atomic_uint_fast64_t by_class[CLASSES];
	atomic_uint_fast64_t bucket[NB + 1];
	atomic_uint_fast64_t sum_ns;
	atomic_uint_fast64_t db_ns;
};

static const struct route *mroutes;
static size_t mn;
static struct route_metrics *m; /* one per route, plus one for unrouted requests */

void metrics_init(const struct route *routes, size_t n)
{
	mroutes = routes;
	mn = n;
	m = xcalloc(n + 1, sizeof *m);
}

void metrics_observe(int route_index, int status, int64_t ns, uint64_t db_ns)
{
	if (!m)
		return;
	struct route_metrics *rm =
	    &m[route_index >= 0 && (size_t)route_index < mn ? (size_t)route_index : mn];
	int cls = status >= 100 && status < 600 ? status / 100 : 0;
	atomic_fetch_add_explicit(&rm->by_class[cls], 1, memory_order_relaxed);
	double s = (double)ns / 1e9;
	size_t b = 0;
	while (b < NB && s > buckets[b])
		b++;
	atomic_fetch_add_explicit(&rm->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&rm->sum_ns, (uint64_t)ns, memory_order_relaxed);
	atomic_fetch_add_explicit(&rm->db_ns, db_ns, memory_order_relaxed);
}

void metrics_render(struct str *out)
{
	static const char *const class_names[CLASSES] = {"other", "1xx", "2xx",
	                                                 "3xx",   "4xx", "5xx"};
	str_adds(out,
	         "# HELP sextant_http_requests_total HTTP requests by route and status class.\n"
	         "# TYPE sextant_http_requests_total counter\n");
	for (size_t i = 0; i <= mn; i++) {
		const char *name = i < mn ? mroutes[i].name : "unrouted";
		for (int c = 0; c < CLASSES; c++) {
			uint64_t v = atomic_load_explicit(&m[i].by_class[c], memory_order_relaxed);
			if (v)
				str_addf(
				    out,
				    "sextant_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
				    name, class_names[c], (unsigned long long)v);
		}
	}
	str_adds(out, "# HELP sextant_http_request_duration_seconds Time to answer a request.\n"
	              "# TYPE sextant_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= mn; i++) {
		const char *name = i < mn ? mroutes[i].name : "unrouted";
		uint64_t cum = 0;
		for (size_t b = 0; b <= NB; b++) {
			cum += atomic_load_explicit(&m[i].bucket[b], memory_order_relaxed);
			if (b < NB)
				str_addf(
				    out,
				    "sextant_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
				    name, buckets[b], (unsigned long long)cum);
			else
				str_addf(
				    out,
				    "sextant_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
				    name, (unsigned long long)cum);
		}
		str_addf(out, "sextant_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
		         name, (double)atomic_load(&m[i].sum_ns) / 1e9);
		str_addf(out, "sextant_http_request_duration_seconds_count{route=\"%s\"} %llu\n",
		         name, (unsigned long long)cum);
	}
	str_adds(out, "# HELP sextant_db_seconds_total Time spent in the database, by route.\n"
	              "# TYPE sextant_db_seconds_total counter\n");
	for (size_t i = 0; i <= mn; i++) {
		const char *name = i < mn ? mroutes[i].name : "unrouted";
		str_addf(out, "sextant_db_seconds_total{route=\"%s\"} %.6f\n", name,
		         (double)atomic_load(&m[i].db_ns) / 1e9);
	}
}
