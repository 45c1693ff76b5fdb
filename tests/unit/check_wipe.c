/*
 * check_wipe.c: secrets are wiped before their memory goes back to the
 * allocator. This program has its own free(), which the libraries in it
 * call (jansson, libcrypto's OPENSSL_free, libc): before handing a
 * block to the real free it looks in it for the first bytes of planted
 * secrets and counts the blocks that still hold one. Partial copies count:
 * parsers copy what they read into growing buffers a piece at a time.
 */
#define _GNU_SOURCE /* RTLD_NEXT, memmem */
#include <dlfcn.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>
#include <jansson.h>
#include <openssl/crypto.h>

#include "auth/auth.h"
#include "net/call.h"
#include "core/hwc.h"
#include "auth/metadata.h"
#include "services/scm.h"
#include "testutil.h"

/* Long enough to span several of a parser's growing buffers; the first 8
 * bytes of each are what is looked for. */
#define SK "Sk7vQ3xZ-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
#define ST "St9wR4yA-security-token-0123456789abcdefghijklmnopqrstuv"
#define TOK "Tk2mN8pL-session-token-0123456789abcdefghijklmnopqrstuv"
#define PK "Pk5jH6kD-private-key-body-0123456789abcdefghijklmnopqrst"
#define PROBE 8

static const char *const planted[] = {SK, ST, TOK, PK};
static void (*real_free)(void *);
static volatile int watching;
static volatile size_t found;

/* Blocks freed while dlsym looks up the real free: kept, and kept
 * reachable, so that a leak checker does not count them. */
static void *kept[64];
static size_t n_kept;

/* Libraries' constructors (GnuTLS's, loaded with libcurl) free before this
 * program's constructors run: the real free is looked up at the first
 * call. That may be before AddressSanitizer has mapped the shadow of this
 * program's globals: no checks here. */
__attribute__((no_sanitize_address)) static int resolve_free(void *p)
{
    static volatile int resolving;

    if (real_free == NULL && !resolving) {
        resolving = 1;
        real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
        resolving = 0;
    }
    if (real_free == NULL && n_kept < sizeof(kept) / sizeof(kept[0])) {
        kept[n_kept++] = p;
    }
    return real_free != NULL;
}

void free(void *p)
{
    if (p != NULL && watching) {
        size_t n = malloc_usable_size(p);

        for (size_t i = 0; i < sizeof(planted) / sizeof(planted[0]); i++) {
            if (memmem(p, n, planted[i], PROBE) != NULL) {
                found++;
                break;
            }
        }
    }
    if (resolve_free(p)) {
        real_free(p);
    }
}

static void watch(void)
{
    found = 0;
    watching = 1;
}

static size_t unwatch(void)
{
    watching = 0;
    return found;
}

/* The hook is not blind: unwiped frees through each allocator are seen. */
START_TEST(test_hook_sees_every_allocator)
{
    char *o = OPENSSL_strdup(SK), *m = strdup(TOK);
    json_t *j = json_string(ST);

    watch();
    OPENSSL_free(o);
    json_decref(j);
    free(m);
    ck_assert_uint_eq(unwatch(), 3);
}
END_TEST

/* The ECS metadata answer: the temporary SK and security token. */
START_TEST(test_metadata_credentials_wiped)
{
    char body[512];
    hwc_md_cred cred;

    snprintf(body, sizeof(body),
             "{\"credential\": {\"access\": \"AKTEMPORARY\", \"secret\": "
             "\"%s\", \"securitytoken\": \"%s\", \"expires_at\": "
             "\"2099-01-01T00:00:00.000000Z\"}}",
             SK, ST);
    watch();
    ck_assert_msg(hwc_md_parse_cred("metadata", body, strlen(body), &cred),
                  "%s", tu_errors());
    ck_assert_str_eq(cred.sk, SK);
    ck_assert_str_eq(cred.security_token, ST);
    hwc_md_cred_clear(&cred);
    ck_assert_uint_eq(unwatch(), 0);
    OPENSSL_cleanse(body, sizeof(body));
}
END_TEST

/* The same values written with JSON escapes still reach no parser. */
START_TEST(test_escaped_secrets_wiped)
{
    char body[512];
    hwc_md_cred cred;

    snprintf(body, sizeof(body),
             "{\"credential\":{\"access\":\"AK\",\"s\\u0065cret\":\"%.8s\\u002f"
             "tail\",\"securitytoken\":\"%s\",\"expires_at\":"
             "\"2099-01-01T00:00:00Z\"}}",
             SK, ST);
    watch();
    ck_assert_msg(hwc_md_parse_cred("metadata", body, strlen(body), &cred),
                  "%s", tu_errors());
    ck_assert_uint_eq(strncmp(cred.sk, SK, 8), 0);
    ck_assert_str_eq(cred.sk + 8, "/tail");
    hwc_md_cred_clear(&cred);
    ck_assert_uint_eq(unwatch(), 0);
}
END_TEST

START_TEST(test_metadata_session_wiped)
{
    hwc_buf b = {0};
    hwc_md_session ses;

    memset(&ses, 0, sizeof(ses));
    watch();
    ck_assert(hwc_buf_append_str(&b, TOK "\r\n"));
    ck_assert(hwc_md_parse_session("metadata", &b, &ses));
    ck_assert_str_eq(ses.token, TOK);
    hwc_buf_free(&b);
    hwc_md_session_clear(&ses);
    ck_assert_uint_eq(unwatch(), 0);
}
END_TEST

/* An SCM export answer: the private key, through the parser and out. */
START_TEST(test_scm_export_wiped)
{
    char body[512];
    json_t *resp;
    hwc_scm_bundle e;

    snprintf(body, sizeof(body),
             "{\"certificate\":\"-----BEGIN CERTIFICATE-----\",\"private_key\":"
             "\"-----BEGIN PRIVATE KEY-----\\n%s\\n-----END PRIVATE "
             "KEY-----\\n\",\"enc_private_key\":null}",
             PK);
    watch();
    resp = hwc_json_parse("export", (const unsigned char *)body, strlen(body));
    ck_assert_ptr_nonnull(resp);
    ck_assert(hwc_scm_parse_export("export", resp, &e));
    ck_assert_ptr_nonnull(strstr(e.private_key, PK));
    hwc_json_free(resp);
    hwc_scm_bundle_free(&e);
    ck_assert_uint_eq(unwatch(), 0);
}
END_TEST

/* token_file and the other secret files. */
START_TEST(test_secret_file_wiped)
{
    char path[] = "/tmp/check_wipe.XXXXXX";
    int fd = mkstemp(path);
    char *v;

    ck_assert_int_ge(fd, 0);
    ck_assert(write(fd, TOK "\n", strlen(TOK) + 1) > 0);
    close(fd);
    ck_assert_int_eq(chmod(path, 0600), 0);
    watch();
    v = hwc_read_secret_file("token_file", path);
    ck_assert_ptr_nonnull(v);
    ck_assert_str_eq(v, TOK);
    hwc_secret_free(v);
    ck_assert_uint_eq(unwatch(), 0);
    unlink(path);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("wipe");
    TCase *tc = tcase_create("wipe");

    /* Not under memcheck, whose free() replaces ours (tests/CMakeLists). */
    tcase_set_tags(tc, "allocator");
    tcase_add_test(tc, test_hook_sees_every_allocator);
    tcase_add_test(tc, test_metadata_credentials_wiped);
    tcase_add_test(tc, test_escaped_secrets_wiped);
    tcase_add_test(tc, test_metadata_session_wiped);
    tcase_add_test(tc, test_scm_export_wiped);
    tcase_add_test(tc, test_secret_file_wiped);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
