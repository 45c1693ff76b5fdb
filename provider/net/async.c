/*
 * async.c: the engine behind async.h. One thread per transport drives a
 * libcurl multi handle; ASYNC jobs queue transfers (and retry delays) to
 * it and pause on their wait context's eventfd until the engine has
 * finished them.
 *
 * Ownership of a queued transfer (struct xfer) is shared by the job that
 * waits for it and the engine that runs it, under the engine's lock: the
 * last of the two to let go frees it. A job may never come back (its SSL
 * object freed while it was paused): the wait context's cleanup then lets
 * go in the job's place, and the eventfd is closed once no transfer can
 * signal it any more.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <openssl/async.h>
#include <openssl/crypto.h>

#include "net/async.h"
#include "core/hwc.h"

/* One eventfd per wait context, for every job that context runs. */
struct waiter {
    int efd;
    int refs;             /* the wait context's, plus one per queued transfer */
    struct xfer *current; /* what its paused job waits for, or NULL */
};

struct xfer {
    hwc_engine *e;
    CURL *easy;        /* NULL for a delay */
    long long due_ms;  /* a delay's end */
    struct waiter *w;  /* signalled when done */
    CURLcode rc;       /* the transfer's result */
    int done;          /* atomic: the engine finished it */
    int job_owned;     /* under e->lock: the job still holds it */
    int engine_owned;  /* under e->lock: the engine still holds it */
    struct xfer *next; /* queue or delay list */
};

#define IDLE_MAX 64

struct hwc_engine {
    hwc_forklock lock; /* queue, delays, idle, stop, ownership flags */
    CURLM *multi;
    pthread_t thread;
    int started;
    int stop;
    int forked;           /* set in a child: the thread is not here */
    int http2;            /* atomic: an answer came over HTTP/2 */
    struct xfer *queue;   /* transfers the thread has not added yet */
    struct xfer *delays;  /* by due time */
    struct xfer *running; /* in the multi handle (the thread's own list) */
    CURL *idle[IDLE_MAX]; /* easy handles for the next transfers */
    size_t nidle;
};

/* Engines abandoned in a fork child stay reachable, for leak checkers. */
static hwc_engine *abandoned[16];
static size_t nabandoned;

static long long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*---------------------------------------------------------- wait fds */

static const char waiter_key[] = "hwcloud KMS request";

static void waiter_unref(struct waiter *w)
{
    if (__atomic_sub_fetch(&w->refs, 1, __ATOMIC_ACQ_REL) == 0) {
        close(w->efd);
        OPENSSL_free(w);
    }
}

static void xfer_free(struct xfer *x);

/* The wait context is freed: its job, if one is paused, never resumes. */
static void waiter_cleanup(ASYNC_WAIT_CTX *ctx, const void *key,
                           OSSL_ASYNC_FD fd, void *custom)
{
    struct waiter *w = custom;
    struct xfer *x = w->current;

    (void)ctx, (void)key, (void)fd;
    if (x != NULL) {
        hwc_engine *e = x->e;
        int free_it;

        hwc_forklock_lock(&e->lock);
        x->job_owned = 0;
        free_it = !x->engine_owned;
        hwc_forklock_unlock(&e->lock);
        if (free_it) {
            xfer_free(x);
        }
        w->current = NULL;
    }
    waiter_unref(w);
}

/* The current job's waiter, made (and published) on first use. */
static struct waiter *waiter_get(void)
{
    ASYNC_JOB *job = ASYNC_get_current_job();
    ASYNC_WAIT_CTX *ctx = job != NULL ? ASYNC_get_wait_ctx(job) : NULL;
    OSSL_ASYNC_FD fd;
    void *custom = NULL;
    struct waiter *w;

    if (ctx == NULL) {
        return NULL;
    }
    if (ASYNC_WAIT_CTX_get_fd(ctx, waiter_key, &fd, &custom)) {
        return custom;
    }
    if ((w = OPENSSL_zalloc(sizeof(*w))) == NULL) {
        return NULL;
    }
    w->refs = 1;
    if ((w->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0) {
        OPENSSL_free(w);
        return NULL;
    }
    if (!ASYNC_WAIT_CTX_set_wait_fd(ctx, waiter_key, w->efd, w,
                                    waiter_cleanup)) {
        close(w->efd);
        OPENSSL_free(w);
        return NULL;
    }
    return w;
}

/*
 * A job that ends without having paused since it published its fd (the
 * answer came first, or pauses are blocked) leaves an fd libssl never
 * reported to the application: a server would later be told to drop an
 * fd it never added (HAProxy aborts on that). Such an fd is taken back.
 */
static void unpublish_unreported(struct waiter *w)
{
    ASYNC_JOB *job = ASYNC_get_current_job();
    ASYNC_WAIT_CTX *ctx = job != NULL ? ASYNC_get_wait_ctx(job) : NULL;
    OSSL_ASYNC_FD add[16];
    size_t nadd = 0, ndel = 0;
    int mine = 0;

    if (ctx == NULL ||
        !ASYNC_WAIT_CTX_get_changed_fds(ctx, NULL, &nadd, NULL, &ndel) ||
        nadd == 0 || nadd > sizeof(add) / sizeof(add[0]) ||
        !ASYNC_WAIT_CTX_get_changed_fds(ctx, add, &nadd, NULL, &ndel)) {
        return;
    }
    for (size_t i = 0; i < nadd; i++) {
        mine |= add[i] == w->efd;
    }
    if (mine && ASYNC_WAIT_CTX_clear_fd(ctx, waiter_key)) {
        waiter_unref(w); /* the wait context's reference */
    }
}

static void waiter_drain(struct waiter *w)
{
    uint64_t v;

    while (read(w->efd, &v, sizeof(v)) < 0 && errno == EINTR) {
    }
}

int hwc_async_in_job(void)
{
    ASYNC_JOB *job = ASYNC_get_current_job();

    return job != NULL && ASYNC_get_wait_ctx(job) != NULL;
}

/*------------------------------------------------------------ engine */

static void on_fork_child(void *arg)
{
    ((hwc_engine *)arg)->forked = 1;
}

static void *engine_main(void *arg);

hwc_engine *hwc_engine_new(long max_connections)
{
    hwc_engine *e = OPENSSL_zalloc(sizeof(*e));
    sigset_t all, old;

    if (e == NULL || (e->multi = curl_multi_init()) == NULL) {
        OPENSSL_free(e);
        hwc_raise(HWC_R_MALLOC, "making the KMS request engine");
        return NULL;
    }
    /* A pool of kept-alive connections, or streams of one HTTP/2
     * connection where the server offers it (libcurl's default). */
    curl_multi_setopt(e->multi, CURLMOPT_MAX_HOST_CONNECTIONS, max_connections);
    curl_multi_setopt(e->multi, CURLMOPT_MAXCONNECTS, max_connections);
    hwc_forklock_init(&e->lock, on_fork_child, e);
    /* The server's signals go to the server's threads, never to ours. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    e->started = pthread_create(&e->thread, NULL, engine_main, e) == 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (!e->started) {
        hwc_engine_free(e);
        hwc_raise(HWC_R_INTERNAL, "starting the KMS request thread");
        return NULL;
    }
    return e;
}

int hwc_engine_http2(const hwc_engine *e)
{
    return __atomic_load_n(&e->http2, __ATOMIC_RELAXED);
}

int hwc_engine_stale(const hwc_engine *e)
{
    return e->forked;
}

void hwc_engine_abandon(hwc_engine *e)
{
    if (nabandoned < sizeof(abandoned) / sizeof(abandoned[0])) {
        abandoned[nabandoned++] = e;
    }
}

CURL *hwc_engine_get(hwc_engine *e)
{
    CURL *c = NULL;

    hwc_forklock_lock(&e->lock);
    if (e->nidle > 0) {
        c = e->idle[--e->nidle];
    }
    hwc_forklock_unlock(&e->lock);
    if (c != NULL) {
        curl_easy_reset(c);
        return c;
    }
    return curl_easy_init();
}

void hwc_engine_put(hwc_engine *e, CURL *easy)
{
    hwc_forklock_lock(&e->lock);
    if (e->nidle < IDLE_MAX) {
        e->idle[e->nidle++] = easy;
        easy = NULL;
    }
    hwc_forklock_unlock(&e->lock);
    curl_easy_cleanup(easy); /* NULL is fine */
}

static void xfer_free(struct xfer *x)
{
    if (x->easy != NULL) {
        hwc_engine_put(x->e, x->easy);
    }
    if (x->w != NULL) {
        waiter_unref(x->w);
    }
    OPENSSL_free(x);
}

/*
 * The engine's end of a transfer: it signals the waiting job, or frees
 * the transfer when no job waits any more. The signal is sent under the
 * lock, so that a job that saw `done` and then took the lock once knows
 * the engine no longer touches the transfer.
 */
static void finish(hwc_engine *e, struct xfer *x, CURLcode rc)
{
    static const uint64_t one = 1;
    int free_it;

    hwc_forklock_lock(&e->lock);
    x->rc = rc;
    x->engine_owned = 0;
    free_it = !x->job_owned;
    if (!free_it) {
        __atomic_store_n(&x->done, 1, __ATOMIC_RELEASE);
        while (write(x->w->efd, &one, sizeof(one)) < 0 && errno == EINTR) {
        }
    }
    hwc_forklock_unlock(&e->lock);
    if (free_it) {
        xfer_free(x);
    }
}

static void unlink_running(hwc_engine *e, struct xfer *x)
{
    for (struct xfer **p = &e->running; *p != NULL; p = &(*p)->next) {
        if (*p == x) {
            *p = x->next;
            return;
        }
    }
}

/* Adds what jobs queued; returns 0 when the engine stops. */
static int take_queue(hwc_engine *e)
{
    struct xfer *q;
    int stop;

    hwc_forklock_lock(&e->lock);
    q = e->queue;
    e->queue = NULL;
    stop = e->stop;
    hwc_forklock_unlock(&e->lock);
    while (q != NULL) {
        struct xfer *x = q;
        CURLMcode mc;

        q = q->next;
        x->next = e->running;
        e->running = x;
        if ((mc = curl_multi_add_handle(e->multi, x->easy)) != CURLM_OK) {
            unlink_running(e, x);
            finish(e, x, CURLE_OUT_OF_MEMORY);
        }
    }
    return !stop;
}

static void reap(hwc_engine *e)
{
    CURLMsg *m;
    int left;

    while ((m = curl_multi_info_read(e->multi, &left)) != NULL) {
        struct xfer *x = NULL;

        if (m->msg != CURLMSG_DONE) {
            continue;
        }
        curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
        CURLcode rc = m->data.result;
        long version = 0;
        curl_easy_getinfo(m->easy_handle, CURLINFO_HTTP_VERSION, &version);
        if (version == CURL_HTTP_VERSION_2_0) {
            __atomic_store_n(&e->http2, 1, __ATOMIC_RELAXED);
        }
        curl_multi_remove_handle(e->multi, m->easy_handle);
        unlink_running(e, x);
        finish(e, x, rc);
    }
}

/* Ends the delays that are due; returns ms until the next one, or -1. */
static long fire_delays(hwc_engine *e)
{
    long long now = now_ms();
    struct xfer *due = NULL, **tail = &due;
    long next = -1;

    hwc_forklock_lock(&e->lock);
    while (e->delays != NULL && e->delays->due_ms <= now) {
        *tail = e->delays;
        e->delays = e->delays->next;
        tail = &(*tail)->next;
    }
    *tail = NULL;
    if (e->delays != NULL) {
        next = (long)(e->delays->due_ms - now);
    }
    hwc_forklock_unlock(&e->lock);
    while (due != NULL) {
        struct xfer *x = due;
        due = due->next;
        finish(e, x, CURLE_OK);
    }
    return next;
}

static void *engine_main(void *arg)
{
    hwc_engine *e = arg;
    int running;

    while (take_queue(e)) {
        long wait = 1000, delay;
        long ct = -1;

        curl_multi_perform(e->multi, &running);
        reap(e);
        delay = fire_delays(e);
        curl_multi_timeout(e->multi, &ct);
        if (ct >= 0 && ct < wait) {
            wait = ct;
        }
        if (delay >= 0 && delay < wait) {
            wait = delay;
        }
        if (wait > 0) {
            curl_multi_poll(e->multi, NULL, 0, (int)wait, NULL);
        }
    }
    /* libcrypto's state of this thread (the random generators libcurl's
     * TLS made here) goes with it, as for any thread that used libcrypto.
     * When the provider is torn down by OPENSSL_cleanup at exit, libcrypto
     * has already dropped what it needs to free them. */
    OPENSSL_thread_stop();
    return NULL;
}

/* Stopped: what is left in the engine ends as aborted. */
static void abort_all(hwc_engine *e)
{
    struct xfer *left;

    while ((left = e->running) != NULL) {
        e->running = left->next;
        curl_multi_remove_handle(e->multi, left->easy);
        finish(e, left, CURLE_ABORTED_BY_CALLBACK);
    }
    hwc_forklock_lock(&e->lock);
    left = e->queue;
    e->queue = NULL;
    hwc_forklock_unlock(&e->lock);
    for (struct xfer *x; (x = left) != NULL;) {
        left = x->next;
        finish(e, x, CURLE_ABORTED_BY_CALLBACK);
    }
    hwc_forklock_lock(&e->lock);
    left = e->delays;
    e->delays = NULL;
    hwc_forklock_unlock(&e->lock);
    for (struct xfer *x; (x = left) != NULL;) {
        left = x->next;
        finish(e, x, CURLE_ABORTED_BY_CALLBACK);
    }
}

void hwc_engine_free(hwc_engine *e)
{
    if (e == NULL) {
        return;
    }
    if (e->started) {
        hwc_forklock_lock(&e->lock);
        e->stop = 1;
        hwc_forklock_unlock(&e->lock);
        curl_multi_wakeup(e->multi);
        pthread_join(e->thread, NULL);
        abort_all(e);
    }
    for (size_t i = 0; i < e->nidle; i++) {
        curl_easy_cleanup(e->idle[i]);
    }
    curl_multi_cleanup(e->multi);
    hwc_forklock_destroy(&e->lock);
    OPENSSL_free(e);
}

/*----------------------------------------------------- the job's side */

static long long now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * Pauses until the engine marked x done. A resume before that (a server
 * may resume a job for its own reasons) pauses again. A pause that keeps
 * returning at once did not pause (the application blocked pauses, or
 * ASYNC cannot switch): then the thread waits on the fd itself.
 */
static void wait_done(hwc_engine *e, struct xfer *x)
{
    int quick = 0;

    for (;;) {
        waiter_drain(x->w);
        if (__atomic_load_n(&x->done, __ATOMIC_ACQUIRE)) {
            break;
        }
        if (quick >= 3) {
            struct pollfd p = {x->w->efd, POLLIN, 0};
            poll(&p, 1, 100);
            continue;
        }
        long long t0 = now_us();
        if (!ASYNC_pause_job()) {
            quick = 3;
            continue;
        }
        quick = now_us() - t0 < 20 ? quick + 1 : 0;
    }
    /* The engine signals under its lock: once through it, it is done. */
    hwc_forklock_lock(&e->lock);
    hwc_forklock_unlock(&e->lock);
    waiter_drain(x->w);
}

/* Queues x (a transfer, or a delay when x->easy is NULL) and waits. */
static CURLcode run(hwc_engine *e, struct xfer *x, struct waiter *w)
{
    CURLcode rc;

    x->e = e;
    x->w = w;
    __atomic_add_fetch(&w->refs, 1, __ATOMIC_ACQ_REL);
    x->job_owned = x->engine_owned = 1;
    hwc_forklock_lock(&e->lock);
    if (x->easy != NULL) {
        x->next = e->queue;
        e->queue = x;
    } else {
        struct xfer **p = &e->delays;
        while (*p != NULL && (*p)->due_ms <= x->due_ms) {
            p = &(*p)->next;
        }
        x->next = *p;
        *p = x;
    }
    w->current = x;
    hwc_forklock_unlock(&e->lock);
    curl_multi_wakeup(e->multi);
    wait_done(e, x);
    w->current = NULL;
    rc = x->rc;
    x->easy = NULL; /* the caller's again */
    xfer_free(x);   /* the engine let go before `done` */
    unpublish_unreported(w);
    return rc;
}

CURLcode hwc_engine_perform(hwc_engine *e, CURL *easy)
{
    struct waiter *w = waiter_get();
    struct xfer *x;

    if (w == NULL || (x = OPENSSL_zalloc(sizeof(*x))) == NULL) {
        return curl_easy_perform(easy);
    }
    x->easy = easy;
    curl_easy_setopt(easy, CURLOPT_PRIVATE, (char *)x);
    return run(e, x, w);
}

void hwc_engine_sleep(hwc_engine *e, long ms)
{
    struct waiter *w = waiter_get();
    struct xfer *x;

    if (w == NULL || (x = OPENSSL_zalloc(sizeof(*x))) == NULL) {
        struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
        while (nanosleep(&ts, &ts) != 0) {
        }
        return;
    }
    x->due_ms = now_ms() + ms;
    run(e, x, w);
}
