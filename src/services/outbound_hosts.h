/*
 * Where the server may send requests of its own (webhooks, SMS gateways): only to hosts the
 * operator listed (--outbound-hosts), so that a URL typed into a form cannot make the server
 * reach into the network it sits in (SSRF). An entry is a host name or address, or "*.suffix"
 * for every host under a domain.
 */
#ifndef SEXTANT_OUTBOUND_HOSTS_H
#define SEXTANT_OUTBOUND_HOSTS_H

#include <stdbool.h>

/* The comma-separated list (NULL: the default, the WeCom and DingTalk robot hosts). */
void outbound_hosts_configure(const char *list);
/* Whether url is http(s) to a listed host (any port). */
bool outbound_url_allowed(const char *url);

#endif
