/*
 * stress.c: loads and signs through the hwcloud provider from many threads
 * and forked processes at once for a bounded time, while the test script
 * injects random faults into the emulator. Every operation must either
 * succeed or fail cleanly (an error on the queue); the process must not
 * crash or deadlock (the script bounds its time) and its memory must stay
 * flat. Usage: stress KEY_URI CERT_URI SECONDS THREADS PROCS [MAX_GROWTH_KIB]
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/store.h>

struct counts {
    long ok, failed_clean, unclean;
};

static const char *key_uri, *cert_uri;
static EVP_PKEY *key;
static time_t deadline;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct counts total;

static long rss_kb(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f != NULL) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2) {
            rss = 0;
        }
        fclose(f);
    }
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static EVP_PKEY *load_key(const char *uri)
{
    OSSL_STORE_CTX *s = OSSL_STORE_open(uri, NULL, NULL, NULL, NULL);
    EVP_PKEY *pk = NULL;

    while (s != NULL && pk == NULL && !OSSL_STORE_eof(s)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(s);
        if (info != NULL &&
            OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_PKEY) {
            pk = OSSL_STORE_INFO_get1_PKEY(info);
        }
        OSSL_STORE_INFO_free(info);
    }
    OSSL_STORE_close(s);
    return pk;
}

/* One certificate load: returns 1 if a certificate came back. */
static int load_cert(void)
{
    OSSL_STORE_CTX *s = OSSL_STORE_open(cert_uri, NULL, NULL, NULL, NULL);
    int got = 0, guard = 0;

    while (s != NULL && !OSSL_STORE_eof(s) && guard++ < 16) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(s);
        got |= info != NULL &&
               OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_CERT;
        OSSL_STORE_INFO_free(info);
    }
    if (guard >= 16) {
        fprintf(stderr, "stress: loader never reached eof\n");
        got = -1;
    }
    OSSL_STORE_close(s);
    return got;
}

static int sign_verify(void)
{
    unsigned char sig[1024];
    size_t siglen = sizeof(sig);
    const unsigned char msg[] = "stress";
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL &&
             EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestSign(md, sig, &siglen, msg, sizeof(msg)) == 1;

    EVP_MD_CTX_free(md);
    if (ok) {
        md = EVP_MD_CTX_new();
        ok = md != NULL &&
             EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(md, sig, siglen, msg, sizeof(msg)) == 1;
        EVP_MD_CTX_free(md);
        if (!ok) {
            return -1; /* a signature that does not verify is never clean */
        }
    }
    return ok;
}

static void account(struct counts *c, int r)
{
    if (r == 1) {
        c->ok++;
    } else if (r == 0 && ERR_peek_error() != 0) {
        c->failed_clean++;
    } else {
        c->unclean++;
    }
    ERR_clear_error();
}

static void *worker(void *arg)
{
    struct counts c = {0, 0, 0};
    long i = (long)(size_t)arg;

    while (time(NULL) < deadline) {
        account(&c, (i++ % 2) ? load_cert() : sign_verify());
    }
    pthread_mutex_lock(&lock);
    total.ok += c.ok;
    total.failed_clean += c.failed_clean;
    total.unclean += c.unclean;
    pthread_mutex_unlock(&lock);
    return NULL;
}

static int run_threads(int n)
{
    pthread_t *t = calloc((size_t)n, sizeof(*t));

    for (long i = 0; i < n; i++) {
        if (pthread_create(&t[i], NULL, worker, (void *)(size_t)i) != 0) {
            return 0;
        }
    }
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
    }
    free(t);
    return 1;
}

int main(int argc, char **argv)
{
    int seconds, threads, procs, bad = 0;
    long max_growth_kib;
    long rss_before, rss_after;

    if (argc != 6 && argc != 7) {
        fprintf(stderr, "usage: stress KEY_URI CERT_URI SECONDS THREADS PROCS "
                        "[MAX_GROWTH_KIB]\n");
        return 2;
    }
    max_growth_kib = argc == 7 ? atol(argv[6]) : 8 * 1024;
    key_uri = argv[1];
    cert_uri = argv[2];
    seconds = atoi(argv[3]);
    threads = atoi(argv[4]);
    procs = atoi(argv[5]);
    if ((key = load_key(key_uri)) == NULL) {
        ERR_print_errors_fp(stderr);
        fprintf(stderr, "stress: cannot load %s\n", key_uri);
        return 1;
    }
    /* Warm up so that one-time allocations are not counted as growth. */
    deadline = time(NULL) + 1;
    worker((void *)0);
    memset(&total, 0, sizeof(total));
    deadline = time(NULL) + seconds;
    for (int p = 0; p < procs; p++) {
        pid_t pid = fork();
        if (pid == 0) {
            worker((void *)(size_t)p);
            printf(
                "stress[child %d]: %ld ok, %ld failed cleanly, %ld unclean\n",
                p, total.ok, total.failed_clean, total.unclean);
            fflush(stdout);
            _exit(total.unclean == 0 && total.ok > 0 ? 0 : 1);
        }
    }
    /* Two rounds of threads: memory after the second must not have grown
     * beyond what the first left (handles are freed at thread exit). */
    deadline = time(NULL) + seconds / 2;
    if (!run_threads(threads)) {
        fprintf(stderr, "stress: cannot start threads\n");
        return 1;
    }
    rss_before = rss_kb();
    deadline = time(NULL) + seconds - seconds / 2;
    if (!run_threads(threads)) {
        fprintf(stderr, "stress: cannot start threads\n");
        return 1;
    }
    for (int p = 0; p < procs; p++) {
        int status;
        if (wait(&status) < 0 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            bad++;
        }
    }
    rss_after = rss_kb();
    printf("stress: %d threads: %ld ok, %ld failed cleanly, %ld unclean; "
           "%d of %d children failed; RSS %ld -> %ld KiB\n",
           threads, total.ok, total.failed_clean, total.unclean, bad, procs,
           rss_before, rss_after);
    EVP_PKEY_free(key);
    if (total.unclean != 0 || bad != 0 || total.ok == 0) {
        return 1;
    }
    /* Flat memory between the two rounds: allocator slack, not a leak. */
    if (rss_after - rss_before > max_growth_kib) {
        fprintf(stderr, "stress: memory grew by %ld KiB\n",
                rss_after - rss_before);
        return 1;
    }
    return 0;
}
