/*
 * fetch.c: URI -> settings -> service call -> decode, one function per
 * kind of URI. The result is plain DER objects plus, for KMS keys, a
 * remote-key handle; nothing here knows OSSL_STORE.
 */
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/store.h>
#include <openssl/x509.h>

#include "codearts.h"
#include "dcs.h"
#include "fetch.h"
#include "kms.h"
#include "scm.h"

#define MAX_UNPACKED (4 * 1024 * 1024)

/* The public half as a key of the default provider (never ours). */
static EVP_PKEY *public_half(hwc_provctx *prov, const hwc_obj *spki)
{
    const unsigned char *p = spki->der;
    EVP_PKEY *pk = d2i_PUBKEY_ex(NULL, &p, (long)spki->der_len, prov->libctx,
                                 HWC_INTERNAL_PROPQ);

    if (pk == NULL) {
        hwc_raise(prov, HWC_R_DECODE, "public key does not decode");
    }
    return pk;
}

static int spec_matches(const hwc_kms_key_info *info, const EVP_PKEY *pk)
{
    int id = EVP_PKEY_get_base_id(pk);

    return (id == EVP_PKEY_RSA && strncmp(info->key_spec, "RSA_", 4) == 0) ||
           (id == EVP_PKEY_EC && strncmp(info->key_spec, "EC_", 3) == 0);
}

static int fetch_kms(hwc_provctx *prov, const hwc_fetch_req *req,
                     hwc_client *cl, hwc_fetched *out)
{
    hwc_kms_key_info info;
    char *pem = NULL;
    EVP_PKEY *pub = NULL;
    int ok = 0;

    if (!hwc_kms_describe_key(cl, req->uri->id, &info) ||
        !hwc_kms_key_usable(req->uri_text, &info) ||
        !hwc_kms_get_public_key(cl, req->uri->id, &pem) ||
        !hwc_decode_public_key(pem, strlen(pem), &out->objs)) {
        goto done;
    }
    if (req->expect == OSSL_STORE_INFO_PUBKEY) {
        ok = 1; /* the caller wants the public key alone */
        goto done;
    }
    if ((pub = public_half(prov, &out->objs.v[0])) == NULL) {
        goto done;
    }
    if (!spec_matches(&info, pub)) {
        hwc_raise(prov, HWC_R_BAD_RESPONSE,
                  "%s: key spec %s does not match the public key returned",
                  req->uri_text, info.key_spec);
        goto done;
    }
    out->rkey = hwc_rkey_new(req->uri_text, req->uri->id, info.key_spec,
                             hwc_kms_usage(&info), pub, &hwc_kms_rkey_ops,
                             hwc_client_up_ref(cl));
    if (out->rkey == NULL) {
        hwc_client_free(cl); /* the reference the key would have held */
        goto done;
    }
    pub = NULL;
    ok = 1;
done:
    EVP_PKEY_free(pub);
    OPENSSL_free(pem);
    return ok;
}

static int fetch_scm(const hwc_fetch_req *req, hwc_client *cl,
                     hwc_fetched *out)
{
    hwc_scm_bundle e;
    int ok;

    if (!hwc_scm_export(cl, req->uri->id, &e)) {
        return 0;
    }
    ok = hwc_assemble_scm(e.certificate, e.certificate_chain,
                          e.entire_certificate, e.private_key, &out->objs);
    hwc_scm_bundle_free(&e);
    return ok;
}

static int fetch_dcs(const hwc_fetch_req *req, hwc_client *cl,
                     hwc_fetched *out)
{
    unsigned char *data = NULL;
    size_t len = 0;
    int ok;

    if (!hwc_dcs_download_ssl(cl, req->uri->id, &data, &len)) {
        return 0;
    }
    ok = hwc_decode_archive_certs(data, len, MAX_UNPACKED, &out->objs);
    OPENSSL_free(data);
    return ok;
}

/* Asks the application (openssl -passin, its UI) for the password. */
static int ask_password(const hwc_fetch_req *req, char *pass, size_t cap,
                        size_t *len)
{
    OSSL_PARAM params[2];

    *len = 0;
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PASSPHRASE_PARAM_INFO,
                                                 (char *)req->uri_text, 0);
    params[1] = OSSL_PARAM_construct_end();
    if (req->pw_cb == NULL ||
        !req->pw_cb(pass, cap, len, params, req->pw_cbarg)) {
        hwc_raise(NULL, HWC_R_BAD_PASSWORD,
                  "%s: the keystore needs a password and none was given "
                  "(openssl: -passin)",
                  req->uri_text);
        return 0;
    }
    return 1;
}

static int fetch_codearts(hwc_provctx *prov, const hwc_fetch_req *req,
                          hwc_client *cl, hwc_fetched *out)
{
    unsigned char *data = NULL;
    size_t len = 0, passlen = 0;
    char pass[1024];
    int ok = 0;

    if (!hwc_codearts_download_keystore(cl, req->uri->id, &data, &len)) {
        return 0;
    }
    if (!hwc_keystore_needs_password(hwc_keystore_sniff(data, len)) ||
        ask_password(req, pass, sizeof(pass) - 1, &passlen)) {
        pass[passlen] = '\0';
        ok = hwc_decode_keystore(data, len, pass, passlen, prov->libctx,
                                 &out->objs);
    }
    OPENSSL_cleanse(pass, sizeof(pass));
    OPENSSL_clear_free(data, len);
    return ok;
}

/* The provider's settings with this URI's region/project_id on top. */
static hwc_settings *effective_settings(hwc_provctx *prov, const hwc_uri *u)
{
    hwc_settings *st = hwc_settings_dup(prov->settings);

    if (st == NULL) {
        return NULL;
    }
    if ((u->region[0] &&
         !hwc_settings_set(st, HWC_S_REGION, u->region, HWC_SRC_URI)) ||
        (u->project_id[0] &&
         !hwc_settings_set(st, HWC_S_PROJECT_ID, u->project_id,
                           HWC_SRC_URI))) {
        hwc_settings_free(st);
        return NULL;
    }
    return st;
}

int hwc_fetch(hwc_provctx *prov, const hwc_fetch_req *req, hwc_fetched *out)
{
    hwc_settings *st = NULL;
    hwc_client *cl = NULL;
    hwc_auth *auth;
    int ok = 0;

    memset(out, 0, sizeof(*out));
    if ((auth = hwc_prov_auth(prov)) == NULL ||
        (st = effective_settings(prov, req->uri)) == NULL ||
        (cl = hwc_client_new(st, auth, req->uri_text)) == NULL) {
        goto done;
    }
    switch (req->uri->kind) {
    case HWC_URI_KMS_KEY:
        ok = fetch_kms(prov, req, cl, out);
        break;
    case HWC_URI_SCM_CERT:
        ok = fetch_scm(req, cl, out);
        break;
    case HWC_URI_DCS_SSL:
        ok = fetch_dcs(req, cl, out);
        break;
    case HWC_URI_CODEARTS_KEYSTORE:
        ok = fetch_codearts(prov, req, cl, out);
        break;
    }
done:
    if (!ok) {
        hwc_fetched_free(out);
    }
    hwc_client_free(cl);
    hwc_settings_free(st);
    return ok;
}

void hwc_fetched_free(hwc_fetched *f)
{
    hwc_objs_free(&f->objs);
    hwc_rkey_free(f->rkey);
    f->rkey = NULL;
}
