/*
 * kms_sign_fork: signs with one kms:key/<id> from a parent, from forked
 * children and from several threads at once, the way nginx and httpd use
 * a key (loaded in the master, used in workers), and checks every
 * signature against an independent copy of the public key.
 *
 *   kms_sign_fork URI PUBKEY.pem [children [threads [per_thread]]]
 *
 * The provider comes from OPENSSL_CONF. Order: load the key (store, no
 * expectation), sign once in the parent, fork `children` children that
 * each sign twice, verify and exit (exit(), so OpenSSL's atexit cleanup
 * runs in them), sign once more in the parent, then `threads` threads
 * that start together and each sign `per_thread` times. Exit 0 when
 * everything verified; the last line of stdout sums it up ("signatures:
 * N" for the caller's request accounting).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/store.h>

#include "helpers.h"

#define CHILD_SIGNS 2

static EVP_PKEY *priv;     /* the KMS key, from the store */
static EVP_PKEY *pub;      /* the same key from a PEM file */
static const char *mdname; /* SHA256 or SHA384 (the curve's for EC) */
static int per_thread = 5;
static pthread_barrier_t start_line; /* the threads start signing at once */

static void die(const char *what)
{
    helper_die("kms_sign_fork", what);
}

static EVP_PKEY *load_private(const char *uri)
{
    return helper_load_private("kms_sign_fork", uri);
}

static EVP_PKEY *load_public(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *pk;

    if (f == NULL) {
        die("cannot open the public key file");
    }
    pk = PEM_read_PUBKEY(f, NULL, NULL, NULL);
    fclose(f);
    if (pk == NULL) {
        die("cannot read the public key file");
    }
    return pk;
}

/* One signature of a message naming its signer, verified with `pub` in
 * the default provider. 1 on success; failures are printed. */
static int sign_and_verify(const char *who, int n)
{
    char msg[96];
    unsigned char sig[1024];
    size_t siglen = sizeof(sig);
    EVP_MD_CTX *sctx = EVP_MD_CTX_new(), *vctx = EVP_MD_CTX_new();
    int ok = 0;

    snprintf(msg, sizeof(msg), "kms_sign_fork %s #%d pid %ld", who, n,
             (long)getpid());
    if (sctx == NULL || vctx == NULL ||
        EVP_DigestSignInit_ex(sctx, NULL, mdname, NULL, NULL, priv, NULL) !=
            1 ||
        EVP_DigestSign(sctx, sig, &siglen, (const unsigned char *)msg,
                       strlen(msg)) != 1) {
        fprintf(stderr, "kms_sign_fork: %s #%d: signing failed\n", who, n);
        ERR_print_errors_fp(stderr);
        goto done;
    }
    if (EVP_DigestVerifyInit_ex(vctx, NULL, mdname, NULL, "provider=default",
                                pub, NULL) != 1 ||
        EVP_DigestVerify(vctx, sig, siglen, (const unsigned char *)msg,
                         strlen(msg)) != 1) {
        fprintf(stderr, "kms_sign_fork: %s #%d: signature does not verify\n",
                who, n);
        ERR_print_errors_fp(stderr);
        goto done;
    }
    ok = 1;
done:
    EVP_MD_CTX_free(sctx);
    EVP_MD_CTX_free(vctx);
    ERR_clear_error();
    return ok;
}

static void *thread_main(void *arg)
{
    char who[32];
    long good = 0;

    snprintf(who, sizeof(who), "thread %ld", (long)(intptr_t)arg);
    pthread_barrier_wait(&start_line);
    for (int i = 0; i < per_thread; i++) {
        good += sign_and_verify(who, i);
    }
    return (void *)(intptr_t)good;
}

static int run_children(int children)
{
    pid_t pids[64];
    int good = 0;

    fflush(NULL);
    for (int c = 0; c < children; c++) {
        pids[c] = fork();
        if (pids[c] < 0) {
            die("fork failed");
        }
        if (pids[c] == 0) {
            char who[32];
            int ok = 1;

            snprintf(who, sizeof(who), "child %d", c);
            for (int i = 0; i < CHILD_SIGNS; i++) {
                ok &= sign_and_verify(who, i);
            }
            exit(ok ? 0 : 1); /* exit(): OpenSSL's atexit cleanup runs */
        }
    }
    for (int c = 0; c < children; c++) {
        int status = 0;

        if (waitpid(pids[c], &status, 0) != pids[c]) {
            die("waitpid failed");
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
            good++;
        } else {
            fprintf(stderr, "kms_sign_fork: child %d failed (status %#x)\n", c,
                    (unsigned)status);
        }
    }
    return good;
}

static long run_threads(int threads)
{
    pthread_t tids[64];
    long good = 0;

    if (threads == 0) {
        return 0;
    }
    if (pthread_barrier_init(&start_line, NULL, (unsigned)threads) != 0) {
        die("pthread_barrier_init failed");
    }
    for (int t = 0; t < threads; t++) {
        if (pthread_create(&tids[t], NULL, thread_main, (void *)(intptr_t)t) !=
            0) {
            die("pthread_create failed");
        }
    }
    for (int t = 0; t < threads; t++) {
        void *r = NULL;

        pthread_join(tids[t], &r);
        good += (long)(intptr_t)r;
    }
    pthread_barrier_destroy(&start_line);
    return good;
}

int main(int argc, char **argv)
{
    int children = 4, threads = 8, parent_good = 0, child_good;
    long thread_good, total;
    const char *desc;

    if (argc < 3 || argc > 6) {
        fprintf(stderr, "usage: kms_sign_fork URI PUBKEY.pem [children "
                        "[threads [per_thread]]]\n");
        return 2;
    }
    if (argc > 3) {
        children = atoi(argv[3]);
    }
    if (argc > 4) {
        threads = atoi(argv[4]);
    }
    if (argc > 5) {
        per_thread = atoi(argv[5]);
    }
    if (children < 0 || children > 64 || threads < 0 || threads > 64 ||
        per_thread < 1) {
        die("bad counts");
    }
    if (OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL) != 1 ||
        !OSSL_PROVIDER_available(NULL, "hwcloud")) {
        die("the hwcloud provider is not loaded (OPENSSL_CONF)");
    }
    priv = load_private(argv[1]);
    pub = load_public(argv[2]);
    desc = EVP_PKEY_get0_description(priv);
    if (strcmp(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(priv)),
               "hwcloud") != 0) {
        die("the store did not return a key of the hwcloud provider");
    }
    if (EVP_PKEY_eq(priv, pub) != 1) {
        die("the public key file does not match the KMS key");
    }
    mdname = EVP_PKEY_is_a(priv, "EC") && EVP_PKEY_get_bits(priv) > 256
                 ? "SHA384"
                 : "SHA256";
    printf("key: %s, %d bits (%s), %s\n", EVP_PKEY_get0_type_name(priv),
           EVP_PKEY_get_bits(priv), desc != NULL ? desc : "?", mdname);

    parent_good += sign_and_verify("parent", 0);
    child_good = run_children(children);
    parent_good += sign_and_verify("parent", 1); /* after the children */
    thread_good = run_threads(threads);

    total = 2 + (long)children * CHILD_SIGNS + (long)threads * per_thread;
    printf("parent: %d/2, children: %d/%d, threads: %ld/%ld\n", parent_good,
           child_good, children, thread_good, (long)threads * per_thread);
    printf("signatures: %ld\n", total);
    EVP_PKEY_free(priv);
    EVP_PKEY_free(pub);
    return parent_good == 2 && child_good == children &&
                   thread_good == (long)threads * per_thread
               ? 0
               : 1;
}
