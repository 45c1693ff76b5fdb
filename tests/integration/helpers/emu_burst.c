/*
 * emu_burst.c: a small concurrent client of the emulator: N requests in
 * flight at once, each on its own kept-alive connection (libcurl multi,
 * one thread), until M have been answered. It shows whether the emulator
 * answers overlapping requests side by side or one after another.
 *
 *   emu_burst --concurrency N --requests M --path PATH [--body JSON]
 *             [--http2]
 *
 * --http2: HTTP/2 where the server offers it, every request a stream of
 * one connection (waiting for it rather than opening more); otherwise
 * HTTP/1.1, one connection per request in flight.
 * A first round of N requests (connections made) is not counted. Uses
 * EMU_URL, EMU_CA and EMU_TOKEN. Prints one JSON line: requests, failed
 * (not 2xx or no answer), connections (new ones, counted part),
 * http2_answers, seconds, per_second, median_ms, p90_ms.
 * Exits 1 when a request failed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
    (void)p, (void)arg;
    return size * n;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);

    if (v == NULL || *v == '\0') {
        fprintf(stderr, "emu_burst: %s is not set\n", name);
        exit(2);
    }
    return v;
}

struct slot {
    CURL *h;
    double start;
};

int main(int argc, char **argv)
{
    long conc = 64, total = 640, issued = 0, done = 0, failed = 0;
    long conns = 0, h2 = 0;
    int http2 = 0;
    const char *path = NULL, *body = "";
    char url[1024], auth[4096];
    struct curl_slist *hdrs = NULL;
    struct slot *slots;
    double *lat, t0;
    CURLM *m;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--http2") == 0) {
            http2 = 1;
            argv[i] = (char *)"--ignored";
        }
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--ignored") == 0) {
            i--;
        } else if (strcmp(argv[i], "--concurrency") == 0) {
            conc = atol(argv[i + 1]);
        } else if (strcmp(argv[i], "--requests") == 0) {
            total = atol(argv[i + 1]);
        } else if (strcmp(argv[i], "--path") == 0) {
            path = argv[i + 1];
        } else if (strcmp(argv[i], "--body") == 0) {
            body = argv[i + 1];
        } else {
            fprintf(stderr, "emu_burst: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (path == NULL || conc <= 0 || total < conc) {
        fprintf(stderr, "emu_burst: see the comment at the top of the "
                        "source for the options\n");
        return 2;
    }
    snprintf(url, sizeof(url), "%s%s", env("EMU_URL"), path);
    snprintf(auth, sizeof(auth), "X-Auth-Token: %s", env("EMU_TOKEN"));
    hdrs = curl_slist_append(hdrs, auth);
    hdrs = curl_slist_append(hdrs, "Content-Type: application/json");
    curl_global_init(CURL_GLOBAL_DEFAULT);
    m = curl_multi_init();
    curl_multi_setopt(m, CURLMOPT_MAX_HOST_CONNECTIONS, conc);
    slots = calloc((size_t)conc, sizeof(*slots));
    lat = calloc((size_t)total, sizeof(*lat));
    for (long i = 0; i < conc; i++) {
        CURL *h = curl_easy_init();
        curl_easy_setopt(h, CURLOPT_URL, url);
        curl_easy_setopt(h, CURLOPT_CAINFO, env("EMU_CA"));
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_PRIVATE, &slots[i]);
        curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
        curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
                         http2 ? (long)CURL_HTTP_VERSION_2TLS
                               : (long)CURL_HTTP_VERSION_1_1);
        curl_easy_setopt(h, CURLOPT_PIPEWAIT, (long)http2);
        slots[i].h = h;
    }
    /* A first round, not counted: the connections are made (and, with
     * HTTP/2, the one connection is known to multiplex). */
    for (long i = 0; i < conc; i++) {
        curl_multi_add_handle(m, slots[i].h);
    }
    for (int running = 1; running > 0;) {
        CURLMsg *msg;
        int left;
        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            if (msg->msg == CURLMSG_DONE) {
                curl_multi_remove_handle(m, msg->easy_handle);
            }
        }
        if (running > 0) {
            curl_multi_poll(m, NULL, 0, 100, NULL);
        }
    }
    t0 = now();
    for (long i = 0; i < conc; i++, issued++) {
        slots[i].start = now();
        curl_multi_add_handle(m, slots[i].h);
    }
    while (done < total) {
        int running, left;
        CURLMsg *msg;

        curl_multi_perform(m, &running);
        while ((msg = curl_multi_info_read(m, &left)) != NULL) {
            struct slot *s;
            long status = 0;

            if (msg->msg != CURLMSG_DONE) {
                continue;
            }
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &s);
            curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &status);
            long nc = 0, ver = 0;
            curl_easy_getinfo(s->h, CURLINFO_NUM_CONNECTS, &nc);
            curl_easy_getinfo(s->h, CURLINFO_HTTP_VERSION, &ver);
            conns += nc;
            h2 += ver == CURL_HTTP_VERSION_2_0;
            if (msg->data.result != CURLE_OK || status < 200 || status > 299) {
                failed++;
            }
            lat[done++] = now() - s->start;
            curl_multi_remove_handle(m, s->h);
            if (issued < total) {
                issued++;
                s->start = now();
                curl_multi_add_handle(m, s->h);
            }
        }
        if (done < total) {
            curl_multi_poll(m, NULL, 0, 100, NULL);
        }
    }
    t0 = now() - t0;
    qsort(lat, (size_t)total, sizeof(*lat), cmp);
    printf("{\"requests\":%ld,\"failed\":%ld,\"concurrency\":%ld,"
           "\"connections\":%ld,\"http2_answers\":%ld,"
           "\"seconds\":%.6f,\"per_second\":%.1f,\"median_ms\":%.3f,"
           "\"p90_ms\":%.3f}\n",
           total, failed, conc, conns, h2, t0, (double)total / t0,
           lat[total / 2] * 1000, lat[(total * 9) / 10] * 1000);
    for (long i = 0; i < conc; i++) {
        curl_easy_cleanup(slots[i].h);
    }
    curl_multi_cleanup(m);
    curl_slist_free_all(hdrs);
    free(slots);
    free(lat);
    curl_global_cleanup();
    return failed != 0;
}
