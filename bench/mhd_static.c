/* The yardstick of bench/overview_wrk.py: libmicrohttpd answering one static 20 KB page from
 * memory (its own thread, epoll), the fastest a libmicrohttpd server of this machine can be.
 * Usage: mhd_static PORT */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char page[20 * 1024];

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn, const char *url,
			      const char *method, const char *version, const char *data,
			      size_t *size, void **ptr)
{
	(void)cls, (void)url, (void)method, (void)version, (void)data, (void)size, (void)ptr;
	struct MHD_Response *r =
	    MHD_create_response_from_buffer(sizeof(page), page, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "text/html; charset=utf-8");
	enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	for (size_t i = 0; i < sizeof(page); i++)
		page[i] = "<p>hbmon static page</p>\n"[i % 25];
	struct MHD_Daemon *d = MHD_start_daemon(
	    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL, (uint16_t)atoi(argv[1]), NULL, NULL,
	    answer, NULL, MHD_OPTION_CONNECTION_LIMIT, (unsigned)256, MHD_OPTION_END);
	if (!d)
		return 1;
	pause();
	MHD_stop_daemon(d);
	return 0;
}
