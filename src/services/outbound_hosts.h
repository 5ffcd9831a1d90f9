/*
 * Where the server may send requests of its own (webhooks, SMS gateways): only to hosts the
 * operator listed (--outbound-hosts), so that a URL typed into a form cannot make the server
 * reach into the network it sits in (SSRF). An entry is a host name or address, or "*.suffix"
 * for every host under a domain. And which certificate authorities it trusts on the way.
 */
#ifndef SEXTANT_OUTBOUND_HOSTS_H
#define SEXTANT_OUTBOUND_HOSTS_H

#include <stdbool.h>

/* The comma-separated list (NULL: the default, the WeCom and DingTalk robot hosts). */
void outbound_hosts_configure(const char *list);
/* Whether url is http(s) to a listed host (any port). */
bool outbound_url_allowed(const char *url);

/* The certificate authorities outbound TLS (SMTP, webhooks, gateways) trusts: a PEM file the
 * operator gives (--tls-ca-file, for a company's own CA), or NULL for the system's. */
void outbound_tls_configure(const char *ca_file);
const char *outbound_tls_ca_file(void);

#endif
