/*
 * tls_load.c: full TLS handshakes from many clients at once, as a busy
 * frontend sees them: CLIENTS threads, each connecting, handshaking (no
 * session resumption: no cache, no tickets), checking the certificate,
 * then closing, over and over for SECONDS seconds or COUNT handshakes per
 * client. Used by the tests (how many failed, and that none hung) and by
 * bench/run.sh (how many per second).
 *
 *   tls_load --connect 127.0.0.1:PORT --servername NAME --cafile CA.pem
 *            --clients N (--seconds S | --count K) [--timeout-ms T]
 *
 * Prints one JSON line: clients, seconds, handshakes (completed),
 * failures, per_second, median_ms, p90_ms and cpu_s (the CPU time all
 * its threads took: a benchmark sharing the machine with the server
 * reads what the clients cost). Exits 0 when it ran, whatever
 * the failures; 2 on bad usage.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

static SSL_CTX *ctx;
static struct sockaddr_in addr;
static const char *servername;
static double deadline;
static long per_client = -1;
static int timeout_ms = 10000;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long done, failed;
static double *lat;
static size_t nlat, caplat;

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_seconds(void)
{
    struct rusage ru;

    if (getrusage(RUSAGE_SELF, &ru) != 0) {
        return 0;
    }
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Waits until fd is ready for what SSL wants; 0 on timeout. */
static int wait_io(int fd, SSL *s, int r, double until)
{
    int e = SSL_get_error(s, r);
    struct pollfd p = {fd, 0, 0};
    int ms = (int)((until - now()) * 1000);

    if (e == SSL_ERROR_WANT_READ) {
        p.events = POLLIN;
    } else if (e == SSL_ERROR_WANT_WRITE) {
        p.events = POLLOUT;
    } else {
        return 0;
    }
    return ms > 0 && poll(&p, 1, ms) == 1;
}

/* One full handshake; 1 when it completed and the certificate checked. */
static int handshake(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0), one = 1, r;
    double until = now() + timeout_ms / 1000.0;
    SSL *s = NULL;
    int ok = 0;

    if (fd < 0) {
        return 0;
    }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 &&
        errno != EINPROGRESS) {
        goto out;
    }
    if ((s = SSL_new(ctx)) == NULL || !SSL_set_fd(s, fd) ||
        !SSL_set_tlsext_host_name(s, servername) ||
        !SSL_set1_host(s, servername)) {
        goto out;
    }
    while ((r = SSL_connect(s)) != 1) {
        if (!wait_io(fd, s, r, until)) {
            goto out;
        }
    }
    ok = SSL_get_verify_result(s) == X509_V_OK;
out:
    if (s != NULL) {
        SSL_shutdown(s);
        SSL_free(s);
    }
    close(fd);
    ERR_clear_error();
    return ok;
}

static void *client(void *arg)
{
    (void)arg;
    for (long i = 0; per_client < 0 ? now() < deadline : i < per_client; i++) {
        double t0 = now();
        int ok = handshake();
        double t = now() - t0;

        pthread_mutex_lock(&mu);
        if (ok) {
            done++;
            if (nlat == caplat) {
                caplat = caplat ? caplat * 2 : 4096;
                lat = realloc(lat, caplat * sizeof(*lat));
            }
            if (lat != NULL) {
                lat[nlat++] = t;
            }
        } else {
            failed++;
        }
        pthread_mutex_unlock(&mu);
    }
    return NULL;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *connect_to = NULL, *cafile = NULL;
    int clients = 64;
    double seconds = -1, t0;
    pthread_t *th;
    char host[64];
    int port;

    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (strcmp(a, "--connect") == 0) {
            connect_to = v;
        } else if (strcmp(a, "--servername") == 0) {
            servername = v;
        } else if (strcmp(a, "--cafile") == 0) {
            cafile = v;
        } else if (strcmp(a, "--clients") == 0) {
            clients = atoi(v);
        } else if (strcmp(a, "--seconds") == 0) {
            seconds = atof(v);
        } else if (strcmp(a, "--count") == 0) {
            per_client = atol(v);
        } else if (strcmp(a, "--timeout-ms") == 0) {
            timeout_ms = atoi(v);
        } else {
            fprintf(stderr, "tls_load: unknown option %s\n", a);
            return 2;
        }
    }
    if (connect_to == NULL || servername == NULL || cafile == NULL ||
        clients <= 0 || (seconds <= 0) == (per_client < 0) ||
        sscanf(connect_to, "%63[^:]:%d", host, &port) != 2) {
        fprintf(stderr, "tls_load: see the comment at the top of the "
                        "source for the options\n");
        return 2;
    }
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, host, &addr.sin_addr) != 1) {
        fprintf(stderr, "tls_load: %s is not an IPv4 address\n", host);
        return 2;
    }
    if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
        SSL_CTX_load_verify_locations(ctx, cafile, NULL) != 1) {
        fprintf(stderr, "tls_load: cannot use %s\n", cafile);
        ERR_print_errors_fp(stderr);
        return 2;
    }
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    th = calloc((size_t)clients, sizeof(*th));
    t0 = now();
    deadline = t0 + seconds;
    for (int i = 0; i < clients; i++) {
        pthread_create(&th[i], NULL, client, NULL);
    }
    for (int i = 0; i < clients; i++) {
        pthread_join(th[i], NULL);
    }
    t0 = now() - t0;
    if (nlat > 0) {
        qsort(lat, nlat, sizeof(*lat), cmp);
    }
    printf("{\"clients\":%d,\"seconds\":%.3f,\"handshakes\":%ld,"
           "\"failures\":%ld,\"per_second\":%.1f,\"median_ms\":%.2f,"
           "\"p90_ms\":%.2f,\"cpu_s\":%.3f}\n",
           clients, t0, done, failed, (double)done / t0,
           nlat ? lat[nlat / 2] * 1000 : 0.0,
           nlat ? lat[(nlat * 9) / 10] * 1000 : 0.0, cpu_seconds());
    free(th);
    free(lat);
    SSL_CTX_free(ctx);
    return 0;
}
