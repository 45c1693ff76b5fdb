/*
 * fork_stress: forks many times while other threads sign through hwcloud
 * (after loading a certificate through it), so that forks land inside the
 * provider's critical sections (credentials, connections). Every child
 * loads the certificate from the cache it inherited; every tenth one also
 * signs with the KMS key on a new connection of its own, with the
 * credentials it inherited, and verifies. None may crash, hang or fail.
 *
 * Only the threads' first load comes before the forks, and the children
 * end with _exit(): libcrypto itself is not fork-safe in a child of a
 * multithreaded process. Its fork handlers are empty, and store opens,
 * certificate parsing (decoder construction) and OPENSSL_cleanup take
 * global write locks that a parent thread may hold at fork time, so such a
 * child can hang inside libcrypto whatever a provider does. The provider's
 * own structures after a fork in the middle of a change (the cache, freed
 * in the child) are checked by tests/unit/check_cache.c and check_fork.c.
 * Under AddressSanitizer the workers pause for each fork (forkquiet.h).
 *
 *   fork_stress KEY_URI CERT_URI FORKS THREADS [IN_FLIGHT]
 *
 * The provider comes from OPENSSL_CONF. Children run IN_FLIGHT (default 4)
 * at a time; each has 30 s before SIGALRM ends it (it prints its stack
 * first, for the test's log). Exit 0 when every child
 * and every thread operation succeeded; stdout ends with a summary.
 */
#include <execinfo.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/store.h>

#include "forkquiet.h"
#include "helpers.h"

static const char *cert_uri;
static EVP_PKEY *key;
static volatile int stop;

static void die(const char *what)
{
    helper_die("fork_stress", what);
}

static int load_cert(void)
{
    OSSL_STORE_CTX *s = OSSL_STORE_open(cert_uri, NULL, NULL, NULL, NULL);
    int got = 0;

    while (s != NULL && !got && !OSSL_STORE_eof(s)) {
        OSSL_STORE_INFO *info = OSSL_STORE_load(s);
        got = info != NULL &&
              OSSL_STORE_INFO_get_type(info) == OSSL_STORE_INFO_CERT;
        OSSL_STORE_INFO_free(info);
    }
    OSSL_STORE_close(s);
    return got;
}

/* A KMS signature, checked against the key's public half. */
static int sign_verify(void)
{
    static const unsigned char msg[] = "fork stress";
    unsigned char sig[512];
    size_t siglen = sizeof(sig);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    int ok = md != NULL &&
             EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestSign(md, sig, &siglen, msg, sizeof(msg)) == 1 &&
             EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, key) == 1 &&
             EVP_DigestVerify(md, sig, siglen, msg, sizeof(msg)) == 1;

    EVP_MD_CTX_free(md);
    return ok;
}

static void *worker(void *arg)
{
    long *failures = arg;

    for (int first = 1; !stop; first = 0) {
        fq_work_begin();
        if (!sign_verify()) {
            ERR_print_errors_fp(stderr);
            (*failures)++;
        }
        ERR_clear_error();
        fq_work_end();
        if (first) {
            fq_ready_one();
        }
    }
    return NULL;
}

/* A child that hangs says where before it dies: the only thread of a
 * child is the one that forked, so its stack is the hang's. */
static void on_alarm(int sig)
{
    static const char msg[] = "fork_stress: child hung 30 s; its stack:\n";
    void *frames[64];
    int n = backtrace(frames, 64);

    (void)sig;
    if (write(2, msg, sizeof(msg) - 1) < 0) {
        _exit(3);
    }
    backtrace_symbols_fd(frames, n, 2);
    signal(SIGALRM, SIG_DFL);
    raise(SIGALRM);
}

static void child(long n)
{
    signal(SIGALRM, on_alarm);
    alarm(30); /* a lock left held by a thread that is gone hangs here */
    int ok = load_cert() && (n % 10 != 0 || sign_verify());
    if (!ok) {
        ERR_print_errors_fp(stderr);
    }
    _exit(ok ? 0 : 1);
}

/* Waits for one child; counts it bad unless it exited 0. */
static int reap(long *bad)
{
    int status;
    pid_t pid = wait(&status);

    if (pid < 0) {
        return 0;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        (*bad)++;
        fprintf(stderr, "fork_stress: child %ld %s %d\n", (long)pid,
                WIFSIGNALED(status) ? "killed by signal" : "exited",
                WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    }
    return 1;
}

int main(int argc, char **argv)
{
    long forks, threads, in_flight = 4, bad = 0, running = 0;
    long failures[64] = {0}, thread_failures = 0;
    pthread_t th[64];

    if (argc < 5) {
        fprintf(stderr, "usage: fork_stress KEY_URI CERT_URI FORKS THREADS "
                        "[IN_FLIGHT]\n");
        return 2;
    }
    cert_uri = argv[2];
    forks = atol(argv[3]);
    threads = atol(argv[4]);
    in_flight = argc > 5 ? atol(argv[5]) : in_flight;
    if (threads < 1 || threads > 64 || forks < 1 || in_flight < 1) {
        die("bad arguments");
    }
    {
        void *frame;
        backtrace(&frame, 1); /* loads the unwinder before any fork */
    }
    key = helper_load_private("fork_stress", argv[1]);
    if (!load_cert() || !sign_verify()) {
        die("the first load and signature failed");
    }
    for (long i = 0; i < threads; i++) {
        if (pthread_create(&th[i], NULL, worker, &failures[i]) != 0) {
            die("pthread_create");
        }
    }
    fq_wait_ready((int)threads);
    for (long i = 0; i < forks; i++) {
        pid_t pid;

        while (running >= in_flight && reap(&bad)) {
            running--;
        }
        if ((pid = fq_fork()) < 0) {
            die("fork");
        }
        if (pid == 0) {
            child(i);
        }
        running++;
    }
    while (running > 0 && reap(&bad)) {
        running--;
    }
    stop = 1;
    for (long i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        thread_failures += failures[i];
    }
    EVP_PKEY_free(key);
    printf("fork_stress: %ld forks, %ld bad children, %ld failed thread "
           "operations\n",
           forks, bad, thread_failures);
    return bad == 0 && thread_failures == 0 ? 0 : 1;
}
