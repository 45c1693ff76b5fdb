/*
 * async.h: KMS requests made from inside an OpenSSL ASYNC job (a TLS
 * server in SSL_MODE_ASYNC, HAProxy's ssl-mode-async) without blocking the
 * server's thread. The job hands its prepared libcurl transfer to an
 * engine, one per transport: a thread of ours that drives every transfer
 * through one libcurl multi handle (a bounded pool of kept-alive
 * connections, or HTTP/2 streams where the server offers HTTP/2). The job
 * publishes a wait fd and pauses until its transfer is done.
 *
 * The wait fd is an eventfd that belongs to one ASYNC_WAIT_CTX (so to one
 * SSL object, whose jobs run one at a time): made on its first pause,
 * signalled by the engine when the transfer (or a retry delay) ends, and
 * closed by the wait context's cleanup once the engine is done with it. It
 * stays in the wait context between jobs because servers take fds out of
 * their poller only when libssl reports them (after a pause, or when the
 * SSL object goes): an fd cleared and closed while the job ends would stay
 * in the server's table under a number the kernel hands out again.
 */
#ifndef HWC_ASYNC_H
#define HWC_ASYNC_H

#include <curl/curl.h>

typedef struct hwc_engine hwc_engine;

/* 1 when the calling thread runs an ASYNC job with a wait context. */
int hwc_async_in_job(void);

/* An engine whose multi handle keeps at most max_connections connections
 * per host; its thread starts here. NULL (raised) on failure. */
hwc_engine *hwc_engine_new(long max_connections);
/* Stops the thread and releases every handle. Transfers still in it (the
 * provider unloaded with operations in flight) end as CURLE_ABORTED. */
void hwc_engine_free(hwc_engine *e);
/* 1 once an answer came over HTTP/2 (the server multiplexes). */
int hwc_engine_http2(const hwc_engine *e);
/* Made before a fork (in the parent): its thread is not in this process. */
int hwc_engine_stale(const hwc_engine *e);
/* Forgets e in a child after fork: nothing of it is touched or freed. */
void hwc_engine_abandon(hwc_engine *e);

/* An easy handle for one transfer (reset, or new); NULL when out of memory.
 * Give it back with hwc_engine_put. */
CURL *hwc_engine_get(hwc_engine *e);
void hwc_engine_put(hwc_engine *e, CURL *easy);

/*
 * Runs the transfer set up on easy inside the engine and pauses the
 * current job until it ended (resumed early, it pauses again). Outside a
 * job, or when the wait fd cannot be made, it blocks in
 * curl_easy_perform instead. Returns libcurl's result.
 */
CURLcode hwc_engine_perform(hwc_engine *e, CURL *easy);
/* Waits ms milliseconds: the job pauses while the engine counts. */
void hwc_engine_sleep(hwc_engine *e, long ms);

#endif /* HWC_ASYNC_H */
