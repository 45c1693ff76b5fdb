/*
 * check_auth.c: credential selection (auth=auto order, errors), the AK/SK
 * method's header set (what is signed is what is sent), refresh policy,
 * secret files and the IAM helpers. No network: the login paths run in
 * tests/integration/test_auth.sh, which also uses this binary as a
 * helper ("check_auth load|threads|fork ...") to load several objects in
 * one process through the provider module.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/store.h>

#include "auth/auth.h"
#include "auth/iam.h"
#include "auth/signer.h"
#include "testutil.h"

#define PID "0123456789abcdef0123456789abcdef"
#define DID "abcdefghij0123456789abcdefghij01"

/* Settings from "key=value" pairs, as openssl.cnf would give them. */
static hwc_settings *conf(const char *const *kv)
{
    hwc_settings *st = hwc_settings_new();

    ck_assert_ptr_nonnull(st);
    for (; *kv != NULL; kv++) {
        char key[64];
        const char *eq = strchr(*kv, '=');
        int s;

        ck_assert_ptr_nonnull(eq);
        snprintf(key, sizeof(key), "%.*s", (int)(eq - *kv), *kv);
        s = hwc_setting_by_key(key);
        ck_assert_int_ge(s, 0);
        ck_assert(hwc_settings_set(st, s, eq + 1, HWC_SRC_CONF));
    }
    return st;
}

static hwc_auth *auth_of(const char *const *kv)
{
    hwc_settings *st = conf(kv);
    hwc_auth *a = hwc_auth_new(st);

    hwc_settings_free(st);
    return a;
}

static const char *method_of(const char *const *kv)
{
    static char name[32];
    hwc_auth *a = auth_of(kv);

    ck_assert_msg(a != NULL, "no auth: %s", tu_errors());
    snprintf(name, sizeof(name), "%s", hwc_auth_method(a));
    hwc_auth_free(a);
    return name;
}

/*------------------------------------------------------- selection */

START_TEST(test_auto_order)
{
    const char *all[] = {"token=T",
                         "access_key=AK",
                         "secret_key=SK",
                         "iam_user=u",
                         "iam_password=p",
                         "iam_domain=d",
                         "agency_name=ag",
                         "metadata_endpoint=http://h",
                         NULL};
    const char *aksk[] = {"access_key=AK",  "secret_key=SK", "iam_user=u",
                          "iam_password=p", "iam_domain=d",  NULL};
    const char *agency[] = {"iam_user=u",
                            "iam_password=p",
                            "iam_domain=d",
                            "agency_name=ag",
                            "metadata_endpoint=http://h",
                            NULL};
    const char *password[] = {"iam_user=u", "iam_password=p", "iam_domain=d",
                              "metadata_endpoint=http://h", NULL};
    const char *md[] = {"metadata_endpoint=http://127.0.0.1:9", NULL};

    ck_assert_str_eq(method_of(all), "token");
    ck_assert_str_eq(method_of(aksk), "aksk");
    ck_assert_str_eq(method_of(agency), "agency");
    ck_assert_str_eq(method_of(password), "password");
    ck_assert_str_eq(method_of(md), "metadata");
}
END_TEST

START_TEST(test_auto_nothing_configured)
{
    const char *none[] = {"region=eu-de", NULL};
    const char *err;

    ck_assert_ptr_null(auth_of(none));
    err = tu_errors();
    ck_assert_ptr_nonnull(strstr(err, "no credentials configured"));
    ck_assert_ptr_nonnull(strstr(err, "token_file"));
    ck_assert_ptr_nonnull(strstr(err, "secret_key_file"));
    ck_assert_ptr_nonnull(strstr(err, "iam_password_file"));
    ck_assert_ptr_nonnull(strstr(err, "agency_name"));
    ck_assert_ptr_nonnull(strstr(err, "metadata_endpoint"));
}
END_TEST

START_TEST(test_explicit_methods)
{
    const char *md[] = {"auth=metadata", NULL};
    const char *pw[] = {"auth=password",  "token=T",      "iam_user=u",
                        "iam_password=p", "iam_domain=d", NULL};

    /* auth=metadata needs no settings and does no I/O before first use */
    ck_assert_str_eq(method_of(md), "metadata");
    ck_assert_str_eq(method_of(pw), "password");
}
END_TEST

START_TEST(test_missing_pieces)
{
    const char *pw[] = {"auth=password", "iam_user=u", "iam_password=p", NULL};
    const char *ag[] = {"auth=agency", "iam_user=u", "iam_password=p",
                        "iam_domain=d", NULL};
    const char *ak[] = {"access_key=AK", NULL};

    ck_assert_ptr_null(auth_of(pw));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "missing: iam_domain"));
    ck_assert_ptr_null(auth_of(ag));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "agency_name"));
    ck_assert_ptr_null(auth_of(ak));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "missing: secret_key"));
}
END_TEST

/*------------------------------------------------------- AK/SK headers */

static const char *hdr(const hwc_hdrs *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++) {
        if (strcmp(h->v[i].name, name) == 0) {
            return h->v[i].value;
        }
    }
    return NULL;
}

static hwc_call kms_call(const char *base, const char *path)
{
    static const hwc_http_opts http = {
        .timeout_ms = 1000, .connect_timeout_ms = 1000, .max_body = 1024};
    hwc_call c;

    memset(&c, 0, sizeof(c));
    c.what = "kms:key/test";
    c.service = HWC_SVC_KMS;
    c.method = "POST";
    c.base_url = base;
    c.path = path;
    c.project_id = PID;
    c.region = "eu-de";
    c.http = &http;
    return c;
}

/* Recomputes the signature over the headers sent (all but Authorization)
 * and the exact body: it must equal the one sent. */
static void check_signature(const hwc_hdrs *h, const char *method,
                            const char *path, const char *query,
                            const char *body, const char *sk)
{
    hwc_header sent[16];
    size_t n = 0;
    char *want;
    hwc_sign_input in;

    for (size_t i = 0; i < h->n; i++) {
        if (strcmp(h->v[i].name, "Authorization") != 0) {
            sent[n++] = h->v[i];
        }
    }
    in = (hwc_sign_input){method,      path, query,
                          sent,        n,    (const unsigned char *)body,
                          strlen(body)};
    want = hwc_aksk_authorization("AKTEST", sk, &in);
    ck_assert_ptr_nonnull(want);
    ck_assert_str_eq(hdr(h, "Authorization"), want);
    OPENSSL_free(want);
}

START_TEST(test_aksk_project_service)
{
    const char *kv[] = {"access_key=AKTEST", "secret_key=SKTEST",
                        "domain_id=" DID, NULL};
    const char *path = "/v1.0/" PID "/kms/describe-key";
    const char *body = "{\"key_id\":\"k\"}";
    hwc_auth *a = auth_of(kv);
    hwc_call c = kms_call("https://kms.eu-de.example.com:8443", path);
    hwc_hdrs h = {0};
    const char *date;

    ck_assert_ptr_nonnull(a);
    ck_assert(hwc_auth_ops_default.apply(a, &c, "kms.eu-de.example.com:8443",
                                         path, (const unsigned char *)body,
                                         strlen(body), &h));
    ck_assert_str_eq(hdr(&h, "Host"), "kms.eu-de.example.com:8443");
    ck_assert_str_eq(hdr(&h, "X-Project-Id"), PID);
    ck_assert_ptr_null(hdr(&h, "X-Domain-Id"));
    ck_assert_ptr_null(hdr(&h, "X-Security-Token"));
    ck_assert_ptr_null(hdr(&h, "X-Auth-Token"));
    date = hdr(&h, "X-Sdk-Date");
    ck_assert_ptr_nonnull(date);
    ck_assert_uint_eq(strlen(date), 16);
    ck_assert_int_eq(date[8], 'T');
    ck_assert_int_eq(date[15], 'Z');
    ck_assert_ptr_nonnull(strstr(hdr(&h, "Authorization"),
                                 "SDK-HMAC-SHA256 Access=AKTEST, "
                                 "SignedHeaders=host;x-project-id;x-sdk-date, "
                                 "Signature="));
    ck_assert_uint_eq(h.n, 4);
    check_signature(&h, "POST", path, NULL, body, "SKTEST");
    /* a wrong key gives another signature */
    {
        hwc_header sent[4] = {{"Host", hdr(&h, "Host")},
                              {"X-Sdk-Date", date},
                              {"X-Project-Id", PID}};
        hwc_sign_input in = {"POST",      path, NULL,
                             sent,        3,    (const unsigned char *)body,
                             strlen(body)};
        char *other = hwc_aksk_authorization("AKTEST", "WRONG", &in);

        ck_assert_str_ne(other, hdr(&h, "Authorization"));
        OPENSSL_free(other);
    }
    hwc_hdrs_free(&h);
    hwc_auth_free(a);
}
END_TEST

START_TEST(test_aksk_global_service_temporary)
{
    const char *kv[] = {"access_key=AKTEST", "secret_key=SKTEST",
                        "security_token=STOKEN", "domain_id=" DID, NULL};
    const char *path = "/v3/scm/certificates/abc/export";
    hwc_auth *a = auth_of(kv);
    hwc_call c = kms_call("https://scm.example.com", path);
    hwc_hdrs h = {0};

    c.service = HWC_SVC_SCM;
    c.project_id = NULL; /* as scm.c does */
    c.domain_id = DID;
    ck_assert(hwc_auth_ops_default.apply(a, &c, "scm.example.com", path, NULL,
                                         0, &h));
    ck_assert_str_eq(hdr(&h, "Host"), "scm.example.com");
    ck_assert_str_eq(hdr(&h, "X-Domain-Id"), DID);
    ck_assert_ptr_null(hdr(&h, "X-Project-Id"));
    ck_assert_str_eq(hdr(&h, "X-Security-Token"), "STOKEN");
    ck_assert_ptr_nonnull(
        strstr(hdr(&h, "Authorization"),
               "SignedHeaders=host;x-domain-id;x-sdk-date;x-security-token,"));
    check_signature(&h, "POST", path, NULL, "", "SKTEST");
    hwc_hdrs_free(&h);
    hwc_auth_free(a);
}
END_TEST

START_TEST(test_aksk_prefix_and_query)
{
    const char *kv[] = {"access_key=AKTEST", "secret_key=SKTEST", NULL};
    hwc_auth *a = auth_of(kv);
    hwc_call c = kms_call("https://gw.example.com/prefix/", "/v3/projects");
    hwc_hdrs h = {0};

    c.service = HWC_SVC_IAM;
    c.method = "GET";
    c.query = "name=eu-de";
    c.project_id = NULL;
    ck_assert(hwc_auth_ops_default.apply(a, &c, "gw.example.com",
                                         "/v3/projects", NULL, 0, &h));
    /* the request line is /prefix/v3/projects?name=eu-de: signed so */
    check_signature(&h, "GET", "/prefix/v3/projects", "name=eu-de", "",
                    "SKTEST");
    ck_assert_ptr_null(hdr(&h, "X-Domain-Id")); /* none configured */
    hwc_hdrs_free(&h);
    hwc_auth_free(a);
}
END_TEST

/* IAM's own calls discover the project and the account: as the SDKs send
 * them, they carry no scope header, even when both are configured. */
START_TEST(test_aksk_iam_unscoped)
{
    const char *kv[] = {"access_key=AKTEST", "secret_key=SKTEST",
                        "domain_id=" DID, "project_id=" PID, NULL};
    hwc_auth *a = auth_of(kv);
    hwc_call c = kms_call("https://iam.example.com", "/v3/auth/domains");
    hwc_hdrs h = {0};

    c.service = HWC_SVC_IAM;
    c.method = "GET";
    c.domain_id = DID;
    ck_assert(hwc_auth_ops_default.apply(a, &c, "iam.example.com",
                                         "/v3/auth/domains", NULL, 0, &h));
    ck_assert_ptr_null(hdr(&h, "X-Domain-Id"));
    ck_assert_ptr_null(hdr(&h, "X-Project-Id"));
    ck_assert_ptr_nonnull(
        strstr(hdr(&h, "Authorization"), "SignedHeaders=host;x-sdk-date,"));
    hwc_hdrs_free(&h);
    hwc_auth_free(a);
}
END_TEST

/* A global service needs the account: not configured and not findable
 * (no IAM to ask), signing fails with an error that says what to set. */
START_TEST(test_aksk_global_needs_account)
{
    const char *kv[] = {"access_key=AKTEST",
                        "secret_key=SKTEST",
                        "iam_endpoint=https://127.0.0.1:1",
                        "retries=0",
                        "connect_timeout=1",
                        NULL};
    hwc_auth *a = auth_of(kv);
    hwc_call c = kms_call("https://scm.example.com", "/v3/scm/certificates");
    hwc_hdrs h = {0};

    c.service = HWC_SVC_SCM;
    c.method = "GET";
    c.project_id = NULL;
    ck_assert(!hwc_auth_ops_default.apply(a, &c, "scm.example.com",
                                          "/v3/scm/certificates", NULL, 0, &h));
    ck_assert_uint_eq(h.n, 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "/v3/auth/domains"));
    hwc_auth_free(a);
}
END_TEST

START_TEST(test_refresh_policy)
{
    const char *tok[] = {"token=T", NULL};
    const char *ak[] = {"access_key=AKTEST", "secret_key=SKTEST", NULL};
    hwc_call c = kms_call("https://kms.example.com", "/x");
    hwc_auth *a = auth_of(tok);
    const char *err;

    /* A static token expired only when the service says so. */
    ck_assert(!hwc_auth_ops_default.refresh(a, &c, "KMS.0303",
                                            "The X-Auth-Token has expired."));
    err = tu_errors();
    ck_assert_ptr_nonnull(strstr(err, "the configured token has expired"));
    ck_assert_ptr_nonnull(strstr(err, "token expired"));
    ck_assert(!hwc_auth_ops_default.refresh(
        a, &c, "APIG.0301",
        "Incorrect IAM authentication information: token expired"));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "has expired"));
    ck_assert(!hwc_auth_ops_default.refresh(a, &c, "KMS.0301",
                                            "The X-Auth-Token is invalid."));
    err = tu_errors();
    ck_assert_ptr_nonnull(strstr(err, "the configured token was refused"));
    ck_assert_ptr_nonnull(strstr(err, "token refused"));
    ck_assert_ptr_null(strstr(err, "expired"));
    /* IAM's 401 says neither: refused, not expired. */
    ck_assert(!hwc_auth_ops_default.refresh(
        a, &c, "401", "The request you have made requires authentication."));
    ck_assert_ptr_null(strstr(tu_errors(), "expired"));
    hwc_auth_free(a);
    a = auth_of(ak);
    ck_assert(!hwc_auth_ops_default.refresh(a, &c, "APIG.0301",
                                            "verify aksk signature fail"));
    err = tu_errors();
    ck_assert_ptr_nonnull(strstr(err, "refused the AK/SK signature"));
    ck_assert_ptr_null(strstr(err, "SKTEST"));
    hwc_auth_free(a);
}
END_TEST

START_TEST(test_token_project_mismatch)
{
    const char *kv[] = {"token=T", "project_id=" PID, NULL};
    hwc_auth *a = auth_of(kv);
    hwc_call c = kms_call("https://kms.example.com", "/x");
    hwc_hdrs h = {0};

    c.project_id = "ffffffffffffffffffffffffffffffff";
    ck_assert(!hwc_auth_ops_default.apply(a, &c, "kms.example.com", "/x", NULL,
                                          0, &h));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "differs"));
    c.project_id = PID;
    ck_assert(hwc_auth_ops_default.apply(a, &c, "kms.example.com", "/x", NULL,
                                         0, &h));
    ck_assert_str_eq(hdr(&h, "X-Auth-Token"), "T");
    hwc_hdrs_free(&h);
    hwc_auth_free(a);
}
END_TEST

/*------------------------------------------------------- secret files */

static char *secret_file(const char *content, mode_t mode)
{
    static char path[64];
    int fd;

    snprintf(path, sizeof(path), "/tmp/check_auth.XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, content, strlen(content)),
                     (ssize_t)strlen(content));
    close(fd);
    ck_assert_int_eq(chmod(path, mode), 0);
    return path;
}

START_TEST(test_secret_file_modes)
{
    char *p = secret_file("s3cret\n", 0600);
    char *v = hwc_read_secret_file("secret_key_file", p);

    ck_assert_str_eq(v, "s3cret");
    hwc_secret_free(v);
    chmod(p, 0640); /* group-readable: accepted */
    v = hwc_read_secret_file("secret_key_file", p);
    ck_assert_str_eq(v, "s3cret");
    hwc_secret_free(v);
    chmod(p, 0644);
    ck_assert_ptr_null(hwc_read_secret_file("secret_key_file", p));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "readable by others"));
    unlink(p);
}
END_TEST

/* Whoever can write the file can swap in credentials of their own. */
START_TEST(test_secret_file_writers)
{
    static const mode_t modes[] = {0620, 0602, 0622, 0660};
    char *p = secret_file("s3cret\n", 0600);

    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        ck_assert_int_eq(chmod(p, modes[i]), 0);
        ck_assert_ptr_null(hwc_read_secret_file("token_file", p));
        ck_assert_msg(strstr(tu_errors(), "writable by its group or others"),
                      "mode %o", (unsigned)modes[i]);
    }
    unlink(p);
}
END_TEST

START_TEST(test_secret_file_owner)
{
    char *p = secret_file("s3cret\n", 0600), *v;

    /* A file owned by another user needs root to make. */
    ck_assert_msg(geteuid() == 0, "this test must run as root");
    ck_assert_int_eq(chown(p, 65534, 65534), 0);
    ck_assert_ptr_null(hwc_read_secret_file("token_file", p));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "is owned by another user"));
    ck_assert_int_eq(chown(p, 0, 65534), 0); /* root's own: accepted */
    v = hwc_read_secret_file("token_file", p);
    ck_assert_str_eq(v, "s3cret");
    hwc_secret_free(v);
    unlink(p);
}
END_TEST

START_TEST(test_secret_file_used)
{
    char *p = secret_file("FROMFILE\n", 0600);
    char line[128];
    const char *kv[] = {"access_key=AKTEST", "secret_key=INLINE", line, NULL};
    hwc_auth *a;
    hwc_call c = kms_call("https://kms.example.com", "/x");
    hwc_hdrs h = {0};

    snprintf(line, sizeof(line), "secret_key_file=%s", p);
    a = auth_of(kv);
    ck_assert_ptr_nonnull(a);
    unlink(p); /* read once, at creation */
    ck_assert(hwc_auth_ops_default.apply(a, &c, "kms.example.com", "/x", NULL,
                                         0, &h));
    check_signature(&h, "POST", "/x", NULL, "", "FROMFILE");
    hwc_hdrs_free(&h);
    hwc_auth_free(a);
}
END_TEST

/*------------------------------------------------------- IAM helpers */

START_TEST(test_parse_time)
{
    time_t t;

    ck_assert(hwc_iam_parse_time("2015-11-09T01:42:57.527363Z", &t));
    ck_assert_int_eq((long)t, 1447033377L);
    ck_assert(hwc_iam_parse_time("2015-11-09T01:42:57Z", &t));
    ck_assert_int_eq((long)t, 1447033377L);
    ck_assert(hwc_iam_parse_time("2015-11-09T01:42:57.5+00:00", &t));
    ck_assert(!hwc_iam_parse_time("2015-11-09 01:42:57Z", &t));
    ck_assert(!hwc_iam_parse_time("2015-11-09T01:42:57+08:00", &t));
    ck_assert(!hwc_iam_parse_time(NULL, &t));
}
END_TEST

START_TEST(test_refresh_margin)
{
    ck_assert_int_eq(hwc_auth_refresh_at(1000, 86400), 1000 + 86400 - 300);
    ck_assert_int_eq(hwc_auth_refresh_at(1000, 60), 1030);
    ck_assert_int_eq(hwc_auth_refresh_at(1000, 0), 1030);
}
END_TEST

START_TEST(test_json_quote)
{
    hwc_buf b = {0};

    ck_assert(hwc_json_quote(&b, "a\"b\\c\n\x01é"));
    ck_assert_str_eq(hwc_buf_cstr(&b), "\"a\\\"b\\\\c\\u000a\\u0001é\"");
    hwc_buf_free(&b);
}
END_TEST

static Suite *auth_suite(void)
{
    Suite *s = suite_create("auth");
    TCase *sel = tcase_create("selection");
    TCase *ak = tcase_create("aksk");
    TCase *sec = tcase_create("secrets");
    TCase *iam = tcase_create("iam");

    tcase_add_test(sel, test_auto_order);
    tcase_add_test(sel, test_auto_nothing_configured);
    tcase_add_test(sel, test_explicit_methods);
    tcase_add_test(sel, test_missing_pieces);
    tcase_add_test(ak, test_aksk_project_service);
    tcase_add_test(ak, test_aksk_global_service_temporary);
    tcase_add_test(ak, test_aksk_prefix_and_query);
    tcase_add_test(ak, test_aksk_iam_unscoped);
    tcase_add_test(ak, test_aksk_global_needs_account);
    tcase_add_test(ak, test_refresh_policy);
    tcase_add_test(ak, test_token_project_mismatch);
    tcase_add_test(sec, test_secret_file_modes);
    tcase_add_test(sec, test_secret_file_writers);
    tcase_add_test(sec, test_secret_file_owner);
    tcase_add_test(sec, test_secret_file_used);
    tcase_add_test(iam, test_parse_time);
    tcase_add_test(iam, test_refresh_margin);
    tcase_add_test(iam, test_json_quote);
    suite_add_tcase(s, sel);
    suite_add_tcase(s, ak);
    suite_add_tcase(s, sec);
    suite_add_tcase(s, iam);
    return s;
}

/*------------------------------------------------------- helper mode */

/* Loads every object of uri through the provider; -1 on failure. */
static int load_uri(const char *uri)
{
    OSSL_STORE_CTX *s = OSSL_STORE_open(uri, NULL, NULL, NULL, NULL);
    int n = 0, bad = 0;

    if (s == NULL) {
        return -1;
    }
    while (!OSSL_STORE_eof(s)) {
        OSSL_STORE_INFO *i = OSSL_STORE_load(s);

        if (i == NULL) {
            bad |= OSSL_STORE_error(s);
            if (bad) {
                break;
            }
            continue;
        }
        n++;
        OSSL_STORE_INFO_free(i);
    }
    OSSL_STORE_close(s);
    return bad || n == 0 ? -1 : n;
}

/* "!cmd" runs cmd (e.g. to expire tokens between loads); others load. */
static int run_steps(char **argv, int argc)
{
    for (int i = 0; i < argc; i++) {
        int n;

        if (argv[i][0] == '!') {
            if (system(argv[i] + 1) != 0) {
                fprintf(stderr, "step failed: %s\n", argv[i] + 1);
                return 1;
            }
            continue;
        }
        n = load_uri(argv[i]);
        printf("%s: %d objects\n", argv[i], n);
        fflush(stdout);
        if (n < 0) {
            ERR_print_errors_fp(stderr);
            return 1;
        }
    }
    return 0;
}

static void *thread_load(void *arg)
{
    return (void *)(intptr_t)(load_uri(arg) < 0);
}

/* n threads at once, thread i loading uris[i % nuris]. */
static int run_threads(int n, char **uris, int nuris)
{
    pthread_t t[64];
    int failed = 0;

    n = n > 64 ? 64 : n;
    for (int i = 0; i < n; i++) {
        pthread_create(&t[i], NULL, thread_load, uris[i % nuris]);
    }
    for (int i = 0; i < n; i++) {
        void *r;

        pthread_join(t[i], &r);
        failed += r != NULL;
    }
    printf("%d threads, %d failed\n", n, failed);
    if (failed) {
        ERR_print_errors_fp(stderr);
    }
    return failed != 0;
}

/* Loads argv[0] in the parent, then each later URI in a forked child. */
static int run_fork(char **argv, int argc)
{
    int status = 0;

    if (run_steps(argv, 1) != 0) {
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        pid_t pid = fork();

        if (pid == 0) {
            _exit(run_steps(argv + i, 1));
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            fprintf(stderr, "child for %s failed\n", argv[i]);
            return 1;
        }
    }
    return 0;
}

static int helper(int argc, char **argv)
{
    OPENSSL_init_crypto(OPENSSL_INIT_LOAD_CONFIG, NULL);
    if (strcmp(argv[1], "load") == 0) {
        return run_steps(argv + 2, argc - 2);
    }
    if (strcmp(argv[1], "threads") == 0 && argc >= 4) {
        return run_threads(atoi(argv[2]), argv + 3, argc - 3);
    }
    if (strcmp(argv[1], "fork") == 0 && argc >= 4) {
        return run_fork(argv + 2, argc - 2);
    }
    fprintf(stderr, "usage: check_auth [load URI|!CMD...] [threads N URI...] "
                    "[fork URI URI...]\n");
    return 2;
}

int main(int argc, char **argv)
{

    if (argc > 1) {
        return helper(argc, argv);
    }
    return tu_run(auth_suite());
}
