/*
 * transport.h: the net layer's bottom, one HTTPS exchange through libcurl.
 * TLS is always verified, https is the only protocol (plain http only where a
 * caller says so: the ECS metadata service), bodies are capped while they
 * arrive, and each thread reuses one easy handle per transport so requests
 * share a connection. A transport belongs to one provider instance. Retries,
 * authentication and error envelopes live in call.c, above this.
 */
#ifndef HWC_TRANSPORT_H
#define HWC_TRANSPORT_H

#include <stddef.h>

#include "core/hwc.h"

typedef struct hwc_transport hwc_transport;

/* One HTTP header of a request (what the signer signs, too). */
typedef struct hwc_header {
    const char *name;
    const char *value;
} hwc_header;

typedef struct hwc_http_opts {
    hwc_transport *transport; /* NULL: the process default (tool, tests) */
    const char *ca_file;      /* PEM bundle to trust instead of the system's */
    int add_system_ca;        /* trust the system store as well as ca_file */
    long timeout_ms;          /* whole exchange */
    long connect_timeout_ms;
    size_t max_body;      /* response cap: larger is HWC_R_TOO_LARGE */
    int allow_http;       /* metadata service only */
    int follow_redirects; /* https -> https only */
    /* The proxy setting, or NULL: direct. The environment's http_proxy,
     * https_proxy, all_proxy and no_proxy never apply, and no proxy ever
     * carries an allow_http (metadata) request. */
    const char *proxy;
    /* Inside an OpenSSL ASYNC job, the request (and hwc_http_sleep) may
     * pause the job instead of blocking the thread (async.h). */
    int may_pause;
    /* Connections per host of the engine that runs paused requests
     * (setting max_connections; 0: HWC_DEFAULT_MAX_CONNECTIONS). */
    long max_connections;
} hwc_http_opts;

#define HWC_DEFAULT_MAX_CONNECTIONS 64

typedef struct hwc_http_req {
    const char *method;
    const char *url; /* full URL with query */
    const unsigned char *body;
    size_t body_len;
    const hwc_header *headers; /* complete list, auth included */
    size_t nheaders;
} hwc_http_req;

enum hwc_http_fail {
    HWC_HTTP_OK = 0,    /* an HTTP answer arrived (any status) */
    HWC_HTTP_CONNECT,   /* no connection: DNS, refused, reset early */
    HWC_HTTP_TIMEOUT,   /* connect or total timeout */
    HWC_HTTP_TLS,       /* certificate or handshake failure */
    HWC_HTTP_TOO_LARGE, /* body exceeded max_body */
    HWC_HTTP_BROKEN,    /* connection dropped mid-answer, truncated */
    HWC_HTTP_REFUSED,   /* scheme/redirect not allowed, bad option */
    HWC_HTTP_INTERNAL,
};

typedef struct hwc_http_resp {
    enum hwc_http_fail fail;
    char detail[256]; /* curl's message when fail != OK */
    long status;
    hwc_buf body;
    char request_id[96];
    char content_type[128];
    char *subject_token; /* X-Subject-Token, secret: wiped on free */
    long retry_after;    /* seconds from Retry-After, or -1 */
    double seconds;      /* time taken */
} hwc_http_resp;

/* Performs one exchange. Returns 1 when an HTTP answer arrived (check
 * resp->status), 0 otherwise (resp->fail says why). Raises nothing: the
 * caller decides whether a failure is final. */
int hwc_http_perform(const hwc_http_opts *o, const hwc_http_req *req,
                     hwc_http_resp *resp);
void hwc_http_resp_free(hwc_http_resp *resp);
/* Waits ms milliseconds: as hwc_http_perform, inside an ASYNC job with
 * may_pause the job pauses instead of the thread. */
void hwc_http_sleep(const hwc_http_opts *o, long ms);
/* One header line (len bytes, not NUL-terminated) into resp: X-Request-Id,
 * Content-Type, Retry-After, X-Subject-Token; 0 only when out of memory,
 * raising nothing. Pure: fuzzed. */
int hwc_http_parse_header(const char *line, size_t len, hwc_http_resp *resp);

/*
 * How a thread's handle is released when the thread ends inside a
 * provider: the core's thread_start upcall, as register(arg, fn, fn_arg).
 * Without one (NULL) handles go with the transport.
 */
typedef int hwc_thread_stop_register_fn(void *arg, void (*fn)(void *),
                                        void *fn_arg);
/* A transport; libcurl's global init runs on its first request and its
 * cleanup when the transport is freed (libcurl counts its users). */
hwc_transport *hwc_transport_new(hwc_thread_stop_register_fn *stop_register,
                                 void *stop_arg);
/* Releases every thread's handle made through t; NULL is fine. */
void hwc_transport_free(hwc_transport *t);
/* Drops this thread's handles (tests). */
void hwc_transport_thread_cleanup(void);

#endif /* HWC_TRANSPORT_H */
