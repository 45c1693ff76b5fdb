/*
 * transport.c: one HTTPS exchange over libcurl, as a library must use it:
 * global init once, lazily (never from OSSL_provider_init); one easy
 * handle per thread, kept so its connection cache is reused; NOSIGNAL;
 * https-only protocols and redirects; bodies capped in the write callback;
 * handles abandoned (never cleaned up: that would shut down the parent's
 * TLS sessions) in a child after fork.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "net/async.h"
#include "net/headers.h"
#include "net/transport.h"
#include "net/trust.h"

/*
 * A transport belongs to one provider instance (or is the process default
 * of the tool and the tests): its trust bundles, and one easy handle per
 * thread that used it. Handles live in `slots`, one list for the whole
 * process under one forklock, so that a thread-stop callback, which names
 * its slot by number only, can never touch a transport already freed.
 */
struct slot {
    unsigned long id;
    const hwc_transport *owner;
    CURL *easy;
    unsigned generation; /* fork_generation when easy was made */
    struct slot *next;
};

struct hwc_transport {
    unsigned long serial; /* unique in the process: names it in tls_slots */
    hwc_forklock lock;    /* curl_inited, engine */
    hwc_trust_set trust;
    int curl_inited; /* this transport holds a curl_global_init */
    hwc_thread_stop_register_fn *stop_register;
    void *stop_arg;
    hwc_engine *engine; /* under lock; made by the first paused request */
    int no_engine;      /* under lock: its thread could not be started */
};

static hwc_forklock slots_lock;  /* slots, abandoned */
static hwc_forklock global_lock; /* curl_global_init/cleanup */
static pthread_once_t locks_once = PTHREAD_ONCE_INIT;
static struct slot *slots;
static unsigned long next_serial, next_slot_id;
/* Bumped in a forked child: every handle made before is abandoned. */
static unsigned fork_generation;

/*
 * Handles made before a fork are never cleaned up in the child (that would
 * shut down the parent's TLS connections), only forgotten; they stay
 * reachable from here so that leak checkers see them as kept, not lost.
 */
static CURL *abandoned[64];
static size_t nabandoned;

/* This thread's slots, by transport serial (a small, most-recent cache). */
#define TLS_SLOTS 4
static _Thread_local struct {
    unsigned long serial;
    struct slot *s;
} tls_slots[TLS_SLOTS];

static void on_fork_child(void *arg)
{
    (void)arg;
    fork_generation++;
}

static void locks_init(void)
{
    hwc_forklock_init(&global_lock, NULL, NULL);
    hwc_forklock_init(&slots_lock, on_fork_child, NULL);
}

hwc_transport *hwc_transport_new(hwc_thread_stop_register_fn *stop_register,
                                 void *stop_arg)
{
    hwc_transport *t = OPENSSL_zalloc(sizeof(*t));

    if (t == NULL) {
        hwc_raise(HWC_R_MALLOC, "allocating a transport");
        return NULL;
    }
    pthread_once(&locks_once, locks_init);
    t->serial = __atomic_add_fetch(&next_serial, 1, __ATOMIC_RELAXED);
    t->stop_register = stop_register;
    t->stop_arg = stop_arg;
    hwc_forklock_init(&t->lock, NULL, NULL);
    hwc_trust_init(&t->trust);
    return t;
}

/* Under slots_lock: unlinks s and releases its handle. */
static void slot_free(struct slot *s)
{
    for (struct slot **p = &slots; *p != NULL; p = &(*p)->next) {
        if (*p == s) {
            *p = s->next;
            break;
        }
    }
    if (s->easy != NULL && s->generation == fork_generation) {
        curl_easy_cleanup(s->easy);
    } else if (s->easy != NULL &&
               nabandoned < sizeof(abandoned) / sizeof(abandoned[0])) {
        abandoned[nabandoned++] = s->easy;
    }
    OPENSSL_free(s);
}

void hwc_transport_free(hwc_transport *t)
{
    if (t == NULL) {
        return;
    }
    hwc_forklock_lock(&slots_lock);
    for (struct slot *s = slots, *next; s != NULL; s = next) {
        next = s->next;
        if (s->owner == t) {
            slot_free(s);
        }
    }
    hwc_forklock_unlock(&slots_lock);
    hwc_trust_clear(&t->trust);
    if (t->engine != NULL && hwc_engine_stale(t->engine)) {
        hwc_engine_abandon(t->engine); /* the parent's, not ours */
    } else {
        hwc_engine_free(t->engine);
    }
    if (t->curl_inited) {
        /* libcurl counts its users: this releases ours only. */
        hwc_forklock_lock(&global_lock);
        curl_global_cleanup();
        hwc_forklock_unlock(&global_lock);
    }
    hwc_forklock_destroy(&t->lock);
    OPENSSL_clear_free(t, sizeof(*t));
}

/* The tool and the unit tests, which have no provider instance. */
static hwc_transport *default_transport;
static pthread_once_t default_once = PTHREAD_ONCE_INIT;

static void default_init(void)
{
    default_transport = hwc_transport_new(NULL, NULL);
}

static hwc_transport *transport_of(const hwc_http_opts *o)
{
    if (o->transport != NULL) {
        return o->transport;
    }
    pthread_once(&default_once, default_init);
    return default_transport;
}

/* Once per transport; 0 when libcurl cannot be used. */
static const char *unavailable = "libcurl unavailable";

static int curl_ready(hwc_transport *t)
{
    const curl_version_info_data *vi;
    int ok;

    if (__atomic_load_n(&t->curl_inited, __ATOMIC_ACQUIRE)) {
        return 1;
    }
    /* libcurl creates the file SSLKEYLOGFILE names, with this process's
     * privileges: in a setuid or setcap program its caller chooses it. */
    if (getauxval(AT_SECURE) != 0 && getenv("SSLKEYLOGFILE") != NULL) {
        unavailable = "SSLKEYLOGFILE is set in a setuid or setcap process "
                      "(libcurl would create that file with its privileges)";
        return 0;
    }
    hwc_forklock_lock(&global_lock);
    ok = t->curl_inited || curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
    if (ok && !t->curl_inited) {
        __atomic_store_n(&t->curl_inited, 1, __ATOMIC_RELEASE);
    }
    hwc_forklock_unlock(&global_lock);
    vi = ok ? curl_version_info(CURLVERSION_NOW) : NULL;
    return vi != NULL && (vi->features & CURL_VERSION_SSL) != 0;
}

/* The core calls this when a thread that used the transport ends. */
static void thread_stop_cb(void *arg)
{
    unsigned long id = (unsigned long)(uintptr_t)arg;

    hwc_forklock_lock(&slots_lock);
    for (struct slot *s = slots; s != NULL; s = s->next) {
        if (s->id == id) {
            slot_free(s);
            break;
        }
    }
    hwc_forklock_unlock(&slots_lock);
}

void hwc_transport_thread_cleanup(void)
{
    hwc_forklock_lock(&slots_lock);
    for (size_t i = 0; i < TLS_SLOTS; i++) {
        if (tls_slots[i].s != NULL) {
            for (struct slot *s = slots; s != NULL; s = s->next) {
                if (s == tls_slots[i].s) {
                    slot_free(s);
                    break;
                }
            }
        }
        tls_slots[i].serial = 0;
        tls_slots[i].s = NULL;
    }
    hwc_forklock_unlock(&slots_lock);
}

static struct slot *new_slot(hwc_transport *t)
{
    struct slot *s = OPENSSL_zalloc(sizeof(*s));

    if (s == NULL || (s->easy = curl_easy_init()) == NULL) {
        OPENSSL_free(s);
        return NULL;
    }
    s->owner = t;
    s->id = __atomic_add_fetch(&next_slot_id, 1, __ATOMIC_RELAXED);
    hwc_forklock_lock(&slots_lock);
    s->generation = fork_generation;
    s->next = slots;
    slots = s;
    hwc_forklock_unlock(&slots_lock);
    if (t->stop_register != NULL) {
        /* Without it the slot is released with the transport. */
        t->stop_register(t->stop_arg, thread_stop_cb, (void *)(uintptr_t)s->id);
    }
    return s;
}

/* This thread's handle for t, made on first use and after a fork. */
static CURL *thread_handle(hwc_transport *t)
{
    size_t i, victim = TLS_SLOTS - 1;
    struct slot *s = NULL;

    if (!curl_ready(t)) {
        return NULL;
    }
    for (i = 0; i < TLS_SLOTS; i++) {
        if (tls_slots[i].serial == t->serial) {
            s = tls_slots[i].s;
            victim = i;
            break;
        }
    }
    if (s != NULL &&
        s->generation != __atomic_load_n(&fork_generation, __ATOMIC_RELAXED)) {
        s = NULL; /* made before a fork: the slot stays, abandoned */
    }
    if (s == NULL && (s = new_slot(t)) == NULL) {
        return NULL;
    }
    /* Most recent first; the least recent entry makes room. */
    memmove(&tls_slots[1], &tls_slots[0], victim * sizeof(tls_slots[0]));
    tls_slots[0].serial = t->serial;
    tls_slots[0].s = s;
    curl_easy_reset(s->easy); /* keeps connections and sessions */
    return s->easy;
}

struct recv_state {
    hwc_http_resp *resp;
    size_t max_body;
    int too_large;
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct recv_state *rs = arg;
    size_t len = size * n;

    if (rs->resp->body.len + len > rs->max_body) {
        rs->too_large = 1;
        return 0; /* aborts the transfer: nothing past the cap is kept */
    }
    return hwc_buf_append(&rs->resp->body, p, len) ? len : 0;
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    hwc_http_resp *resp = ((struct recv_state *)arg)->resp;
    size_t len = size * n;

    return hwc_http_parse_header(p, len, resp) ? len : 0;
}

static enum hwc_http_fail classify(CURLcode rc, const struct recv_state *rs)
{
    if (rs->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        return HWC_HTTP_TOO_LARGE;
    }
    switch (rc) {
    case CURLE_OK:
        return HWC_HTTP_OK;
    case CURLE_OPERATION_TIMEDOUT:
        return HWC_HTTP_TIMEOUT;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT:
    case CURLE_SEND_ERROR:
        return HWC_HTTP_CONNECT;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
        return HWC_HTTP_TLS;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_TOO_MANY_REDIRECTS:
        return HWC_HTTP_REFUSED;
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_GOT_NOTHING:
    case CURLE_WRITE_ERROR:
        return HWC_HTTP_BROKEN;
    default:
        return HWC_HTTP_INTERNAL;
    }
}

/*
 * Every TLS context libcurl makes for us: read buffers are wiped after use
 * (exported private keys pass through them), and no session keys are
 * logged (libcurl honours SSLKEYLOGFILE; they would decrypt those keys).
 */
static CURLcode tls_ctx_setup(CURL *c, void *sslctx, void *arg)
{
    (void)c, (void)arg;
    SSL_CTX_set_options(sslctx, SSL_OP_CLEANSE_PLAINTEXT);
    SSL_CTX_set_keylog_callback(sslctx, NULL);
    return CURLE_OK;
}

static int set_options(CURL *c, hwc_transport *tp, const hwc_http_opts *o,
                       const hwc_http_req *req, struct curl_slist *hdrs,
                       struct recv_state *rs, char *errbuf)
{
    const char *proto = o->allow_http ? "http,https" : "https";
    int ok = 1;

    ok &= curl_easy_setopt(c, CURLOPT_URL, req->url) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, proto) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https") == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION,
                           o->follow_redirects ? 1L : 0L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, o->timeout_ms) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                           o->connect_timeout_ms) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_WRITEDATA, rs) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_HEADERDATA, rs) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_USERAGENT,
                           "hwcloud-provider/" HWC_VERSION) == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
                           (curl_off_t)o->max_body) == CURLE_OK;
    /* "" is "no proxy", whatever http_proxy & co. say (transport.h). */
    ok &= curl_easy_setopt(c, CURLOPT_PROXY,
                           o->proxy != NULL && !o->allow_http ? o->proxy
                                                              : "") == CURLE_OK;
    ok &= curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, tls_ctx_setup) ==
          CURLE_OK;
    if (strcmp(req->method, "GET") != 0) {
        ok &= curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                               (curl_off_t)req->body_len) == CURLE_OK;
        ok &= curl_easy_setopt(c, CURLOPT_POSTFIELDS,
                               req->body ? (const char *)req->body : "") ==
              CURLE_OK;
    } else {
        ok &= curl_easy_setopt(c, CURLOPT_HTTPGET, 1L) == CURLE_OK;
    }
    return ok && hwc_trust_apply(&tp->trust, c, o->ca_file, o->add_system_ca);
}

static double now_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * The engine that runs t's requests made from ASYNC jobs, made on first
 * use (and again in a child after fork: the parent's thread is not there).
 * Made outside t->lock: making a forklock while holding one is not done.
 */
static hwc_engine *engine_of(hwc_transport *t, const hwc_http_opts *o)
{
    hwc_engine *e, *made, *stale = NULL;

    int failed;

    hwc_forklock_lock(&t->lock);
    e = t->engine;
    if (e != NULL && hwc_engine_stale(e)) {
        stale = e;
        e = t->engine = NULL;
        t->no_engine = 0; /* a new process may start threads */
    }
    failed = t->no_engine;
    hwc_forklock_unlock(&t->lock);
    if (stale != NULL) {
        hwc_engine_abandon(stale);
    }
    if (e != NULL || failed) {
        return e;
    }
    /* Without its thread the request blocks, as outside a job: an error
     * it would leave behind is no error of the call's. */
    ERR_set_mark();
    made = hwc_engine_new(o->max_connections > 0 ? o->max_connections
                                                 : HWC_DEFAULT_MAX_CONNECTIONS);
    ERR_pop_to_mark();
    if (made == NULL) {
        hwc_forklock_lock(&t->lock);
        t->no_engine = 1;
        hwc_forklock_unlock(&t->lock);
        hwc_debug("cannot start the thread for KMS requests from ASYNC jobs "
                  "(a server that forbids new threads: HAProxy needs "
                  "insecure-fork-wanted): they block the thread instead");
        return NULL;
    }
    hwc_forklock_lock(&t->lock);
    if (t->engine == NULL) {
        t->engine = made;
        made = NULL;
    }
    e = t->engine;
    hwc_forklock_unlock(&t->lock);
    hwc_engine_free(made); /* another thread was first */
    return e;
}

/* What both paths do once libcurl has finished with c. */
static int finish(CURL *c, CURLcode rc, struct curl_slist *hdrs,
                  const struct recv_state *rs, const char *errbuf, double start,
                  hwc_http_resp *resp)
{
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    /* The handle must not keep pointers into our freed header list. */
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
    hwc_http_free_headers(hdrs);
    resp->seconds = now_seconds() - start;
    resp->fail = classify(rc, rs);
    if (resp->fail != HWC_HTTP_OK) {
        snprintf(resp->detail, sizeof(resp->detail), "%s",
                 resp->fail == HWC_HTTP_TOO_LARGE
                     ? "response exceeds the size limit"
                 : errbuf[0] ? errbuf
                             : curl_easy_strerror(rc));
        return 0;
    }
    return 1;
}

static int refused(hwc_http_resp *resp, const char *why)
{
    resp->fail = HWC_HTTP_REFUSED;
    snprintf(resp->detail, sizeof(resp->detail), "%s", why);
    return 0;
}

static const char *const refused_options =
    "request refused before sending (invalid header or option)";

/* Inside an ASYNC job: the engine runs the request while the job pauses. */
static int perform_paused(hwc_transport *tp, hwc_engine *e,
                          const hwc_http_opts *o, const hwc_http_req *req,
                          hwc_http_resp *resp)
{
    CURL *c = hwc_engine_get(e);
    struct curl_slist *hdrs = NULL;
    struct recv_state rs = {resp, o->max_body, 0};
    char errbuf[CURL_ERROR_SIZE] = "";
    double start = now_seconds();
    int ok;

    if (c == NULL) {
        resp->fail = HWC_HTTP_INTERNAL;
        snprintf(resp->detail, sizeof(resp->detail), "out of memory");
        return 0;
    }
    if ((hdrs = hwc_http_build_headers(req)) == NULL ||
        !set_options(c, tp, o, req, hdrs, &rs, errbuf) ||
        /* Once the server answered over HTTP/2, a request waits to be a
         * stream of a connection being made rather than open one more (with
         * HTTP/1.1 waiting would only make connections one after another). */
        curl_easy_setopt(c, CURLOPT_PIPEWAIT, (long)hwc_engine_http2(e)) !=
            CURLE_OK) {
        hwc_http_free_headers(hdrs);
        hwc_engine_put(e, c);
        return refused(resp, refused_options);
    }
    ok = finish(c, hwc_engine_perform(e, c), hdrs, &rs, errbuf, start, resp);
    hwc_engine_put(e, c);
    return ok;
}

int hwc_http_perform(const hwc_http_opts *o, const hwc_http_req *req,
                     hwc_http_resp *resp)
{
    hwc_transport *tp = transport_of(o);
    hwc_engine *e = NULL;
    CURL *c;
    struct curl_slist *hdrs = NULL;
    struct recv_state rs = {resp, o->max_body, 0};
    char errbuf[CURL_ERROR_SIZE] = "";
    double start = now_seconds();

    memset(resp, 0, sizeof(*resp));
    resp->retry_after = -1;
    if (tp != NULL && o->may_pause && hwc_async_in_job() && curl_ready(tp) &&
        (e = engine_of(tp, o)) != NULL) {
        return perform_paused(tp, e, o, req, resp);
    }
    c = tp != NULL ? thread_handle(tp) : NULL;
    if (c == NULL) {
        resp->fail = HWC_HTTP_INTERNAL;
        snprintf(resp->detail, sizeof(resp->detail), "%s", unavailable);
        return 0;
    }
    if ((hdrs = hwc_http_build_headers(req)) == NULL ||
        !set_options(c, tp, o, req, hdrs, &rs, errbuf)) {
        hwc_http_free_headers(hdrs);
        return refused(resp, refused_options);
    }
    return finish(c, curl_easy_perform(c), hdrs, &rs, errbuf, start, resp);
}

void hwc_http_sleep(const hwc_http_opts *o, long ms)
{
    hwc_transport *tp = transport_of(o);
    hwc_engine *e = NULL;

    if (tp != NULL && o->may_pause && hwc_async_in_job() && curl_ready(tp)) {
        e = engine_of(tp, o);
    }
    if (e != NULL) {
        hwc_engine_sleep(e, ms);
        return;
    }
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

void hwc_http_resp_free(hwc_http_resp *resp)
{
    if (resp == NULL) {
        return;
    }
    hwc_buf_free(&resp->body);
    hwc_secret_free(resp->subject_token);
    resp->subject_token = NULL;
}
