/*
 * loadgen: posts wire-format sample batches to hbmon-collector's /api/v1/ingest, the way a
 * probe would, as fast as the collector accepts them or at a set pace (--rate).
 *
 * Devices are numbered 0..N-1: device i is "d%05d" (i+1) in commune "c%03d" (i/per+1). A round
 * sends one sample per device with K interfaces (K+1 RRD file updates), timestamped
 * ts0 + round * spacing, in batches of B devices over C keep-alive connections (curl multi).
 * A batch of round r is only sent once the same devices' batch of round r-1 was accepted, so
 * no sample reaches the collector before an older one of its device (it would be dropped as
 * late). A 503 answer is retried after a short back-off with the same body.
 *
 * --rate N paces the offer at N file updates per second (0, the default: as fast as the
 * collector accepts): a new batch is only sent while the file updates already sent are at most
 * N x the seconds elapsed since the start (a resent 503 batch does not count again). A loadgen
 * that fell behind (slow answers) catches up at full speed until it is back on the line.
 *
 * Stops after the given number of rounds or seconds, whichever comes first, waits for the
 * batches in flight, and prints one JSON object with its counts on stdout.
 */
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "benchutil.h"

#define MAX_CONNS 16
#define MAX_SECONDS 4000 /* per-second accepted counts kept for this many seconds */
#define MAX_RETRIES 100000 /* per batch: a collector that never stops answering 503 ends the run */

struct buf {
	char *p;
	size_t len, cap;
};

static void die(const char *msg)
{
	fprintf(stderr, "loadgen: %s\n", msg);
	exit(2);
}

static void buf_reserve(struct buf *b, size_t more)
{
	if (b->len + more <= b->cap)
		return;
	size_t n = b->cap ? b->cap : 65536;
	while (n < b->len + more)
		n *= 2;
	char *p = realloc(b->p, n);
	if (!p)
		die("out of memory");
	b->p = p;
	b->cap = n;
}

static void put_str(struct buf *b, const char *s)
{
	size_t n = strlen(s);
	buf_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void put_u64(struct buf *b, uint64_t v)
{
	char tmp[24];
	int i = 24;
	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_reserve(b, (size_t)(24 - i));
	memcpy(b->p + b->len, tmp + i, (size_t)(24 - i));
	b->len += (size_t)(24 - i);
}

/* options */
static const char *url;
static long ndev = 400, per = 20, nifs = 24, bsize = 100, nconns = 2;
static long long ts0, round0, rounds = 1;
static long spacing = 1;
static double seconds = 3600, req_timeout = 300;
static double rate; /* file updates per second offered; 0 = unlimited */

/* the probe the batches come from, as the collector issued it (--probe, --secret-file) */
static const char *probe_name = "district", *secret_file;
static char secret[128];

static void read_secret(void)
{
	FILE *f = secret_file ? fopen(secret_file, "r") : NULL;
	if (!f || !fgets(secret, sizeof(secret), f))
		die("--secret-file: the probe secret `hbmon-collector probe add` wrote is needed");
	fclose(f);
	secret[strcspn(secret, "\r\n")] = '\0';
}

static void build_batch(struct buf *b, long long round, long slot, uint64_t seq)
{
	long first = slot * bsize, last = first + bsize;
	if (last > ndev)
		last = ndev;
	long long ts = ts0 + round * spacing;
	uint64_t r = (uint64_t)round;
	b->len = 0;
	put_str(b, "{\"version\":1,\"probe\":\"");
	put_str(b, probe_name);
	put_str(b, "\",\"seq\":");
	put_u64(b, seq);
	put_str(b, ",\"samples\":[");
	char name[128];
	for (long i = first; i < last; i++) {
		snprintf(name, sizeof(name), "%s{\"commune\":\"c%03ld\",\"device\":\"d%05ld\",\"ts\":",
			 i > first ? "," : "", i / per + 1, i + 1);
		put_str(b, name);
		put_u64(b, (uint64_t)ts);
		put_str(b, ",\"up\":true,\"rtt_ms\":");
		put_u64(b, (uint64_t)(1 + (i + round) % 9));
		put_str(b, ",\"sys\":{\"uptime\":");
		put_u64(b, 360000 + r * 100 * (uint64_t)spacing);
		put_str(b, "},\"if\":[");
		for (long k = 0; k < nifs; k++) {
			put_str(b, k ? ",{\"index\":" : "{\"index\":");
			put_u64(b, (uint64_t)k + 1);
			put_str(b, ",\"oper\":1,\"speed\":1000000000,\"in_octets\":");
			put_u64(b, (uint64_t)i * 1000003u + r * 125000u * (uint64_t)(k + 1));
			put_str(b, ",\"out_octets\":");
			put_u64(b, (uint64_t)i * 999983u + r * 62500u * (uint64_t)(k + 1));
			put_str(b, ",\"in_errors\":");
			put_u64(b, r / 16);
			put_str(b, ",\"out_errors\":0,\"hc\":true}");
		}
		put_str(b, "]}");
	}
	put_str(b, "]}");
}

struct conn {
	CURL *h;
	struct buf body;
	char resp[512];
	size_t resplen;
	int busy;         /* a request is in flight or waiting for its retry */
	double retry_at;  /* >0: resend at this time */
	long long round;
	long slot;
	long retries;
	double started;
};

static size_t on_body(char *p, size_t sz, size_t n, void *ud)
{
	struct conn *c = ud;
	size_t len = sz * n, room = sizeof(c->resp) - 1 - c->resplen;
	size_t k = len < room ? len : room;
	memcpy(c->resp + c->resplen, p, k);
	c->resplen += k;
	c->resp[c->resplen] = '\0';
	return len;
}

int main(int argc, char **argv)
{
	for (int i = 1; i + 1 < argc; i += 2) {
		const char *k = argv[i], *v = argv[i + 1];
		if (!strcmp(k, "--url")) url = v;
		else if (!strcmp(k, "--secret-file")) secret_file = v;
		else if (!strcmp(k, "--probe")) probe_name = v;
		else if (!strcmp(k, "--devices")) ndev = atol(v);
		else if (!strcmp(k, "--per-commune")) per = atol(v);
		else if (!strcmp(k, "--ifs")) nifs = atol(v);
		else if (!strcmp(k, "--batch")) bsize = atol(v);
		else if (!strcmp(k, "--conns")) nconns = atol(v);
		else if (!strcmp(k, "--ts0")) ts0 = atoll(v);
		else if (!strcmp(k, "--spacing")) spacing = atol(v);
		else if (!strcmp(k, "--round0")) round0 = atoll(v);
		else if (!strcmp(k, "--rounds")) rounds = atoll(v);
		else if (!strcmp(k, "--seconds")) seconds = atof(v);
		else if (!strcmp(k, "--timeout")) req_timeout = atof(v);
		else if (!strcmp(k, "--rate")) rate = atof(v);
		else die("unknown option (see the comment at the top of loadgen.c)");
	}
	if (!url || ndev < 1 || per < 1 || nifs < 0 || bsize < 1 || nconns < 1 ||
	    nconns > MAX_CONNS || rounds < 1 || spacing < 1 || ts0 <= 0 || seconds <= 0 ||
	    !(rate >= 0 && rate < 1e12))
		die("bad or missing options");

	long nslots = (ndev + bsize - 1) / bsize;
	long long *done_round = malloc(sizeof(long long) * (size_t)nslots);
	size_t lat_cap = (size_t)nslots * 64 + 1024, nlat = 0;
	double *lat = malloc(sizeof(double) * lat_cap);
	if (!done_round || !lat)
		die("out of memory");
	for (long s = 0; s < nslots; s++)
		done_round[s] = round0 - 1;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	CURLM *m = curl_multi_init();
	curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, nconns);
	struct curl_slist *hdrs = NULL;
	read_secret();
	hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
	hdrs = curl_slist_append(hdrs, "Expect:");
	struct conn conns[MAX_CONNS];
	memset(conns, 0, sizeof(conns));
	for (long i = 0; i < nconns; i++) {
		CURL *h = curl_easy_init();
		if (!h)
			die("curl_easy_init");
		curl_easy_setopt(h, CURLOPT_URL, url);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
		curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(h, CURLOPT_USERNAME, probe_name);
		curl_easy_setopt(h, CURLOPT_PASSWORD, secret);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, &conns[i]);
		curl_easy_setopt(h, CURLOPT_PRIVATE, &conns[i]);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(req_timeout * 1000));
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
		conns[i].h = h;
	}

	unsigned long long samples_sent = 0, samples_acc = 0, batches = 0, n503 = 0, nerr = 0;
	unsigned long long body_bytes = 0;
	unsigned long long offered = 0; /* file updates in the batches sent (not counting resends) */
	static unsigned long long per_sec[MAX_SECONDS];
	char first_err[300] = "";
	long long cur_r = round0, max_dispatched = round0 - 1;
	long cur_s = 0;
	uint64_t seq = 1;
	int stop = 0, fatal = 0;
	double t_start = now_s(), t_last = t_start;
	double hard_deadline = t_start + seconds + req_timeout + 30;

	for (;;) {
		double t = now_s();
		if (t - t_start >= seconds || cur_r >= round0 + rounds)
			stop = 1;
		if (t > hard_deadline) {
			fatal = 1;
			if (!first_err[0])
				snprintf(first_err, sizeof(first_err), "gave up waiting for answers");
			break;
		}
		int busy = 0;
		for (long i = 0; i < nconns; i++) {
			struct conn *c = &conns[i];
			if (c->busy && c->retry_at > 0 && fatal) {
				c->busy = 0; /* not resent: the run is over */
				c->retry_at = 0;
			}
			if (c->busy && c->retry_at > 0 && t >= c->retry_at) {
				c->retry_at = 0;
				c->resplen = 0;
				c->started = t;
				curl_multi_add_handle(m, c->h);
			}
			if (!c->busy && !stop && !fatal && done_round[cur_s] == cur_r - 1 &&
			    (rate <= 0 || (double)offered <= rate * (t - t_start))) {
				build_batch(&c->body, cur_r, cur_s, seq++);
				curl_easy_setopt(c->h, CURLOPT_POSTFIELDS, c->body.p);
				curl_easy_setopt(c->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body.len);
				c->round = cur_r;
				c->slot = cur_s;
				c->retries = 0;
				c->busy = 1;
				c->resplen = 0;
				c->started = now_s();
				curl_multi_add_handle(m, c->h);
				if (cur_r > max_dispatched)
					max_dispatched = cur_r;
				long first = cur_s * bsize;
				offered += (unsigned long long)((first + bsize > ndev ? ndev : first + bsize) -
								first) * (unsigned long long)(nifs + 1);
				if (++cur_s == nslots) {
					cur_s = 0;
					cur_r++;
				}
			}
			busy |= c->busy;
		}
		if (!busy && (stop || fatal))
			break;
		int running = 0;
		curl_multi_perform(m, &running);
		CURLMsg *msg;
		int left;
		while ((msg = curl_multi_info_read(m, &left))) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			struct conn *c;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&c);
			CURLcode cc = msg->data.result;
			curl_multi_remove_handle(m, c->h);
			double tdone = now_s();
			long code = 0;
			curl_easy_getinfo(c->h, CURLINFO_RESPONSE_CODE, &code);
			long first = c->slot * bsize;
			long ns = (first + bsize > ndev ? ndev : first + bsize) - first;
			if (cc != CURLE_OK) {
				nerr++;
				fatal = 1; /* the collector is gone or stuck: no point in going on */
				if (!first_err[0])
					snprintf(first_err, sizeof(first_err), "transport: %s",
						 curl_easy_strerror(cc));
				c->busy = 0;
			} else if (code == 503) {
				n503++;
				if (++c->retries > MAX_RETRIES) {
					nerr++;
					fatal = 1;
					snprintf(first_err, sizeof(first_err), "503 retried %d times",
						 MAX_RETRIES);
					c->busy = 0;
				} else {
					double back = 0.002 * (double)(1L << (c->retries < 5 ? c->retries : 5));
					c->retry_at = tdone + back;
				}
			} else {
				batches++;
				body_bytes += c->body.len;
				samples_sent += (unsigned long long)ns;
				if (nlat < lat_cap)
					lat[nlat++] = tdone - c->started;
				const char *a = code == 200 ? strstr(c->resp, "\"accepted\":") : NULL;
				if (a) {
					unsigned long long k = strtoull(a + 11, NULL, 10);
					samples_acc += k;
					long sec = (long)(tdone - t_start);
					if (sec >= 0 && sec < MAX_SECONDS)
						per_sec[sec] += k;
					done_round[c->slot] = c->round;
				} else {
					nerr++;
					if (!first_err[0])
						snprintf(first_err, sizeof(first_err), "HTTP %ld: %.200s",
							 code, c->resp);
					/* a refused batch still counts as done so the rounds go on */
					done_round[c->slot] = c->round;
				}
				t_last = tdone;
				c->busy = 0;
			}
		}
		/* sleep until a socket is ready, a retry is due or the pace allows the next batch */
		int wait_ms = 100, paced = 0;
		for (long i = 0; i < nconns; i++)
			if (conns[i].busy && conns[i].retry_at > 0) {
				int w = (int)((conns[i].retry_at - now_s()) * 1000) + 1;
				if (w < wait_ms)
					wait_ms = w < 0 ? 0 : w;
			}
		if (!stop && !fatal) {
			/* an idle connection whose next batch the round order allows (states updated
			 * by the answers just read) waits for the pace only (none when unlimited),
			 * not for another answer: the offer must not fall behind while nothing is in
			 * flight */
			int idle = 0;
			for (long i = 0; i < nconns; i++)
				idle |= !conns[i].busy;
			if (idle && done_round[cur_s] == cur_r - 1 && rate <= 0) {
				wait_ms = 0;
				paced = 1;
			} else if (idle && done_round[cur_s] == cur_r - 1) {
				/* first moment the pace allows the next batch */
				double w = (t_start + (double)offered / rate - now_s()) * 1000;
				paced = 1;
				if (w <= 0)
					wait_ms = 0;
				else if (w + 1 < wait_ms)
					wait_ms = (int)w + 1;
			}
		}
		if (running)
			curl_multi_poll(m, NULL, 0, wait_ms, NULL);
		else if (wait_ms > 0 && (busy || paced)) {
			struct timespec ts = {0, (long)wait_ms * 1000000L};
			nanosleep(&ts, NULL);
		}
	}
	double elapsed = t_last - t_start;
	long long rounds_done = -1;
	for (long s = 0; s < nslots; s++) {
		long long d = done_round[s] - round0 + 1;
		if (rounds_done < 0 || d < rounds_done)
			rounds_done = d;
	}
	qsort(lat, nlat, sizeof(double), cmp_d);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
		     (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	printf("{\"ok\":%s,\"seconds\":%.6f,\"rounds_completed\":%lld,\"next_round\":%lld,"
	       "\"samples_sent\":%llu,\"samples_accepted\":%llu,\"file_updates_accepted\":%llu,"
	       "\"batches\":%llu,\"http_503\":%llu,\"errors\":%llu,\"body_bytes\":%llu,"
	       "\"batch_ms_median\":%.3f,\"batch_ms_p99\":%.3f,\"cpu_seconds\":%.3f,"
	       "\"devices\":%ld,\"ifs\":%ld,\"batch\":%ld,\"conns\":%ld,\"rate\":%.0f,"
	       "\"file_updates_offered\":%llu,\"first_error\":\"",
	       fatal || nerr ? "false" : "true", elapsed, rounds_done, max_dispatched + 1,
	       samples_sent, samples_acc, samples_acc * (unsigned long long)(nifs + 1), batches,
	       n503, nerr, body_bytes, nlat ? lat[nlat / 2] * 1000 : 0.0,
	       nlat ? lat[(size_t)((double)(nlat - 1) * 0.99)] * 1000 : 0.0, cpu, ndev, nifs,
	       bsize, nconns, rate, offered);
	json_escape(stdout, first_err);
	printf("\",\"samples_per_second\":[");
	for (long sec = 0; sec < MAX_SECONDS && sec < (long)elapsed + 1; sec++)
		printf("%s%llu", sec ? "," : "", per_sec[sec]);
	printf("]}\n");
	for (long i = 0; i < nconns; i++) {
		curl_multi_remove_handle(m, conns[i].h);
		curl_easy_cleanup(conns[i].h);
		free(conns[i].body.p);
	}
	curl_multi_cleanup(m);
	curl_slist_free_all(hdrs);
	curl_global_cleanup();
	free(done_round);
	free(lat);
	return fatal ? 1 : 0;
}
