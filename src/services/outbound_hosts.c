#include "outbound_hosts.h"
#include "core/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_HOSTS "qyapi.weixin.qq.com,oapi.dingtalk.com"

static char hosts[2048] = DEFAULT_HOSTS;

void outbound_hosts_configure(const char *list)
{
	snprintf(hosts, sizeof hosts, "%s", list ? list : DEFAULT_HOSTS);
}

/* The host of an http(s) URL into out (lower case, brackets of IPv6 kept); false if none. */
static bool url_host(const char *url, char *out, size_t n)
{
	const char *p;
	if (!strncasecmp(url, "http://", 7))
		p = url + 7;
	else if (!strncasecmp(url, "https://", 8))
		p = url + 8;
	else
		return false;
	size_t k = p[0] == '[' ? strcspn(p, "]") + 1 : strcspn(p, ":/?#");
	/* user:password@host would hide the host from a naive reader: refused. */
	if (memchr(p, '@', strcspn(p, "/?#")) || k == 0 || k >= n)
		return false;
	for (size_t i = 0; i < k; i++)
		out[i] = (char)tolower((unsigned char)p[i]);
	out[k] = '\0';
	return true;
}

static bool matches(const char *entry, size_t n, const char *host)
{
	if (n > 2 && entry[0] == '*' && entry[1] == '.') {
		size_t hl = strlen(host), sl = n - 1; /* ".suffix" */
		return hl > sl && !strncasecmp(host + hl - sl, entry + 1, sl);
	}
	return strlen(host) == n && !strncasecmp(host, entry, n);
}

bool outbound_url_allowed(const char *url)
{
	char host[256];
	if (!url || !url_host(url, host, sizeof host))
		return false;
	for (const char *p = hosts; *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ", ");
		if (n && matches(p, n, host))
			return true;
		p += n;
	}
	return false;
}

static char ca_file[1024];

void outbound_tls_configure(const char *file)
{
	snprintf(ca_file, sizeof ca_file, "%s", file ? file : "");
}

const char *outbound_tls_ca_file(void)
{
	return ca_file[0] ? ca_file : NULL;
}
