/*
 * async_sign.c: signs with a key inside OpenSSL ASYNC jobs, the way a TLS
 * server in SSL_MODE_ASYNC does, all on one thread: it starts JOBS jobs,
 * each an EVP_DigestSign of its own message, polls the wait fds the jobs
 * publish and resumes a job when its fd is readable. Every signature is
 * verified with the public key file.
 *
 *   async_sign URI PUBKEY.pem JOBS [options]
 *     --blocking   sign one after another outside any job (the reference)
 *     --spurious   also resume every paused job whose fd is not readable
 *     --decrypt    decrypt (RSA OAEP SHA-256) what the public key
 *                  encrypted instead of signing; the result must match
 *     --block-pause  the job blocks pauses (ASYNC_block_pause) while it
 *                  signs: the provider must wait without pausing
 *     --abandon K  free the wait contexts of jobs 0..K-1 while they are
 *                  paused, as a server freeing a connection does, once
 *                  their fd is readable, without resuming them
 *
 * Prints "signed: N/JOBS", "failed: F" (with OpenSSL's first error of each
 * failure), "max paused at once: P", "pauses: Q", "wait fds: the distinct
 * fds seen" and "open fds before/after: A/B" (after every wait context
 * was freed). Exits 0 when it ran to the end, whatever was signed.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include <openssl/async.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "helpers.h"

static const char *prog = "async_sign";
static EVP_PKEY *key, *pub;
static int decrypt_mode, block_pause;

struct job {
    ASYNC_JOB *job;
    ASYNC_WAIT_CTX *ctx;
    int state; /* 0 not started, 1 paused, 2 done, 3 abandoned */
    int ret;
    unsigned char msg[32];
    unsigned char sig[1024]; /* or, decrypting, the ciphertext */
    size_t siglen;
    unsigned char pt[1024];
    size_t ptlen;
    char err[256];
};

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;

    if (d == NULL) {
        return -1;
    }
    while (readdir(d) != NULL) {
        n++;
    }
    closedir(d);
    return n - 3; /* ".", ".." and the directory's own fd */
}

static int set_pss(EVP_PKEY_CTX *pctx, EVP_PKEY *k)
{
    return !EVP_PKEY_is_a(k, "RSA") ||
           (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) > 0 &&
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) > 0);
}

static int set_oaep(EVP_PKEY_CTX *pctx)
{
    return EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING) > 0 &&
           EVP_PKEY_CTX_set_rsa_oaep_md_name(pctx, "SHA256", NULL) > 0 &&
           EVP_PKEY_CTX_set_rsa_mgf1_md_name(pctx, "SHA256", NULL) > 0;
}

static int encrypt(struct job *j)
{
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
    int ok;

    j->siglen = sizeof(j->sig);
    ok = pctx != NULL && EVP_PKEY_encrypt_init(pctx) > 0 && set_oaep(pctx) &&
         EVP_PKEY_encrypt(pctx, j->sig, &j->siglen, j->msg, sizeof(j->msg)) > 0;
    EVP_PKEY_CTX_free(pctx);
    return ok;
}

/* The job's work: a signature, or a decryption. */
static int op(void *arg)
{
    struct job *j = *(struct job **)arg;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok;

    if (block_pause) {
        ASYNC_block_pause();
    }
    if (decrypt_mode) {
        j->ptlen = sizeof(j->pt);
        ok = (pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL)) != NULL &&
             EVP_PKEY_decrypt_init(pctx) > 0 && set_oaep(pctx) &&
             EVP_PKEY_decrypt(pctx, j->pt, &j->ptlen, j->sig, j->siglen) > 0;
        EVP_PKEY_CTX_free(pctx);
    } else {
        j->siglen = sizeof(j->sig);
        ok = md != NULL &&
             EVP_DigestSignInit_ex(md, &pctx, "SHA256", NULL, NULL, key, NULL) >
                 0 &&
             set_pss(pctx, key) &&
             EVP_DigestSign(md, j->sig, &j->siglen, j->msg, sizeof(j->msg)) > 0;
    }
    if (block_pause) {
        ASYNC_unblock_pause();
    }
    if (!ok) {
        unsigned long e = ERR_peek_last_error();
        ERR_error_string_n(e, j->err, sizeof(j->err));
        const char *data = NULL;
        int flags = 0;
        ERR_peek_last_error_data(&data, &flags);
        if (data != NULL && (flags & ERR_TXT_STRING)) {
            size_t l = strlen(j->err);
            snprintf(j->err + l, sizeof(j->err) - l, ": %s", data);
        }
        ERR_clear_error();
    }
    EVP_MD_CTX_free(md);
    return ok;
}

static int verify(struct job *j)
{
    if (decrypt_mode) {
        return j->ptlen == sizeof(j->msg) &&
               memcmp(j->pt, j->msg, sizeof(j->msg)) == 0;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    int ok =
        md != NULL &&
        EVP_DigestVerifyInit_ex(md, &pctx, "SHA256", NULL, NULL, pub, NULL) >
            0 &&
        set_pss(pctx, pub) &&
        EVP_DigestVerify(md, j->sig, j->siglen, j->msg, sizeof(j->msg)) == 1;

    EVP_MD_CTX_free(md);
    return ok;
}

/* Starts or resumes j; counts a pause. */
static void step(struct job *j, long *pauses)
{
    struct job *self = j;

    switch (
        ASYNC_start_job(&j->job, j->ctx, &j->ret, op, &self, sizeof(self))) {
    case ASYNC_PAUSE:
        j->state = 1;
        (*pauses)++;
        break;
    case ASYNC_FINISH:
        j->state = 2;
        break;
    default:
        helper_die(prog, "ASYNC_start_job failed");
    }
}

/* The fd a paused job waits on (exactly one), or -1. */
static int fd_of(struct job *j)
{
    OSSL_ASYNC_FD fds[4];
    size_t n = 0;

    if (!ASYNC_WAIT_CTX_get_all_fds(j->ctx, NULL, &n) || n != 1) {
        return -1;
    }
    ASYNC_WAIT_CTX_get_all_fds(j->ctx, fds, &n);
    return fds[0];
}

struct stats {
    long pauses, max_paused, signed_ok, failed, unreported;
    int seen[4096], nseen;
};

static void note_fd(struct stats *st, int fd)
{
    for (int k = 0; k < st->nseen; k++) {
        if (st->seen[k] == fd) {
            return;
        }
    }
    if (st->nseen < 4096) {
        st->seen[st->nseen++] = fd;
    }
}

/* Polls the paused jobs' fds and resumes them until none is paused. */
static void drive(struct job *jobs, int njobs, int spurious, int abandon,
                  struct stats *st)
{
    for (int round = 0;; round++) {
        struct pollfd p[4096];
        int idx[4096], n = 0;

        for (int i = 0; i < njobs && n < 4096; i++) {
            int fd;
            if (jobs[i].state != 1) {
                continue;
            }
            if ((fd = fd_of(&jobs[i])) < 0) {
                helper_die(prog, "a paused job has no single wait fd");
            }
            note_fd(st, fd);
            p[n].fd = fd;
            p[n].events = POLLIN;
            idx[n++] = i;
        }
        if (n > st->max_paused) {
            st->max_paused = n;
        }
        if (n == 0) {
            return;
        }
        if (poll(p, (nfds_t)n, 60000) <= 0) {
            helper_die(prog, "no wait fd became readable in 60 s");
        }
        for (int k = 0; k < n; k++) {
            struct job *j = &jobs[idx[k]];
            if (idx[k] < abandon && (p[k].revents & POLLIN)) {
                ASYNC_WAIT_CTX_free(j->ctx); /* its job is never resumed */
                j->ctx = NULL;
                j->state = 3;
            } else if ((p[k].revents & POLLIN) || (spurious && round % 2)) {
                step(j, &st->pauses);
            }
        }
    }
}

static void run(int njobs, int blocking, int spurious, int abandon,
                struct stats *st)
{
    struct job *jobs = calloc((size_t)njobs, sizeof(*jobs));

    for (int i = 0; i < njobs; i++) {
        memset(jobs[i].msg, 'a' + i % 26, sizeof(jobs[i].msg));
        /* Printable: each job's own message. */
        snprintf((char *)jobs[i].msg, 8, "%07d", i % 10000000);
        jobs[i].msg[7] = 'a';
        if (decrypt_mode && !encrypt(&jobs[i])) {
            helper_die(prog, "encrypting with the public key");
        }
        if (blocking) {
            struct job *self = &jobs[i];
            jobs[i].ret = op(&self);
            jobs[i].state = 2;
        } else if ((jobs[i].ctx = ASYNC_WAIT_CTX_new()) == NULL) {
            helper_die(prog, "ASYNC_WAIT_CTX_new");
        } else {
            step(&jobs[i], &st->pauses);
        }
    }
    drive(jobs, njobs, spurious, abandon, st);
    for (int i = 0; i < njobs; i++) {
        size_t nadd = 0, ndel = 0;
        if (jobs[i].state != 2) {
            continue;
        }
        /* An fd added and never reported (no pause after it) would reach
         * the application only as one to drop. */
        if (jobs[i].ctx != NULL && ASYNC_WAIT_CTX_get_changed_fds(
                                       jobs[i].ctx, NULL, &nadd, NULL, &ndel)) {
            st->unreported += (long)nadd;
        }
        if (jobs[i].ret && verify(&jobs[i])) {
            st->signed_ok++;
        } else {
            st->failed++;
            printf("job %d: %s\n", i,
                   jobs[i].ret ? (decrypt_mode ? "wrong plaintext"
                                               : "signature does not verify")
                               : jobs[i].err);
        }
        ASYNC_WAIT_CTX_free(jobs[i].ctx);
    }
    free(jobs);
}

int main(int argc, char **argv)
{
    int njobs, blocking = 0, spurious = 0, abandon = 0, fds_before;
    struct stats warm = {0}, st = {0};
    FILE *f;

    if (argc < 4) {
        fprintf(stderr,
                "usage: %s URI PUBKEY.pem JOBS [--blocking] "
                "[--spurious] [--abandon K]\n",
                prog);
        return 2;
    }
    njobs = atoi(argv[3]);
    for (int i = 4; i < argc; i++) {
        if (strcmp(argv[i], "--blocking") == 0) {
            blocking = 1;
        } else if (strcmp(argv[i], "--block-pause") == 0) {
            block_pause = 1;
        } else if (strcmp(argv[i], "--decrypt") == 0) {
            decrypt_mode = 1;
        } else if (strcmp(argv[i], "--spurious") == 0) {
            spurious = 1;
        } else if (strcmp(argv[i], "--abandon") == 0 && i + 1 < argc) {
            abandon = atoi(argv[++i]);
        }
    }
    if (njobs <= 0 || njobs > 4096) {
        helper_die(prog, "JOBS must be 1..4096");
    }
    key = helper_load_private(prog, argv[1]);
    if ((f = fopen(argv[2], "r")) == NULL ||
        (pub = PEM_read_PUBKEY(f, NULL, NULL, NULL)) == NULL) {
        helper_die(prog, "cannot read the public key");
    }
    fclose(f);
    /* HWC_WARMUP=N: N signatures first (connections made), not counted. */
    if (getenv("HWC_WARMUP") != NULL) {
        run(atoi(getenv("HWC_WARMUP")), blocking, 0, 0, &warm);
        printf("warm-up: %ld signed\n", warm.signed_ok);
    }
    fds_before = open_fds();
    run(njobs, blocking, spurious, abandon, &st);
    printf("signed: %ld/%d\n", st.signed_ok, njobs);
    printf("failed: %ld\n", st.failed);
    printf("abandoned: %d\n", abandon);
    printf("max paused at once: %ld\n", st.max_paused);
    printf("pauses: %ld\n", st.pauses);
    printf("wait fds: %d\n", st.nseen);
    printf("unreported fds: %ld\n", st.unreported);
    fflush(stdout);
    /* The engine closes an abandoned job's fd once its request ends. */
    for (int i = 0; i < 100 && open_fds() > fds_before; i++) {
        poll(NULL, 0, 50);
    }
    printf("open fds before/after: %d/%d\n", fds_before, open_fds());
    EVP_PKEY_free(key);
    EVP_PKEY_free(pub);
    return 0;
}
