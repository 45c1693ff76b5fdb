/* check_parse.c: the response parsers and error envelopes, with the shapes
 * the services document and the shapes a hostile server could send. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "net/call.h"
#include "services/dcs.h"
#include "auth/iam.h"
#include "services/kms_keystores.h"
#include "services/kms.h"
#include "auth/metadata.h"
#include "services/scm.h"
#include "testutil.h"
#include "net/transport.h"

#define BAD "malformed service response"

static json_t *js(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);

    ck_assert_ptr_nonnull(j);
    return j;
}

START_TEST(envelopes)
{
    struct {
        const char *body, *code, *msg;
    } cases[] = {
        {"{\"error\":{\"error_code\":\"KMS.0207\",\"error_msg\":\"no key\"}}",
         "KMS.0207", "no key"},
        {"{\"error_code\":\"SCM.0403\",\"error_msg\":\"denied\"}", "SCM.0403",
         "denied"},
        {"{\"error_code\":\"DCS.4201\",\"error_msg\":\"Do not support SSL.\","
         "\"error_ext_msg\":null}",
         "DCS.4201", "Do not support SSL."},
        {"{\"error\":{\"code\":401,\"message\":\"The username or password is "
         "wrong.\",\"title\":\"Unauthorized\"}}",
         "401", "The username or password is wrong."},
        {"{\"error_code\":\"X\",\"error_msg\":\"line\\nbreak\\u001b[31m\"}",
         "X", "line break [31m"},
        {"not json", "", ""},
        {"[1,2]", "", ""},
        {"{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":{\"error_code\":\"DEEP\"}}}}}}",
         "", ""},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char code[64], msg[256];
        hwc_error_envelope((const unsigned char *)cases[i].body,
                           strlen(cases[i].body), code, sizeof(code), msg,
                           sizeof(msg));
        ck_assert_str_eq(code, cases[i].code);
        ck_assert_str_eq(msg, cases[i].msg);
    }
}
END_TEST

START_TEST(json_parse_rules)
{
    const char *dup = "{\"a\":1,\"a\":2}";
    json_t *j;

    j = hwc_json_parse("t", (const unsigned char *)dup, strlen(dup));
    ck_assert_ptr_null(j);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "not valid JSON"));
    j = hwc_json_parse("t", (const unsigned char *)"[]", 2);
    ck_assert_ptr_null(j);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "not a JSON object"));
    j = hwc_json_parse("t", (const unsigned char *)"{}", 2);
    ck_assert_ptr_nonnull(j);
    json_decref(j);
}
END_TEST

START_TEST(key_info)
{
    hwc_kms_key_info k;
    json_t *j = js("{\"key_id\":\"0d0466b0-e727-4d9c-b35d-f84bb474a37f\","
                   "\"key_alias\":\"a\",\"key_spec\":\"EC_P256\","
                   "\"key_usage\":\"SIGN_VERIFY\",\"key_state\":\"2\","
                   "\"keystore_id\":\"0\",\"new_field\":[1]}");

    ck_assert_int_eq(hwc_kms_parse_key_info("t", j, &k), 1);
    ck_assert_str_eq(k.key_spec, "EC_P256");
    ck_assert_int_eq(hwc_kms_usage(k.key_usage), HWC_USAGE_SIGN_VERIFY);
    ck_assert_int_eq(hwc_kms_key_usable("t", &k), 1);
    json_decref(j);
}
END_TEST

static const char *bad_key_infos[] = {
    "{}",
    "{\"key_id\":null}",
    "{\"key_id\":5}",
    "{\"key_id\":\"x\",\"key_spec\":7}",
    "{\"key_id\":\"x\",\"key_state\":[]}",
    "[]",
    "null",
};

START_TEST(key_info_hostile)
{
    hwc_kms_key_info k;
    json_t *j = json_loads(bad_key_infos[_i], JSON_DECODE_ANY, NULL);

    ck_assert_int_eq(hwc_kms_parse_key_info("t", j, &k), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "malformed service response"));
    json_decref(j);
}
END_TEST

START_TEST(key_states)
{
    hwc_kms_key_info k;

    memset(&k, 0, sizeof(k));
    strcpy(k.key_spec, "RSA_2048");
    strcpy(k.key_state, "3");
    ck_assert_int_eq(hwc_kms_key_usable("u", &k), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "key is disabled"));
    strcpy(k.key_state, "4");
    ck_assert_int_eq(hwc_kms_key_usable("u", &k), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "pending deletion"));
    strcpy(k.key_state, "2");
    strcpy(k.key_spec, "AES_256");
    ck_assert_int_eq(hwc_kms_key_usable("u", &k), 0);
    ck_assert_ptr_nonnull(strstr(
        tu_errors(),
        "key spec AES_256 is not an RSA, EC, SECP256K1 or SM2 key pair"));
    strcpy(k.key_spec, "HMAC_256");
    ck_assert_int_eq(hwc_kms_key_usable("u", &k), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "key spec HMAC_256 is not"));
    /* the key pairs KMS also creates */
    strcpy(k.key_spec, "SECP256K1");
    ck_assert_int_eq(hwc_kms_key_usable("u", &k), 1);
    strcpy(k.key_spec, "SM2");
    ck_assert_int_eq(hwc_kms_key_usable("u", &k), 1);
    strcpy(k.key_state, "9");
    ck_assert_int_eq(hwc_kms_key_usable("u", &k), 0);
    ck_assert_ptr_nonnull(
        strstr(tu_errors(), "key is not enabled (key_state 9)"));
}
END_TEST

/* The documented key states, one table for the listing and the checks. */
START_TEST(key_state_names)
{
    static const char *const want[] = {"pending activation", "enabled",
                                       "disabled", "pending deletion",
                                       "pending import"};
    char st[4];

    for (int i = 1; i <= 5; i++) {
        snprintf(st, sizeof(st), "%d", i);
        ck_assert_str_eq(hwc_kms_state_text(st), want[i - 1]);
    }
    ck_assert_ptr_null(hwc_kms_state_text(""));
    ck_assert_ptr_null(hwc_kms_state_text("0"));
    ck_assert_ptr_null(hwc_kms_state_text("6"));
    ck_assert_ptr_null(hwc_kms_state_text("22"));
    ck_assert_int_eq(hwc_kms_spec_type("RSA_3072"), EVP_PKEY_RSA);
    ck_assert_int_eq(hwc_kms_spec_type("EC_P384"), EVP_PKEY_EC);
    ck_assert_int_eq(hwc_kms_spec_type("SECP256K1"), EVP_PKEY_EC);
    ck_assert_int_eq(hwc_kms_spec_type("SM2"), EVP_PKEY_SM2);
    ck_assert_int_eq(hwc_kms_spec_type("AES_256"), EVP_PKEY_NONE);
    ck_assert_int_eq(hwc_kms_spec_type("RSA"), EVP_PKEY_NONE);
}
END_TEST

START_TEST(scm_export)
{
    hwc_scm_bundle b;
    json_t *j = js("{\"certificate\":\"C\",\"certificate_chain\":null,"
                   "\"private_key\":\"K\",\"enc_certificate\":\"E\"}");

    ck_assert_int_eq(hwc_scm_parse_export("t", j, &b), 1);
    ck_assert_str_eq(b.certificate, "C");
    ck_assert_ptr_null(b.certificate_chain);
    ck_assert_ptr_null(b.entire_certificate);
    ck_assert_str_eq(b.private_key, "K");
    hwc_scm_bundle_free(&b);
    json_decref(j);
    j = js("{\"certificate\":42}");
    ck_assert_int_eq(hwc_scm_parse_export("t", j, &b), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "certificate is not a string"));
    ck_assert_ptr_null(b.certificate);
    json_decref(j);
    j = js("[]");
    ck_assert_int_eq(hwc_scm_parse_export("t", j, &b), 0);
    tu_errors();
    json_decref(j);
}
END_TEST

START_TEST(dcs_link)
{
    char *link = NULL;
    json_t *j =
        js("{\"file_name\":\"f\",\"link\":\"https://b.obs/x?Signature=s\","
           "\"bucket_name\":\"b\"}");

    ck_assert_int_eq(hwc_dcs_parse_link("t", j, &link), 1);
    ck_assert_str_eq(link, "https://b.obs/x?Signature=s");
    OPENSSL_free(link);
    json_decref(j);
    j = js("{\"link\":null}");
    ck_assert_int_eq(hwc_dcs_parse_link("t", j, &link), 0);
    ck_assert_ptr_null(link);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "lacks"));
    json_decref(j);
}
END_TEST

START_TEST(json_text)
{
    char buf[8];
    json_t *j = js("{\"s\":\"abcdefghijk\",\"i\":42,\"n\":null}");

    hwc_json_text(j, "s", buf, sizeof(buf));
    ck_assert_str_eq(buf, "abcdefg");
    hwc_json_text(j, "i", buf, sizeof(buf));
    ck_assert_str_eq(buf, "42");
    hwc_json_text(j, "n", buf, sizeof(buf));
    ck_assert_str_eq(buf, "");
    hwc_json_text(j, "missing", buf, sizeof(buf));
    ck_assert_str_eq(buf, "");
    json_decref(j);
}
END_TEST

START_TEST(kms_public_key)
{
    static const struct {
        const char *json, *pem; /* pem NULL: refused */
    } cases[] = {
        {"{\"key_id\":\"k\",\"public_key\":\"-----BEGIN PUBLIC KEY-----\\nMFkw"
         "\\n-----END PUBLIC KEY-----\\n\"}",
         "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n"},
        {"{\"key_id\":\"k\",\"public_key\":null}", NULL},
        {"{\"public_key\":7}", NULL},
        {"{}", NULL},
        {"[]", NULL},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *pk = NULL;
        json_t *j = js(cases[i].json);
        int ok = hwc_kms_parse_public_key("t", j, &pk);

        if (cases[i].pem != NULL) {
            ck_assert_int_eq(ok, 1);
            ck_assert_str_eq(pk, cases[i].pem);
        } else {
            ck_assert_int_eq(ok, 0);
            ck_assert_ptr_null(pk);
            ck_assert_ptr_nonnull(strstr(tu_errors(), "get-publickey answer"));
        }
        OPENSSL_free(pk);
        json_decref(j);
    }
}
END_TEST

/* The sign body built without jansson says what jansson would say, and
 * values that need escaping still go through jansson. */
START_TEST(kms_sign_body)
{
    static const char *const ids[] = {"0d0466b0-e727-4d9c-b35d-f84bb474a37f",
                                      "a\"b",
                                      "back\\slash",
                                      "tab\there",
                                      "caf\xc3\xa9",
                                      ""};

    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
        json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "key_id", ids[i],
                              "message", "q83vEjRWeJA=", "signing_algorithm",
                              "ECDSA_SHA_256", "message_type", "DIGEST");
        char *want = json_dumps(o, JSON_COMPACT);
        char *got = hwc_kms_sign_body(ids[i], "ECDSA_SHA_256", "q83vEjRWeJA=");
        json_t *back = js(got);

        ck_assert_str_eq(got, want);
        ck_assert_str_eq(json_string_value(json_object_get(back, "key_id")),
                         ids[i]);
        json_decref(back);
        json_decref(o);
        free(want);
        OPENSSL_free(got);
    }
    /* Not UTF-8: refused, as json_pack refuses it. */
    ck_assert_ptr_null(hwc_kms_sign_body("\xff", "ECDSA_SHA_256", "AA=="));
}
END_TEST

START_TEST(kms_b64)
{
    unsigned char *out = NULL;
    size_t len = 0;
    json_t *j = js("{\"key_id\":\"k\",\"signature\":\"c2lnbmF0dXJl\"}");

    ck_assert_int_eq(hwc_kms_parse_b64("t", j, "sign", "signature", &out, &len),
                     1);
    ck_assert_uint_eq(len, 9);
    ck_assert_int_eq(memcmp(out, "signature", 9), 0);
    OPENSSL_free(out);
    json_decref(j);
    j = js("{\"plain_text_base64\":\"AAEC\"}");
    ck_assert_int_eq(hwc_kms_parse_b64("t", j, "decrypt-data",
                                       "plain_text_base64", &out, &len),
                     1);
    ck_assert_uint_eq(len, 3);
    ck_assert_int_eq(out[0] | out[1] << 8, 0x100);
    OPENSSL_free(out);
    json_decref(j);
    j = js("{\"signature\":\"not base64!\"}");
    ck_assert_int_eq(hwc_kms_parse_b64("t", j, "sign", "signature", &out, &len),
                     0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "signature is not base64"));
    json_decref(j);
    j = js("{\"signature\":[]}");
    ck_assert_int_eq(hwc_kms_parse_b64("t", j, "sign", "signature", &out, &len),
                     0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "sign answer lacks"));
    json_decref(j);
}
END_TEST

struct seen_keys {
    int n, stop_at;
    char last[40];
};

static int count_key(const hwc_kms_key_info *info, void *arg)
{
    struct seen_keys *s = arg;

    OPENSSL_strlcpy(s->last, info->key_id, sizeof(s->last));
    return ++s->n != s->stop_at;
}

START_TEST(kms_list_page)
{
    struct seen_keys s = {0, 0, ""};
    char marker[64] = "";
    int more = -1;
    json_t *j = js("{\"key_details\":[{\"key_id\":\"a\",\"key_spec\":"
                   "\"EC_P256\"},{\"key_id\":\"b\",\"key_spec\":\"AES_256\"},"
                   "{\"key_id\":\"c\",\"key_spec\":\"SM2\"}],"
                   "\"next_marker\":\"3\",\"truncated\":\"true\"}");

    ck_assert_int_eq(hwc_kms_parse_list_page("t", j, marker, sizeof(marker),
                                             &more, count_key, &s),
                     1);
    ck_assert_int_eq(s.n, 2); /* AES_256 is not passed on */
    ck_assert_str_eq(s.last, "c");
    ck_assert_int_eq(more, 1);
    ck_assert_str_eq(marker, "3");
    /* The same marker again would page forever. */
    ck_assert_int_eq(hwc_kms_parse_list_page("t", j, marker, sizeof(marker),
                                             &more, count_key, &s),
                     0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "same marker twice"));
    json_decref(j);
    /* The callback stops early: success, no more pages. */
    s.n = 0;
    s.stop_at = 1;
    strcpy(marker, "");
    j = js("{\"key_details\":[{\"key_id\":\"a\",\"key_spec\":\"RSA_2048\"},"
           "{\"key_id\":\"b\",\"key_spec\":\"RSA_2048\"}],"
           "\"next_marker\":\"2\",\"truncated\":\"true\"}");
    ck_assert_int_eq(hwc_kms_parse_list_page("t", j, marker, sizeof(marker),
                                             &more, count_key, &s),
                     1);
    ck_assert_int_eq(s.n, 1);
    ck_assert_int_eq(more, 0);
    json_decref(j);
    /* Last page: truncated false. */
    j = js("{\"key_details\":[],\"next_marker\":\"\",\"truncated\":\"false\"}");
    strcpy(marker, "5");
    ck_assert_int_eq(hwc_kms_parse_list_page("t", j, marker, sizeof(marker),
                                             &more, count_key, &s),
                     1);
    ck_assert_int_eq(more, 0);
    ck_assert_str_eq(marker, "");
    json_decref(j);
}
END_TEST

static int count_cert(const hwc_scm_cert_info *info, void *arg)
{
    int *n = arg;

    ck_assert_str_eq(info->id, *n == 0 ? "scs1" : "scs2");
    return ++*n < 2;
}

START_TEST(scm_list_page)
{
    int seen = -1, total = -1, n = 0;
    json_t *j =
        js("{\"certificates\":[{\"id\":\"scs1\",\"name\":\"a\",\"domain\":"
           "\"www.example.com\",\"expire_time\":\"2027-11-25 12:00:00.0\","
           "\"status\":\"ISSUED\",\"validity_period\":12},{\"id\":\"scs2\"},"
           "{\"id\":\"scs3\"}],\"total_count\":70}");

    ck_assert_int_eq(
        hwc_scm_parse_list_page("t", j, &seen, &total, count_cert, &n), 1);
    ck_assert_int_eq(seen, 3);
    ck_assert_int_eq(total, 70);
    ck_assert_int_eq(n, 2); /* the callback stopped */
    json_decref(j);
}
END_TEST

static int count_store(const hwc_keystore_info *info, void *arg)
{
    int *n = arg;

    (void)info;
    ++*n;
    return 1;
}

START_TEST(keystores)
{
    hwc_keystore_info ks;
    char id[64];
    int seen = -1, total = -1, n = 0;
    json_t *j = js(
        "{\"total\":2,\"keystores\":[{\"keystore_id\":\"9b2c3a1e-0d45-4c1b-"
        "8a77-2f1e6b3c4d5e\",\"domain_id\":\"d\",\"keystore_alias\":\"ks-a\","
        "\"keystore_type\":\"DEDICATED\",\"hsm_cluster_id\":\"c1\","
        "\"cluster_id\":\"\",\"create_time\":\"1764072000000\"},"
        "{\"keystore_id\":\"x\"}]}");

    ck_assert_int_eq(
        hwc_keystores_parse_list("t", j, &seen, &total, count_store, &n), 1);
    ck_assert_int_eq(seen, 2);
    ck_assert_int_eq(total, 2);
    ck_assert_int_eq(n, 2);
    ck_assert_int_eq(
        hwc_keystores_parse_info(
            "t", json_array_get(json_object_get(j, "keystores"), 0), &ks),
        1);
    ck_assert_str_eq(ks.alias, "ks-a");
    ck_assert_str_eq(ks.type, "DEDICATED");
    ck_assert_str_eq(ks.hsm_cluster_id, "c1");
    ck_assert_str_eq(ks.create_time, "1764072000000");
    json_decref(j);
    j = js("{\"keystore\":{\"keystore_id\":\"9b2c\",\"domain_id\":\"d\"}}");
    ck_assert_int_eq(hwc_keystores_parse_created("t", j, id, sizeof(id)), 1);
    ck_assert_str_eq(id, "9b2c");
    json_decref(j);
    j = js("{\"keystore\":{\"keystore_id\":null}}");
    ck_assert_int_eq(hwc_keystores_parse_created("t", j, id, sizeof(id)), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "lacks keystore.keystore_id"));
    ck_assert_int_eq(
        hwc_keystores_parse_info("t", json_object_get(j, "keystore"), &ks), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "without keystore_id"));
    ck_assert_int_eq(hwc_keystores_parse_info("t", NULL, &ks), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), BAD));
    json_decref(j);
}
END_TEST

/* Hostile list pages: k list-keys, s SCM certificates, v keystores. */
static const struct {
    char which;
    const char *json;
} bad_lists[] = {
    {'k', "{}"},
    {'k', "{\"key_details\":{}}"},
    {'k', "{\"key_details\":null}"},
    {'k', "{\"key_details\":[{\"key_id\":1}]}"},
    {'k', "{\"key_details\":[null]}"},
    {'k', "{\"key_details\":[],\"truncated\":true}"},
    {'k', "{\"key_details\":[],\"next_marker\":7}"},
    {'k', "[]"},
    {'s', "{}"},
    {'s', "{\"certificates\":{}}"},
    {'s', "{\"certificates\":[],\"total_count\":\"x\"}"},
    {'s', "{\"certificates\":[],\"total_count\":-1}"},
    {'s', "{\"certificates\":[],\"total_count\":1000001}"},
    {'s', "{\"certificates\":[{\"name\":\"no id\"}],\"total_count\":1}"},
    {'s', "{\"certificates\":[{\"id\":5}],\"total_count\":1}"},
    {'s', "{\"certificates\":[null],\"total_count\":1}"},
    {'v', "{}"},
    {'v', "{\"keystores\":1}"},
    {'v', "{\"keystores\":[],\"total\":-1}"},
    {'v', "{\"keystores\":[],\"total\":1000001}"},
    {'v', "{\"keystores\":[],\"total\":\"2\"}"},
    {'v', "{\"keystores\":[{\"keystore_alias\":\"no id\"}]}"},
    {'v', "{\"keystores\":[[]]}"},
};

START_TEST(list_hostile)
{
    struct seen_keys keys = {0, 0, ""};
    char marker[64] = "";
    int seen, total, more = -1, n = 0, ok;
    json_t *j = js(bad_lists[_i].json);

    if (bad_lists[_i].which == 'k') {
        ok = hwc_kms_parse_list_page("t", j, marker, sizeof(marker), &more,
                                     count_key, &keys);
        ck_assert_int_eq(more, 0);
        n = keys.n;
    } else if (bad_lists[_i].which == 's') {
        ok = hwc_scm_parse_list_page("t", j, &seen, &total, count_cert, &n);
    } else {
        ok = hwc_keystores_parse_list("t", j, &seen, &total, count_store, &n);
    }
    ck_assert_int_eq(ok, 0);
    ck_assert_int_eq(n, 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), BAD));
    json_decref(j);
}
END_TEST

static int token_body(const char *text, hwc_iam_token *t)
{
    memset(t, 0, sizeof(*t));
    return hwc_iam_parse_token_body("t", text, strlen(text), t);
}

START_TEST(iam_token_body)
{
    hwc_iam_token t;

    ck_assert_int_eq(
        token_body("{\"token\":{\"expires_at\":\"2026-11-26T12:00:00.000000Z\","
                   "\"issued_at\":\"2026-11-25T12:00:00.000000Z\",\"methods\":"
                   "[\"password\"],\"project\":{\"id\":\"0123456789abcdef0123"
                   "456789abcdef\",\"name\":\"eu-de\"}}}",
                   &t),
        1);
    ck_assert_int_eq(t.lifetime, 86400);
    ck_assert_str_eq(t.project_id, "0123456789abcdef0123456789abcdef");
    ck_assert_str_eq(t.project_name, "eu-de");
    ck_assert_ptr_null(t.token);
    /* Invalid project fields are dropped, not copied. */
    ck_assert_int_eq(token_body("{\"token\":{\"expires_at\":\"2026-11-26T12:00:"
                                "00Z\",\"project\":{\"id\":\"../x\",\"name\":"
                                "\"eu de\"}}}",
                                &t),
                     1);
    ck_assert_str_eq(t.project_id, "");
    ck_assert_str_eq(t.project_name, "");
    ck_assert_int_eq(
        token_body("{\"token\":{\"expires_at\":\"tomorrow\"}}", &t), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "valid token.expires_at"));
    ck_assert_int_eq(token_body("{\"token\":[]}", &t), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), BAD));
    ck_assert_int_eq(token_body("not json", &t), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "not valid JSON"));
}
END_TEST

START_TEST(iam_projects)
{
    char out[33];
    json_t *j =
        js("{\"projects\":[{\"id\":\"short\",\"name\":\"eu-de\"},{\"id\":"
           "\"ffffffffffffffffffffffffffffffff\",\"name\":\"eu-de-1\"},{\"id\":"
           "\"0123456789abcdef0123456789abcdef\",\"name\":\"eu-de\"}],"
           "\"links\":{\"next\":null}}");

    ck_assert_int_eq(hwc_iam_pick_project("t", j, "eu-de", out), 1);
    ck_assert_str_eq(out, "0123456789abcdef0123456789abcdef");
    ck_assert_int_eq(hwc_iam_pick_project("t", j, "ap-southeast-1", out), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "no project named"));
    json_decref(j);
    j = js("{\"projects\":{\"id\":1}}");
    ck_assert_int_eq(hwc_iam_pick_project("t", j, "eu-de", out), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "lacks \"projects\""));
    json_decref(j);
}
END_TEST

#define DOM_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define DOM_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define DOM_C "cccccccccccccccccccccccccccccccc"
#define EXP "\"expires_at\":\"2026-11-26T12:00:00Z\""

/* The account of a token: the project's domain (an agency's delegating
 * account), else the token's domain scope, else the user's domain. */
START_TEST(iam_token_domain)
{
    hwc_iam_token t;

    ck_assert_int_eq(
        token_body("{\"token\":{" EXP ",\"user\":{\"domain\":{\"id\":\"" DOM_A
                   "\"}},\"project\":{\"id\":\"0123456789abcdef0123456789abcd"
                   "ef\",\"name\":\"eu-de\",\"domain\":{\"id\":\"" DOM_B
                   "\"}}}}",
                   &t),
        1);
    ck_assert_str_eq(t.domain_id, DOM_B);
    ck_assert_int_eq(token_body("{\"token\":{" EXP ",\"user\":{\"domain\":{"
                                "\"id\":\"" DOM_A
                                "\"}},\"domain\":{\"id\":\"" DOM_C
                                "\",\"name\":\"x\"}}}",
                                &t),
                     1);
    ck_assert_str_eq(t.domain_id, DOM_C);
    ck_assert_int_eq(token_body("{\"token\":{" EXP ",\"user\":{\"domain\":{"
                                "\"id\":\"" DOM_A "\"}}}}",
                                &t),
                     1);
    ck_assert_str_eq(t.domain_id, DOM_A);
    /* null, wrong types and malformed ids fall through, never copied */
    ck_assert_int_eq(token_body("{\"token\":{" EXP ",\"project\":{\"domain\":"
                                "null},\"domain\":{\"id\":7},\"user\":{"
                                "\"domain\":{\"id\":\"../../etc\"}}}}",
                                &t),
                     1);
    ck_assert_str_eq(t.domain_id, "");
}
END_TEST

START_TEST(iam_domains)
{
    char out[33];
    json_t *j = js("{\"domains\":[{\"id\":null},{\"id\":\"short\"},{\"id\":"
                   "\"" DOM_A "\",\"name\":\"acct\"},{\"id\":\"" DOM_B
                   "\"}],\"links\":{\"next\":null}}");

    ck_assert_int_eq(hwc_iam_pick_domain("t", j, out), 1);
    ck_assert_str_eq(out, DOM_A);
    json_decref(j);
    j = js("{\"domains\":[]}");
    ck_assert_int_eq(hwc_iam_pick_domain("t", j, out), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "set domain_id"));
    json_decref(j);
    j = js("{\"domains\":{\"id\":\"" DOM_A "\"}}");
    ck_assert_int_eq(hwc_iam_pick_domain("t", j, out), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "lacks \"domains\""));
    json_decref(j);
}
END_TEST

/* JSON null is an absent member (as the SDKs' decoders read it) in every
 * optional field; a wrong type is still refused. */
START_TEST(nulls_are_absent)
{
    hwc_kms_key_info k;
    hwc_keystore_info ks;
    struct seen_keys keys = {0, 0, ""};
    char marker[64] = "";
    int more = -1, seen = -1, total = -1, n = 0;
    json_t *j =
        js("{\"key_id\":\"0d0466b0-e727-4d9c-b35d-f84bb474a37f\",\"key_alias\":"
           "null,\"key_spec\":\"RSA_2048\",\"key_usage\":null,\"key_state\":"
           "\"2\",\"keystore_id\":null,\"key_description\":null}");

    ck_assert_int_eq(hwc_kms_parse_key_info("t", j, &k), 1);
    ck_assert_str_eq(k.key_alias, "");
    ck_assert_str_eq(k.keystore_id, "");
    ck_assert_str_eq(k.key_spec, "RSA_2048");
    json_decref(j);
    j = js("{\"key_details\":[{\"key_id\":\"a\",\"key_spec\":\"EC_P256\","
           "\"key_alias\":null}],\"next_marker\":null,\"truncated\":null,"
           "\"total\":null}");
    ck_assert_int_eq(hwc_kms_parse_list_page("t", j, marker, sizeof(marker),
                                             &more, count_key, &keys),
                     1);
    ck_assert_int_eq(more, 0);
    ck_assert_int_eq(keys.n, 1);
    json_decref(j);
    j = js("{\"certificates\":[{\"id\":\"scs1\",\"name\":null,\"domain\":"
           "null}],\"total_count\":null}");
    ck_assert_int_eq(
        hwc_scm_parse_list_page("t", j, &seen, &total, count_cert, &n), 1);
    ck_assert_int_eq(total, 0);
    json_decref(j);
    j = js("{\"keystores\":[{\"keystore_id\":\"k\",\"keystore_alias\":null,"
           "\"create_time\":null}],\"total\":null}");
    ck_assert_int_eq(
        hwc_keystores_parse_list("t", j, &seen, &total, count_store, &n), 1);
    ck_assert_int_eq(
        hwc_keystores_parse_info(
            "t", json_array_get(json_object_get(j, "keystores"), 0), &ks),
        1);
    ck_assert_str_eq(ks.alias, "");
    json_decref(j);
    /* A required member may not be null; a wrong type is not null. */
    j = js("{\"key_details\":null}");
    ck_assert_int_eq(hwc_kms_parse_list_page("t", j, marker, sizeof(marker),
                                             &more, count_key, &keys),
                     0);
    json_decref(j);
    j = js("{\"key_id\":\"x\",\"key_alias\":false}");
    ck_assert_int_eq(hwc_kms_parse_key_info("t", j, &k), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "key_alias is not a string"));
    json_decref(j);
}
END_TEST

static void plain_is(const char *json, const char *want)
{
    unsigned char *pt = NULL;
    size_t len = 0;
    json_t *j = js(json);

    ck_assert_int_eq(hwc_kms_parse_plain("t", j, &pt, &len), want != NULL);
    if (want != NULL) {
        ck_assert_uint_eq(len, strlen(want));
        ck_assert_mem_eq(pt, want, len);
    } else {
        ck_assert_ptr_null(pt);
        ck_assert_ptr_nonnull(strstr(tu_errors(), BAD));
    }
    OPENSSL_clear_free(pt, len);
    json_decref(j);
}

/* decrypt-data: plain_text_base64 when given, else plain_text. */
START_TEST(kms_plain)
{
    plain_is("{\"plain_text\":\"ignored\",\"plain_text_base64\":\"aGk=\"}",
             "hi");
    plain_is("{\"key_id\":\"k\",\"plain_text\":\"secret\"}", "secret");
    plain_is("{\"plain_text\":\"secret\",\"plain_text_base64\":null}",
             "secret");
    plain_is("{\"plain_text\":\"\"}", "");
    plain_is("{\"key_id\":\"k\"}", NULL);
    plain_is("{\"plain_text\":null,\"plain_text_base64\":null}", NULL);
    plain_is("{\"plain_text\":\"x\",\"plain_text_base64\":7}", NULL);
    plain_is("{\"plain_text\":[\"x\"]}", NULL);
    plain_is("{\"plain_text_base64\":\"!!!\"}", NULL);
}
END_TEST

/* GET /kms/aliases pages: "alias/NAME" or "NAME" match NAME. */
START_TEST(kms_alias_page)
{
    char id[40] = "", marker[32] = "";
    int matches = 0, more = -1;
    json_t *j =
        js("{\"aliases\":[{\"alias\":\"alias/other\",\"key_id\":\"k0\"},"
           "{\"alias\":\"alias/web\",\"key_id\":\"k1\",\"alias_urn\":"
           "null},{\"alias\":null,\"key_id\":\"k2\"}],\"page_info\":"
           "{\"next_marker\":\"3\",\"current_count\":3}}");

    ck_assert_int_eq(hwc_kms_parse_alias_page("t", j, "web", id, sizeof(id),
                                              &matches, marker, sizeof(marker),
                                              &more),
                     1);
    ck_assert_int_eq(matches, 1);
    ck_assert_str_eq(id, "k1");
    ck_assert_int_eq(more, 1);
    ck_assert_str_eq(marker, "3");
    /* the same marker again would page forever */
    ck_assert_int_eq(hwc_kms_parse_alias_page("t", j, "web", id, sizeof(id),
                                              &matches, marker, sizeof(marker),
                                              &more),
                     0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "same marker twice"));
    json_decref(j);
    j = js("{\"aliases\":[{\"alias\":\"web\",\"key_id\":\"k9\"}],"
           "\"page_info\":{\"next_marker\":null}}");
    matches = 0;
    ck_assert_int_eq(hwc_kms_parse_alias_page("t", j, "web", id, sizeof(id),
                                              &matches, marker, sizeof(marker),
                                              &more),
                     1);
    ck_assert_int_eq(matches, 1);
    ck_assert_str_eq(id, "k9");
    ck_assert_int_eq(more, 0);
    ck_assert_str_eq(marker, "");
    json_decref(j);
    j = js("{\"aliases\":[7]}");
    ck_assert_int_eq(hwc_kms_parse_alias_page("t", j, "web", id, sizeof(id),
                                              &matches, marker, sizeof(marker),
                                              &more),
                     0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), BAD));
    json_decref(j);
    j = js("{\"page_info\":{}}");
    ck_assert_int_eq(hwc_kms_parse_alias_page("t", j, "web", id, sizeof(id),
                                              &matches, marker, sizeof(marker),
                                              &more),
                     0);
    json_decref(j);
}
END_TEST

START_TEST(query_escape)
{
    char *e = hwc_query_escape("a-Z_0.~ b/c:d&e=f%");

    ck_assert_str_eq(e, "a-Z_0.~%20b%2Fc%3Ad%26e%3Df%25");
    OPENSSL_free(e);
    e = hwc_query_escape("");
    ck_assert_str_eq(e, "");
    OPENSSL_free(e);
}
END_TEST

START_TEST(md_cred)
{
    const char *good =
        "{\"credential\":{\"access\":\"AK\",\"secret\":\"SK\","
        "\"securitytoken\":"
        "\"ST\",\"expires_at\":\"2026-11-25T13:00:00.000000Z\"}}";
    const char *bad[] = {
        "{\"credential\":{\"access\":\"AK\",\"secret\":\"\",\"securitytoken\":"
        "\"ST\",\"expires_at\":\"2026-11-25T13:00:00Z\"}}",
        "{\"credential\":{\"access\":\"AK\",\"secret\":\"SK\","
        "\"securitytoken\":"
        "\"ST\",\"expires_at\":\"2026-11-25T13:00:00+01:00\"}}",
        "{\"credential\":[1,2]}",
    };
    hwc_md_cred c;

    memset(&c, 0, sizeof(c));
    ck_assert_int_eq(hwc_md_parse_cred("t", good, strlen(good), &c), 1);
    ck_assert_str_eq(c.ak, "AK");
    ck_assert_str_eq(c.sk, "SK");
    ck_assert_str_eq(c.security_token, "ST");
    ck_assert(c.expires_at > 0);
    hwc_md_cred_clear(&c);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert_int_eq(hwc_md_parse_cred("t", bad[i], strlen(bad[i]), &c), 0);
        ck_assert_ptr_null(c.ak); /* cleared: nothing half-filled is left */
        ck_assert_ptr_null(c.sk);
        ck_assert_ptr_null(c.security_token);
        ck_assert_ptr_nonnull(strstr(tu_errors(), "answer lacks"));
    }
    ck_assert_int_eq(hwc_md_parse_cred("t", "<html>", 6, &c), 0);
    ck_assert_ptr_nonnull(strstr(tu_errors(), "not valid JSON"));
}
END_TEST

START_TEST(md_session)
{
    const char *bad[] = {"", " \r\n", "two\nlines"};
    hwc_md_session ses;
    hwc_buf b = {0};

    memset(&ses, 0, sizeof(ses));
    ck_assert(hwc_buf_append_str(&b, "3f2a9c0d1e4b\r\n"));
    ck_assert_int_eq(hwc_md_parse_session("t", &b, &ses), 1);
    ck_assert_str_eq(ses.token, "3f2a9c0d1e4b");
    ck_assert(ses.expires > 0);
    hwc_buf_free(&b);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        ck_assert(hwc_buf_append(&b, bad[i], strlen(bad[i])) || !*bad[i]);
        ck_assert_int_eq(hwc_md_parse_session("t", &b, &ses), 0);
        ck_assert_str_eq(ses.token, "3f2a9c0d1e4b"); /* kept */
        ck_assert_ptr_nonnull(strstr(tu_errors(), "session token answer"));
        hwc_buf_free(&b);
    }
    hwc_md_session_clear(&ses);
}
END_TEST

static void header(hwc_http_resp *r, const char *line)
{
    ck_assert_int_eq(hwc_http_parse_header(line, strlen(line), r), 1);
}

START_TEST(http_headers)
{
    hwc_http_resp r;

    memset(&r, 0, sizeof(r));
    r.retry_after = -1;
    header(&r, "HTTP/1.1 429 Too Many Requests\r\n");
    header(&r, "x-request-id:  0a1b2c3d \r\n");
    header(&r, "Content-Type: application/json;charset=UTF-8\r\n");
    header(&r, "Retry-After: 7\r\n");
    header(&r, "X-Subject-Token: MIItoken\r\n");
    header(&r, "\r\n");
    ck_assert_str_eq(r.request_id, "0a1b2c3d");
    ck_assert_str_eq(r.content_type, "application/json;charset=UTF-8");
    ck_assert_int_eq(r.retry_after, 7);
    ck_assert_str_eq(r.subject_token, "MIItoken");
    /* Hostile values: negative or non-numeric Retry-After, no colon. */
    header(&r, "Retry-After: -3\r\n");
    ck_assert_int_eq(r.retry_after, -1);
    header(&r, "Retry-After: Wed, 21 Oct 2026 07:28:00 GMT\r\n");
    ck_assert_int_eq(r.retry_after, -1);
    header(&r, "Retry-After\r\n");
    header(&r, "X-Subject-Token:\r\n");
    ck_assert_str_eq(r.subject_token, "");
    /* A new response (a redirect) resets what belongs to the last one. */
    header(&r, "Retry-After: 2\r\n");
    header(&r, "HTTP/2 200\r\n");
    ck_assert_str_eq(r.request_id, "");
    ck_assert_int_eq(r.retry_after, -1);
    /* Overlong values are truncated, not overflowed. */
    char big[400];
    memset(big, 'a', sizeof(big));
    memcpy(big, "X-Request-Id: ", 14);
    ck_assert_int_eq(hwc_http_parse_header(big, sizeof(big), &r), 1);
    ck_assert_uint_eq(strlen(r.request_id), sizeof(r.request_id) - 1);
    hwc_http_resp_free(&r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("parse");
    TCase *tc = tcase_create("parse");

    tcase_add_test(tc, envelopes);
    tcase_add_test(tc, json_parse_rules);
    tcase_add_test(tc, key_info);
    tcase_add_loop_test(tc, key_info_hostile, 0,
                        sizeof(bad_key_infos) / sizeof(bad_key_infos[0]));
    tcase_add_test(tc, key_states);
    tcase_add_test(tc, key_state_names);
    tcase_add_test(tc, scm_export);
    tcase_add_test(tc, dcs_link);
    tcase_add_test(tc, json_text);
    tcase_add_loop_test(tc, list_hostile, 0,
                        sizeof(bad_lists) / sizeof(bad_lists[0]));
    /* The parsers split out of the network functions. */
    const TTest *split[] = {kms_public_key, kms_sign_body,    kms_b64,
                            kms_list_page,  scm_list_page,    keystores,
                            iam_token_body, iam_token_domain, iam_projects,
                            iam_domains,    nulls_are_absent, kms_plain,
                            kms_alias_page, query_escape,     md_cred,
                            md_session,     http_headers};
    for (size_t i = 0; i < sizeof(split) / sizeof(split[0]); i++) {
        tcase_add_test(tc, split[i]);
    }
    suite_add_tcase(s, tc);
    return tu_run(s);
}
