/*
 * httpget: times GET requests on one keep-alive connection (libcurl), the way a browser asks
 * for the graphs of a device page.
 *
 *   httpget --list FILE --repeat N [--conditional 0|1] [--seconds SEC]
 *
 * FILE holds one URL a line. Each URL is requested N times in a row: the first request is
 * "first" (a cache miss for a graph nobody asked for yet), the others "repeat". With
 * --conditional 1 a last request sends If-None-Match with the ETag received. The X-Hbmon-Cache
 * answer header (hit / miss) is counted per group, and repeats are also timed over the hits
 * only. Stops after SEC seconds. Prints one JSON object.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "benchutil.h"

#define MAX_URLS 10000

struct group {
	double *t;
	size_t n, cap;
	unsigned long hit, miss, none;
};

struct resp {
	char cache[32];
	char etag[256];
	size_t bytes;
};

static void add(struct group *g, double t, const char *cache)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		g->t = realloc(g->t, g->cap * sizeof(double));
		if (!g->t) {
			fprintf(stderr, "httpget: out of memory\n");
			exit(2);
		}
	}
	g->t[g->n++] = t;
	if (!strcasecmp(cache, "hit"))
		g->hit++;
	else if (!strcasecmp(cache, "miss"))
		g->miss++;
	else
		g->none++;
}

static void print_group(const char *name, struct group *g)
{
	double sum = 0;
	for (size_t i = 0; i < g->n; i++)
		sum += g->t[i];
	if (g->n)
		qsort(g->t, g->n, sizeof(double), cmp_d);
	printf("\"%s\":{\"count\":%zu,\"median_ms\":%.4f,\"mean_ms\":%.4f,\"p95_ms\":%.4f,"
	       "\"min_ms\":%.4f,\"hit\":%lu,\"miss\":%lu,\"no_header\":%lu}",
	       name, g->n, g->n ? g->t[g->n / 2] * 1000 : 0.0, g->n ? sum / (double)g->n * 1000 : 0.0,
	       g->n ? g->t[(size_t)((double)(g->n - 1) * 0.95)] * 1000 : 0.0,
	       g->n ? g->t[0] * 1000 : 0.0, g->hit, g->miss, g->none);
}

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	(void)p;
	((struct resp *)ud)->bytes += sz * n;
	return sz * n;
}

static void header_value(char *dst, size_t dstsz, const char *line, size_t len, const char *name)
{
	size_t nl = strlen(name);
	if (len <= nl || strncasecmp(line, name, nl) != 0)
		return;
	const char *v = line + nl;
	size_t vl = len - nl;
	while (vl && (*v == ' ' || *v == '\t')) {
		v++;
		vl--;
	}
	while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
		vl--;
	if (vl >= dstsz)
		vl = dstsz - 1;
	memcpy(dst, v, vl);
	dst[vl] = '\0';
}

static size_t on_header(char *p, size_t sz, size_t n, void *ud)
{
	struct resp *r = ud;
	header_value(r->cache, sizeof(r->cache), p, sz * n, "X-Hbmon-Cache:");
	header_value(r->etag, sizeof(r->etag), p, sz * n, "ETag:");
	return sz * n;
}

int main(int argc, char **argv)
{
	const char *list = NULL;
	long repeat = 2, conditional = 0;
	double seconds = 120;
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--list")) list = v;
		else if (!strcmp(k, "--repeat")) repeat = atol(v);
		else if (!strcmp(k, "--conditional")) conditional = atol(v);
		else if (!strcmp(k, "--seconds")) seconds = atof(v);
		else {
			fprintf(stderr, "httpget: unknown option %s\n", k);
			return 2;
		}
	}
	if (!list || repeat < 1 || repeat > 10000) {
		fprintf(stderr, "httpget: need --list and --repeat 1..10000\n");
		return 2;
	}
	FILE *f = fopen(list, "r");
	if (!f) {
		perror(list);
		return 2;
	}
	static char *urls[MAX_URLS];
	size_t nurls = 0;
	char line[4096];
	while (nurls < MAX_URLS && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0])
			urls[nurls++] = strdup(line);
	}
	fclose(f);

	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURL *h = curl_easy_init();
	struct resp r;
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &r);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);

	struct group first = {0}, rep = {0}, rep_hit = {0}, cond = {0};
	unsigned long n200 = 0, n304 = 0, nother = 0, etags = 0, transport = 0;
	size_t bytes = 0;
	char first_err[400] = "";
	double t0 = now_s();
	int out_of_time = 0;
	for (size_t u = 0; u < nurls && !out_of_time; u++) {
		char etag[256] = "";
		for (long k = 0; k < repeat + (conditional ? 1 : 0); k++) {
			if (now_s() - t0 > seconds) {
				out_of_time = 1;
				break;
			}
			int is_cond = k == repeat;
			struct curl_slist *hdr = NULL;
			if (is_cond) {
				if (!etag[0])
					break;
				char hl[300];
				snprintf(hl, sizeof(hl), "If-None-Match: %s", etag);
				hdr = curl_slist_append(NULL, hl);
			}
			curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
			curl_easy_setopt(h, CURLOPT_URL, urls[u]);
			memset(&r, 0, sizeof(r));
			double a = now_s();
			CURLcode cc = curl_easy_perform(h);
			double b = now_s();
			curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
			curl_slist_free_all(hdr);
			long code = 0;
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
			if (cc != CURLE_OK) {
				transport++;
				if (!first_err[0])
					snprintf(first_err, sizeof(first_err), "%s: %s", urls[u],
						 curl_easy_strerror(cc));
				out_of_time = 1; /* the server is gone: stop */
				break;
			}
			if (code == 304 && is_cond) {
				n304++;
				add(&cond, b - a, r.cache);
				continue;
			}
			if (code != 200) {
				nother++;
				if (!first_err[0])
					snprintf(first_err, sizeof(first_err), "%s: HTTP %ld", urls[u], code);
				break;
			}
			n200++;
			bytes += r.bytes;
			if (r.etag[0]) {
				etags++;
				snprintf(etag, sizeof(etag), "%s", r.etag);
			}
			if (is_cond)
				add(&cond, b - a, r.cache);
			else if (k == 0)
				add(&first, b - a, r.cache);
			else {
				add(&rep, b - a, r.cache);
				if (!strcasecmp(r.cache, "hit"))
					add(&rep_hit, b - a, r.cache);
			}
		}
	}
	printf("{\"ok\":%s,\"urls\":%zu,\"http_200\":%lu,\"http_304\":%lu,\"http_other\":%lu,"
	       "\"transport_errors\":%lu,\"with_etag\":%lu,\"mean_bytes\":%.0f,",
	       (nother || transport || out_of_time) ? "false" : "true", nurls, n200, n304, nother,
	       transport, etags, n200 ? (double)bytes / (double)n200 : 0.0);
	print_group("first", &first);
	printf(",");
	print_group("repeat", &rep);
	printf(",");
	print_group("repeat_hits", &rep_hit);
	printf(",");
	print_group("conditional", &cond);
	printf(",\"first_error\":\"");
	json_escape(stdout, out_of_time && !first_err[0] ? "out of time" : first_err);
	printf("\"}\n");
	curl_easy_cleanup(h);
	curl_global_cleanup();
	for (size_t u = 0; u < nurls; u++)
		free(urls[u]);
	free(first.t);
	free(rep.t);
	free(rep_hit.t);
	free(cond.t);
	return 0;
}
