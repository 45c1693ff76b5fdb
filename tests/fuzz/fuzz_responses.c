/*
 * fuzz_responses: the service answer parsers that are pure functions, each
 * fed every input: the JSON ones (hwc_kms_parse_key_info, _public_key,
 * _b64, _plain, _list_page, _alias_page; hwc_dcs_parse_link;
 * hwc_scm_parse_export, _list_page; hwc_keystores_parse_info, _list, _created;
 * hwc_iam_pick_project, _pick_domain) the body as hwc_json_parse returns
 * it, the byte ones (hwc_iam_parse_token_body, hwc_md_parse_cred,
 * hwc_md_parse_session, hwc_iam_parse_time) the raw input, and
 * hwc_http_parse_header each line of it. The first byte sets where the list
 * callbacks stop. See fuzz_json for the parser and envelopes, fuzz_scm for the
 * SCM export assembly.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/crypto.h>

#include "net/call.h"
#include "services/dcs.h"
#include "fuzzutil.h"
#include "auth/iam.h"
#include "services/kms_keystores.h"
#include "services/kms.h"
#include "auth/metadata.h"
#include "services/scm.h"
#include "net/transport.h"

#define TERMINATED(f) (memchr((f), '\0', sizeof(f)) != NULL)

static void key_info(json_t *o)
{
    hwc_kms_key_info info;

    memset(&info, 0xa5, sizeof(info));
    if (hwc_kms_parse_key_info("fuzz", o, &info)) {
        if (!TERMINATED(info.key_id) || !TERMINATED(info.key_alias) ||
            !TERMINATED(info.key_spec) || !TERMINATED(info.key_usage) ||
            !TERMINATED(info.key_state) || !TERMINATED(info.keystore_id)) {
            fz_fail("hwc_kms_parse_key_info", "field not terminated");
        }
        (void)hwc_kms_usage(info.key_usage);
        (void)hwc_kms_key_usable("fuzz", &info);
    }
    fz_done();
}

static void iam_time(json_t *v)
{
    time_t t;

    if (json_is_string(v)) {
        (void)hwc_iam_parse_time(json_string_value(v), &t);
    }
}

static int stop_after; /* entries a list callback takes before stopping */
static int taken;

/* Fails on an unterminated entry; 0 (stop) after stop_after entries. */
static int took(const char *who, int terminated)
{
    if (!terminated) {
        fz_fail(who, "entry not terminated");
    }
    return ++taken < stop_after;
}

/* A list callback: checks its entry is terminated, stops after stop_after. */
#define LIST_CB(name, type, who, terminated)                                   \
    static int name(const type *i, void *arg)                                  \
    {                                                                          \
        (void)arg;                                                             \
        return took(who, terminated);                                          \
    }

LIST_CB(kms_cb, hwc_kms_key_info, "hwc_kms_parse_list_page",
        TERMINATED(i->key_id) && TERMINATED(i->key_spec))
LIST_CB(scm_cb, hwc_scm_cert_info, "hwc_scm_parse_list_page",
        TERMINATED(i->id) && TERMINATED(i->name) && TERMINATED(i->domain) &&
            TERMINATED(i->expire_time) && TERMINATED(i->status))
LIST_CB(ks_cb, hwc_keystore_info, "hwc_keystores_parse_list",
        TERMINATED(i->id) && TERMINATED(i->alias) && TERMINATED(i->type) &&
            TERMINATED(i->hsm_cluster_id) && TERMINATED(i->create_time))

static void alias_answers(json_t *resp)
{
    char marker[64] = "1", id[40] = "";
    int more = -1, matches = 0;

    if (hwc_kms_parse_alias_page("fuzz", resp, "web", id, sizeof(id), &matches,
                                 marker, sizeof(marker), &more) &&
        (!TERMINATED(marker) || !TERMINATED(id) || matches < 0 ||
         (more && marker[0] == '\0'))) {
        fz_fail("hwc_kms_parse_alias_page", "bad marker or key id");
    }
}

static void kms_answers(json_t *resp)
{
    char marker[64] = "1", *pk = NULL;
    unsigned char *bin = NULL;
    size_t binlen = 0;
    int more = -1;

    if (hwc_kms_parse_public_key("fuzz", resp, &pk) != (pk != NULL)) {
        fz_fail("hwc_kms_parse_public_key", "result and output disagree");
    }
    OPENSSL_free(pk);
    if (hwc_kms_parse_b64("fuzz", resp, "sign", "signature", &bin, &binlen)) {
        OPENSSL_free(bin);
    }
    bin = NULL;
    if (hwc_kms_parse_b64("fuzz", resp, "decrypt-data", "plain_text_base64",
                          &bin, &binlen)) {
        OPENSSL_free(bin);
    }
    bin = NULL;
    if (hwc_kms_parse_plain("fuzz", resp, &bin, &binlen) != (bin != NULL)) {
        fz_fail("hwc_kms_parse_plain", "result and output disagree");
    }
    OPENSSL_clear_free(bin, binlen);
    taken = 0;
    if (hwc_kms_parse_list_page("fuzz", resp, marker, sizeof(marker), &more,
                                kms_cb, NULL)) {
        if (!TERMINATED(marker) || (more && marker[0] == '\0')) {
            fz_fail("hwc_kms_parse_list_page", "bad next marker");
        }
    }
    alias_answers(resp);
    fz_done();
}

static void list_answers(json_t *resp)
{
    hwc_keystore_info ks;
    char id[64], project[33];
    int seen = -1, total = -1;

    taken = 0;
    if (hwc_scm_parse_list_page("fuzz", resp, &seen, &total, scm_cb, NULL) &&
        (seen < 0 || total < 0 || total > HWC_MAX_LIST_ITEMS)) {
        fz_fail("hwc_scm_parse_list_page", "count out of range");
    }
    taken = 0;
    if (hwc_keystores_parse_list("fuzz", resp, &seen, &total, ks_cb, NULL) &&
        (seen < 0 || total < 0 || total > HWC_MAX_LIST_ITEMS)) {
        fz_fail("hwc_keystores_parse_list", "count out of range");
    }
    (void)hwc_keystores_parse_info("fuzz", json_object_get(resp, "keystore"),
                                   &ks);
    if (hwc_keystores_parse_created("fuzz", resp, id, sizeof(id)) &&
        !TERMINATED(id)) {
        fz_fail("hwc_keystores_parse_created", "id not terminated");
    }
    if (hwc_iam_pick_project("fuzz", resp, "eu-de", project) &&
        (!TERMINATED(project) || strlen(project) != 32)) {
        fz_fail("hwc_iam_pick_project", "bad project id");
    }
    if (hwc_iam_pick_domain("fuzz", resp, project) &&
        (!TERMINATED(project) || strlen(project) != 32)) {
        fz_fail("hwc_iam_pick_domain", "bad domain id");
    }
    fz_done();
}

/* The raw input as an IAM token body, a metadata answer, header lines. */
static void raw_answers(const uint8_t *data, size_t size)
{
    hwc_iam_token tok;
    hwc_md_cred cred;
    hwc_md_session ses;
    hwc_http_resp r;
    hwc_buf b = {0};

    memset(&tok, 0, sizeof(tok));
    if (hwc_iam_parse_token_body("fuzz", data, size, &tok) &&
        (!TERMINATED(tok.project_id) || !TERMINATED(tok.project_name) ||
         !TERMINATED(tok.domain_id))) {
        fz_fail("hwc_iam_parse_token_body", "project not terminated");
    }
    memset(&cred, 0, sizeof(cred));
    if (hwc_md_parse_cred("fuzz", data, size, &cred) !=
        (cred.ak != NULL && cred.sk != NULL && cred.security_token != NULL)) {
        fz_fail("hwc_md_parse_cred", "result and fields disagree");
    }
    hwc_md_cred_clear(&cred);
    memset(&ses, 0, sizeof(ses));
    if (hwc_buf_append(&b, data, size) &&
        hwc_md_parse_session("fuzz", &b, &ses) &&
        (ses.token == NULL || strchr(ses.token, '\n') != NULL)) {
        fz_fail("hwc_md_parse_session", "bad session token");
    }
    hwc_md_session_clear(&ses);
    hwc_buf_free(&b);
    fz_done();

    memset(&r, 0, sizeof(r));
    r.retry_after = -1;
    for (size_t at = 0; at < size;) {
        const uint8_t *nl = memchr(data + at, '\n', size - at);
        size_t len = nl ? (size_t)(nl - data) + 1 - at : size - at;

        if (!hwc_http_parse_header((const char *)data + at, len, &r)) {
            break;
        }
        at += len;
    }
    if (!TERMINATED(r.request_id) || !TERMINATED(r.content_type) ||
        r.retry_after < -1) {
        fz_fail("hwc_http_parse_header", "bad header fields");
    }
    hwc_http_resp_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *resp = hwc_json_parse("fuzz", data, size);
    hwc_scm_bundle b;
    char *link = NULL;
    time_t t;

    if (size < 64) { /* the IAM time parser on raw text too */
        char *s = fz_strndup(data, size);
        (void)hwc_iam_parse_time(s, &t);
        free(s);
    }
    stop_after = size > 0 ? 1 + data[0] % 4 : 1;
    raw_answers(data, size);
    if (resp == NULL) {
        fz_done();
        return 0;
    }
    kms_answers(resp);
    list_answers(resp);
    key_info(resp);
    key_info(json_object_get(resp, "key_info"));
    json_t *details = json_object_get(resp, "key_details");
    for (size_t i = 0; i < json_array_size(details) && i < 8; i++) {
        key_info(json_array_get(details, i));
    }
    if (hwc_dcs_parse_link("fuzz", resp, &link)) {
        if (link == NULL) {
            fz_fail("hwc_dcs_parse_link", "success without a link");
        }
        OPENSSL_free(link);
    } else if (link != NULL) {
        fz_fail("hwc_dcs_parse_link", "failure left a link");
    }
    fz_done();
    if (hwc_scm_parse_export("fuzz", resp, &b)) {
        hwc_scm_bundle_free(&b);
    }
    fz_done();
    iam_time(json_object_get(json_object_get(resp, "token"), "expires_at"));
    iam_time(json_object_get(json_object_get(resp, "token"), "issued_at"));
    iam_time(
        json_object_get(json_object_get(resp, "credential"), "expires_at"));
    json_decref(resp);
    fz_done();
    return 0;
}
