/*
 * check_signer.c: SDK-HMAC-SHA256 against the Go SDK's published vectors
 * (core/auth/signer/signer_test.go) and the canonical-request rules of
 * signer.h, piece by piece.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/crypto.h>
#include <openssl/err.h>

#include "auth/signer.h"
#include "testutil.h"

#define EMPTY_SHA256                                                           \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define SDK_DATE "20060102T150405Z"

static const hwc_header date_only[] = {{"X-Sdk-Date", SDK_DATE}};

static hwc_sign_input req(const char *method, const char *path,
                          const char *query)
{
    hwc_sign_input in = {method, path, query, date_only, 1, NULL, 0};
    return in;
}

/* The canonical request of in; fails the test if there is none. */
static char *canon(const hwc_sign_input *in)
{
    char *c = hwc_aksk_canonical_request(in);

    ck_assert_msg(c != NULL, "canonical request failed: %s", tu_errors());
    return c;
}

/* Line idx (0-based) of text, in a static buffer. */
static const char *line(const char *text, int idx)
{
    static char out[512];
    size_t n;

    for (; idx > 0; idx--) {
        text = strchr(text, '\n');
        ck_assert_ptr_nonnull(text);
        text++;
    }
    n = strcspn(text, "\n");
    ck_assert_uint_lt(n, sizeof(out));
    memcpy(out, text, n);
    out[n] = '\0';
    return out;
}

static void check_line(const char *method, const char *path, const char *query,
                       int idx, const char *want)
{
    hwc_sign_input in = req(method, path, query);
    char *c = canon(&in);

    ck_assert_str_eq(line(c, idx), want);
    OPENSSL_free(c);
}

/*---------------------------------------------------------------- vectors */

START_TEST(test_vector_get)
{
    hwc_sign_input in = req("GET", "/path", "limit=1");
    char *auth = hwc_aksk_authorization("AccessKey", "SecretKey", &in);

    ck_assert_msg(auth != NULL, "%s", tu_errors());
    ck_assert_str_eq(auth, "SDK-HMAC-SHA256 Access=AccessKey, "
                           "SignedHeaders=x-sdk-date, Signature="
                           "5a2ce64c865e0e6046321c6f3d5a77ba"
                           "8413eeaf355c3166c03d58d02ac79624");
    OPENSSL_free(auth);
}
END_TEST

START_TEST(test_vector_post)
{
    /* Go's JSON encoder ends the body with a newline; it is signed. */
    static const char body[] = "{\"Name\":\"test\",\"Id\":1}\n";
    hwc_sign_input in = req("POST", "/path", "key=value");
    char *auth;

    in.body = (const unsigned char *)body;
    in.body_len = strlen(body);
    auth = hwc_aksk_authorization("AccessKey", "SecretKey", &in);
    ck_assert_msg(auth != NULL, "%s", tu_errors());
    ck_assert_str_eq(auth, "SDK-HMAC-SHA256 Access=AccessKey, "
                           "SignedHeaders=x-sdk-date, Signature="
                           "cecc2af119b18ab70b4d094c0750f3b4"
                           "2c02f254903179a0fc2cc72fc9db4f59");
    OPENSSL_free(auth);
}
END_TEST

START_TEST(test_vector_get_canonical)
{
    hwc_sign_input in = req("GET", "/path", "limit=1");
    char *c = canon(&in);

    ck_assert_str_eq(c, "GET\n/path/\nlimit=1\nx-sdk-date:" SDK_DATE
                        "\n\nx-sdk-date\n" EMPTY_SHA256);
    OPENSSL_free(c);
}
END_TEST

/* A KMS-like request, cross-checked with an independent Python signer. */
START_TEST(test_vector_full_request)
{
    static const hwc_header h[] = {
        {"Host", "kms.eu-de.otc.t-systems.com"},
        {"X-Sdk-Date", "20251125T120000Z"},
        {"X-Project-Id", " 0123456789abcdef0123456789abcdef "},
        {"Content-Type", "application/json"},
    };
    static const char body[] = "{\"key_id\":\"k\",\"message\":\"AA==\","
                               "\"signing_algorithm\":\"ECDSA_SHA_256\"}";
    hwc_sign_input in = {"POST",
                         "/v1.0/0123456789abcdef0123456789abcdef/kms/sign",
                         "b=2&a=x%20y&b=1",
                         h,
                         4,
                         (const unsigned char *)body,
                         strlen(body)};
    char *c = canon(&in);
    char *auth = hwc_aksk_authorization("AK1", "SK/with+chars", &in);

    ck_assert_str_eq(
        c, "POST\n/v1.0/0123456789abcdef0123456789abcdef/kms/sign/\n"
           "a=x%20y&b=1&b=2\ncontent-type:application/json\n"
           "host:kms.eu-de.otc.t-systems.com\n"
           "x-project-id:0123456789abcdef0123456789abcdef\n"
           "x-sdk-date:20251125T120000Z\n\n"
           "content-type;host;x-project-id;x-sdk-date\n"
           "9f6a829b3b6ab6c2c67d69b398f53ffd90fe0cc03c49df626edf843673fc3b3f");
    ck_assert_msg(auth != NULL, "%s", tu_errors());
    ck_assert_str_eq(auth, "SDK-HMAC-SHA256 Access=AK1, SignedHeaders="
                           "content-type;host;x-project-id;x-sdk-date, "
                           "Signature=91dfd99cf78c8da9fa7033ba58e23a02"
                           "0ba2a51bd86768a37e2001694dfc78d9");
    OPENSSL_free(auth);
    OPENSSL_free(c);
}
END_TEST

/*---------------------------------------------------------------- URI */

START_TEST(test_uri_trailing_slash)
{
    check_line("GET", "/v1.0/p/kms/sign", NULL, 1, "/v1.0/p/kms/sign/");
    check_line("GET", "/v3/scm/certificates/", NULL, 1,
               "/v3/scm/certificates/");
    check_line("GET", "/", NULL, 1, "/");
    check_line("GET", "", NULL, 1, "/");
    check_line("GET", NULL, NULL, 1, "/");
}
END_TEST

START_TEST(test_uri_segment_encoding)
{
    /* Raw bytes are escaped, with upper-case hex. */
    check_line("GET", "/a b/(x)/*/+", NULL, 1, "/a%20b/%28x%29/%2A/%2B/");
    /* Escapes are decoded once: "%2F" stays inside its segment. */
    check_line("GET", "/keys/alias%2Fmine/x", NULL, 1, "/keys/alias%2Fmine/x/");
    /* Over-escaped unreserved characters and lower-case hex normalise. */
    check_line("GET", "/%7Euser/%41-b_c.d/caf%c3%a9", NULL, 1,
               "/~user/A-b_c.d/caf%C3%A9/");
    check_line("GET", "/a%20b", NULL, 1, "/a%20b/");
    /* "%25" is a literal percent and must stay escaped. */
    check_line("GET", "/100%25", NULL, 1, "/100%25/");
    check_line("GET", "/a//b", NULL, 1, "/a//b/");
}
END_TEST

START_TEST(test_uri_malformed)
{
    static const char *const bad[] = {"/a%zz", "/a%4", "/a%", "/a?b=1",
                                      "/a#frag"};

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        hwc_sign_input in = req("GET", bad[i], NULL);

        ck_assert_msg(hwc_aksk_canonical_request(&in) == NULL, "%s", bad[i]);
        ck_assert_ptr_nonnull(strstr(tu_errors(), "internal error"));
    }
}
END_TEST

/*---------------------------------------------------------------- query */

START_TEST(test_query_sorting)
{
    check_line("GET", "/", "b=2&a=3&b=1&a=1", 2, "a=1&a=3&b=1&b=2");
    /* Byte order: upper case before lower, shorter prefix first. */
    check_line("GET", "/", "ab=1&a=2&B=3", 2, "B=3&a=2&ab=1");
    /* Sorted on decoded values: "%41" is "A" which sorts before "B". */
    check_line("GET", "/", "k=B&k=%41", 2, "k=A&k=B");
}
END_TEST

START_TEST(test_query_go_sdk_case)
{
    /* signer_test.go TestSigner_canonicalQueryString, sent encoded. */
    check_line("GET", "/",
               "test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29&path=/tmp/123&"
               "multi=3&multi=1&multi=2&limit=1&enable=true",
               2,
               "enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&"
               "test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29");
}
END_TEST

START_TEST(test_query_empty)
{
    check_line("GET", "/path", NULL, 2, "");
    check_line("GET", "/path", "", 2, "");
    check_line("GET", "/path", "&&", 2, "");
}
END_TEST

START_TEST(test_query_values)
{
    /* A key with no '=' signs as "k="; "+" is a space in a query. */
    check_line("GET", "/", "flag&x=", 2, "flag=&x=");
    check_line("GET", "/", "q=a+b&r=a%2Bb", 2, "q=a%20b&r=a%2Bb");
    check_line("GET", "/", "domain_id=ab&file_name=my%20store.jks", 2,
               "domain_id=ab&file_name=my%20store.jks");
    /* Only the first '=' separates key from value. */
    check_line("GET", "/", "a=b=c", 2, "a=b%3Dc");
}
END_TEST

START_TEST(test_query_malformed)
{
    hwc_sign_input in = req("GET", "/", "a=%G1");

    ck_assert_ptr_null(hwc_aksk_canonical_request(&in));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "percent-escape"));
}
END_TEST

/*---------------------------------------------------------------- headers */

START_TEST(test_headers_trim_case)
{
    static const hwc_header h[] = {
        {"X-Sdk-Date", SDK_DATE},
        {"HOST", "  iam.eu-de.otc.t-systems.com\t"},
        {"x-Domain-ID", "\t d1  "},
        {"X-Empty", "   "},
    };
    hwc_sign_input in = {"GET", "/", NULL, h, 4, NULL, 0};
    char *c = canon(&in);

    ck_assert_str_eq(line(c, 3), "host:iam.eu-de.otc.t-systems.com");
    ck_assert_str_eq(line(c, 4), "x-domain-id:d1");
    ck_assert_str_eq(line(c, 5), "x-empty:");
    ck_assert_str_eq(line(c, 6), "x-sdk-date:" SDK_DATE);
    ck_assert_str_eq(line(c, 7), "");
    ck_assert_str_eq(line(c, 8), "host;x-domain-id;x-empty;x-sdk-date");
    ck_assert_str_eq(line(c, 9), EMPTY_SHA256);
    OPENSSL_free(c);
}
END_TEST

START_TEST(test_headers_repeated_name)
{
    /* One name in SignedHeaders, one line per value, values sorted. */
    static const hwc_header h[] = {
        {"X-B", "2"}, {"x-b", "1"}, {"X-Sdk-Date", SDK_DATE}};
    hwc_sign_input in = {"GET", "/", NULL, h, 3, NULL, 0};
    char *c = canon(&in);

    ck_assert_str_eq(line(c, 3), "x-b:1");
    ck_assert_str_eq(line(c, 4), "x-b:2");
    ck_assert_str_eq(line(c, 7), "x-b;x-sdk-date");
    OPENSSL_free(c);
}
END_TEST

START_TEST(test_headers_none)
{
    hwc_sign_input in = {"GET", "/", NULL, NULL, 0, NULL, 0};
    char *c = canon(&in);

    /* The SDKs' layout: an empty header block still yields its newline. */
    ck_assert_str_eq(c, "GET\n/\n\n\n\n\n" EMPTY_SHA256);
    OPENSSL_free(c);
    ck_assert_ptr_null(hwc_aksk_authorization("AK", "SK", &in));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "X-Sdk-Date"));
}
END_TEST

START_TEST(test_headers_malformed)
{
    static const hwc_header bad_name[] = {{"Bad Name", "v"},
                                          {"X-Sdk-Date", SDK_DATE}};
    static const hwc_header colon[] = {{"A:b", "v"}, {"X-Sdk-Date", SDK_DATE}};
    static const hwc_header crlf[] = {{"X-A", "v\r\nX-Evil: 1"},
                                      {"X-Sdk-Date", SDK_DATE}};
    static const hwc_header empty[] = {{"", "v"}, {"X-Sdk-Date", SDK_DATE}};
    static const hwc_header nullv[] = {{"X-A", NULL}, {"X-Sdk-Date", SDK_DATE}};
    const hwc_header *all[] = {bad_name, colon, crlf, empty, nullv};

    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
        hwc_sign_input in = {"GET", "/", NULL, all[i], 2, NULL, 0};

        ck_assert_msg(hwc_aksk_canonical_request(&in) == NULL, "case %zu", i);
        ck_assert_ptr_nonnull(strstr(tu_errors(), "malformed"));
        ck_assert_ptr_null(hwc_aksk_authorization("AK", "SK", &in));
        tu_errors();
    }
}
END_TEST

/*---------------------------------------------------------------- payload */

START_TEST(test_payload_hash)
{
    static const char body[] = "abc";
    hwc_sign_input in = req("POST", "/", NULL);
    char *c;

    in.body = (const unsigned char *)body;
    in.body_len = 3;
    c = canon(&in);
    ck_assert_str_eq(line(c, 6), "ba7816bf8f01cfea414140de5dae2223"
                                 "b00361a396177a9cb410ff61f20015ad");
    OPENSSL_free(c);

    /* Body bytes after a NUL count: the length rules, not strlen. */
    in.body = (const unsigned char *)"a\0b";
    in.body_len = 3;
    c = canon(&in);
    ck_assert_str_ne(line(c, 6), EMPTY_SHA256);
    OPENSSL_free(c);

    in.body = NULL;
    in.body_len = 5;
    ck_assert_ptr_null(hwc_aksk_canonical_request(&in));
    tu_errors();
}
END_TEST

START_TEST(test_payload_unsigned)
{
    static const hwc_header h[] = {
        {"X-Sdk-Date", SDK_DATE}, {"X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD"}};
    hwc_sign_input in = {
        "PUT", "/obj", NULL, h, 2, (const unsigned char *)"xyz", 3};
    char *c = canon(&in);

    ck_assert_str_eq(line(c, 6), "x-sdk-content-sha256;x-sdk-date");
    ck_assert_str_eq(line(c, 7), "UNSIGNED-PAYLOAD");
    OPENSSL_free(c);
}
END_TEST

/*---------------------------------------------------------------- auth */

START_TEST(test_auth_bad_inputs)
{
    static const hwc_header bad_date[] = {{"X-Sdk-Date", "2006-01-02"}};
    hwc_sign_input in = req("GET", "/path", NULL);

    ck_assert_ptr_null(hwc_aksk_authorization("", "SecretKey", &in));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "authentication failed"));
    ck_assert_ptr_null(hwc_aksk_authorization(NULL, "SecretKey", &in));
    ck_assert_ptr_null(hwc_aksk_authorization("AK", "", &in));
    ck_assert_ptr_null(hwc_aksk_authorization("AK", NULL, &in));
    ck_assert_ptr_null(hwc_aksk_authorization("A,K", "SK", &in));
    ck_assert_ptr_null(hwc_aksk_authorization("A K", "SK", &in));
    ck_assert_ptr_null(hwc_aksk_authorization("AK", "SK", NULL));
    tu_errors();

    in.headers = bad_date;
    ck_assert_ptr_null(hwc_aksk_authorization("AK", "SK", &in));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "X-Sdk-Date"));

    in = req("get request", "/", NULL);
    ck_assert_ptr_null(hwc_aksk_canonical_request(&in));
    ck_assert_ptr_nonnull(strstr(tu_errors(), "method"));
}
END_TEST

START_TEST(test_auth_date_trimmed)
{
    /* The date in the string to sign is the trimmed header value. */
    static const hwc_header h[] = {{"x-sdk-date", " " SDK_DATE " "}};
    hwc_sign_input in = req("GET", "/path", "limit=1");
    char *auth;

    in.headers = h;
    auth = hwc_aksk_authorization("AccessKey", "SecretKey", &in);
    ck_assert_msg(auth != NULL, "%s", tu_errors());
    ck_assert_ptr_nonnull(
        strstr(auth, "5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d0"
                     "2ac79624"));
    OPENSSL_free(auth);
}
END_TEST

START_TEST(test_sdk_date)
{
    char out[17];

    hwc_sdk_date(1136214245L, out);
    ck_assert_str_eq(out, SDK_DATE);
    hwc_sdk_date(0, out);
    ck_assert_str_eq(out, "19700101T000000Z");
    hwc_sdk_date(1764072000L, out);
    ck_assert_str_eq(out, "20251125T120000Z");
}
END_TEST

static Suite *signer_suite(void)
{
    Suite *s = suite_create("signer");
    TCase *v = tcase_create("vectors"), *u = tcase_create("uri");
    TCase *q = tcase_create("query"), *h = tcase_create("headers");
    TCase *a = tcase_create("auth");

    tcase_add_test(v, test_vector_get);
    tcase_add_test(v, test_vector_post);
    tcase_add_test(v, test_vector_get_canonical);
    tcase_add_test(v, test_vector_full_request);
    tcase_add_test(u, test_uri_trailing_slash);
    tcase_add_test(u, test_uri_segment_encoding);
    tcase_add_test(u, test_uri_malformed);
    tcase_add_test(q, test_query_sorting);
    tcase_add_test(q, test_query_go_sdk_case);
    tcase_add_test(q, test_query_empty);
    tcase_add_test(q, test_query_values);
    tcase_add_test(q, test_query_malformed);
    tcase_add_test(h, test_headers_trim_case);
    tcase_add_test(h, test_headers_repeated_name);
    tcase_add_test(h, test_headers_none);
    tcase_add_test(h, test_headers_malformed);
    tcase_add_test(a, test_payload_hash);
    tcase_add_test(a, test_payload_unsigned);
    tcase_add_test(a, test_auth_bad_inputs);
    tcase_add_test(a, test_auth_date_trimmed);
    tcase_add_test(a, test_sdk_date);
    suite_add_tcase(s, v);
    suite_add_tcase(s, u);
    suite_add_tcase(s, q);
    suite_add_tcase(s, h);
    suite_add_tcase(s, a);
    return s;
}

int main(void)
{
    return tu_run(signer_suite());
}
