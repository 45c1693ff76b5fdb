/*
 * kms_keystores.c: the KMS dedicated keystore client (see kms_keystores.h).
 * Errors are nested like every KMS error; create and delete change state
 * and are therefore never retried after they may have reached KMS.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "services/kms_keystores.h"

static int ks_call(const hwc_client *cl, const char *method, const char *sub,
                   const char *query, json_t *body, int state_changing,
                   json_t **out)
{
    const char *project = hwc_client_project(cl);
    char *base = project ? hwc_client_base_url(cl, HWC_SVC_KMS) : NULL;
    char *text = hwc_json_dump(body);
    char path[200];
    hwc_http_resp r;
    hwc_call c;
    int ok = 0;

    if (base == NULL || (body != NULL && text == NULL)) {
        goto done;
    }
    snprintf(path, sizeof(path), "/v1.0/%s/keystores%s%s", project,
             sub ? "/" : "", sub ? sub : "");
    hwc_client_prepare(cl, &c, HWC_SVC_KMS, method, base, path);
    c.query = query;
    c.json_body = text;
    c.state_changing = state_changing;
    if (out != NULL) {
        ok = hwc_call_json(&c, out);
    } else if ((ok = hwc_call_perform(&c, &r))) {
        hwc_http_resp_free(&r);
    }
done:
    if (text != NULL) {
        OPENSSL_clear_free(text, strlen(text));
    }
    OPENSSL_free(base);
    return ok;
}

int hwc_keystores_parse_info(const char *what, json_t *o,
                             hwc_keystore_info *info)
{
    memset(info, 0, sizeof(*info));
    if (!json_is_object(o) ||
        !json_is_string(json_object_get(o, "keystore_id"))) {
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: keystore entry without keystore_id",
                  what);
        return 0;
    }
    hwc_json_text(o, "keystore_id", info->id, sizeof(info->id));
    hwc_json_text(o, "keystore_alias", info->alias, sizeof(info->alias));
    hwc_json_text(o, "keystore_type", info->type, sizeof(info->type));
    hwc_json_text(o, "hsm_cluster_id", info->hsm_cluster_id,
                  sizeof(info->hsm_cluster_id));
    hwc_json_text(o, "create_time", info->create_time,
                  sizeof(info->create_time));
    return 1;
}

struct list_cb {
    hwc_keystore_cb *cb;
    void *arg;
};

static int list_entry(const char *what, json_t *o, void *arg)
{
    struct list_cb *lc = arg;
    hwc_keystore_info info;

    if (!hwc_keystores_parse_info(what, o, &info)) {
        return -1;
    }
    return lc->cb(&info, lc->arg) ? 1 : 0;
}

int hwc_keystores_parse_list(const char *what, json_t *resp, int *seen,
                             int *total, hwc_keystore_cb *cb, void *arg)
{
    struct list_cb lc = {cb, arg};

    return hwc_page_parse_offset(what, resp, "keystore list", "keystores",
                                 "total", seen, total, list_entry, &lc);
}

int hwc_keystores_list_page(const hwc_client *cl, int offset, int limit,
                            int *seen, int *total, hwc_keystore_cb *cb,
                            void *arg)
{
    char query[64];
    json_t *resp = NULL;
    int ok;

    *seen = *total = 0;
    snprintf(query, sizeof(query), "limit=%d&offset=%d", limit, offset);
    if (!ks_call(cl, "GET", NULL, query, NULL, 0, &resp)) {
        return 0;
    }
    ok = hwc_keystores_parse_list(cl->what, resp, seen, total, cb, arg);
    json_decref(resp);
    return ok;
}

int hwc_keystores_show(const hwc_client *cl, const char *id,
                       hwc_keystore_info *info)
{
    json_t *resp = NULL;
    int ok;

    if (!ks_call(cl, "GET", id, NULL, NULL, 0, &resp)) {
        return 0;
    }
    ok = hwc_keystores_parse_info(cl->what, json_object_get(resp, "keystore"),
                                  info);
    json_decref(resp);
    return ok;
}

int hwc_keystore_alias_valid(const char *alias)
{
    size_t n = strlen(alias);

    return n >= 1 && n <= 255 &&
           strspn(alias, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789:/_-") == n;
}

static int ca_is_certificate(const char *pem)
{
    BIO *b = BIO_new_mem_buf(pem, -1);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    int ok = x != NULL;

    X509_free(x);
    BIO_free(b);
    return ok;
}

int hwc_keystores_parse_created(const char *what, json_t *resp, char *id,
                                size_t cap)
{
    const char *v = NULL;

    if (json_unpack(resp, "{s:{s:s}}", "keystore", "keystore_id", &v) != 0) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: create answer lacks keystore.keystore_id", what);
        return 0;
    }
    OPENSSL_strlcpy(id, v, cap);
    return 1;
}

int hwc_keystores_create(const hwc_client *cl, const char *alias,
                         const char *hsm_cluster_id, const char *ca_pem,
                         char *id, size_t cap)
{
    json_t *body, *resp = NULL;
    int ok = 0;

    if (!hwc_keystore_alias_valid(alias)) {
        hwc_raise(HWC_R_CONFIG,
                  "keystore alias '%s' does not match ^[a-zA-Z0-9:/_-]{1,255}$",
                  alias);
        return 0;
    }
    if (!ca_is_certificate(ca_pem)) {
        hwc_raise(HWC_R_DECODE,
                  "the HSM CA certificate is not a PEM X.509 certificate");
        return 0;
    }
    /* keystore_type is optional in the API; a Dedicated HSM keystore is
     * what the HSM cluster and CA mean, so say so. */
    body = json_pack("{s:s, s:s, s:s, s:s}", "keystore_alias", alias,
                     "keystore_type", "DHSM", "hsm_cluster_id", hsm_cluster_id,
                     "hsm_ca_cert", ca_pem);
    if (body != NULL && ks_call(cl, "POST", NULL, NULL, body, 1, &resp)) {
        ok = hwc_keystores_parse_created(cl->what, resp, id, cap);
    }
    json_decref(body);
    json_decref(resp);
    return ok;
}

int hwc_keystores_delete(const hwc_client *cl, const char *id)
{
    return ks_call(cl, "DELETE", id, NULL, NULL, 1, NULL);
}
