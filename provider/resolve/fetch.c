/*
 * fetch.c: URI -> settings -> service call -> decode, one function per
 * kind of URI. The result is plain DER objects plus, for KMS keys, a
 * remote-key handle; nothing here knows OSSL_STORE.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/store.h>
#include <openssl/x509.h>

#include "formats/archive_certs.h"
#include "resolve/cache.h"
#include "services/codearts.h"
#include "services/dcs.h"
#include "formats/decodectx.h"
#include "resolve/fetch.h"
#include "formats/keys.h"
#include "formats/keystore_file.h"
#include "services/kms.h"
#include "services/scm.h"
#include "formats/scmchain.h"

#define MAX_UNPACKED (4 * 1024 * 1024)

static int fetch_one(hwc_provctx *prov, const hwc_fetch_req *req,
                     hwc_fetched *out);

/* The public half as a key of the default provider (never ours). */
static EVP_PKEY *public_half(hwc_provctx *prov, const hwc_obj *spki)
{
    const unsigned char *p = spki->der;
    EVP_PKEY *pk = d2i_PUBKEY_ex(NULL, &p, (long)spki->der_len, prov->libctx,
                                 HWC_INTERNAL_PROPQ);

    if (pk == NULL) {
        hwc_raise(HWC_R_DECODE, "public key does not decode");
    }
    return pk;
}

static int spec_matches(const hwc_cache_extra *info, const EVP_PKEY *pk)
{
    int want = hwc_kms_spec_type(info->key_spec);

    if (want == EVP_PKEY_SM2) {
        return EVP_PKEY_is_a(pk, "SM2");
    }
    return want != EVP_PKEY_NONE && EVP_PKEY_get_base_id(pk) == want;
}

/* describe-key + get-publickey: one request each. */
static int kms_query(const hwc_fetch_req *req, hwc_client *cl,
                     hwc_kms_key_info *info, hwc_objs *objs)
{
    char *pem = NULL;
    int ok = hwc_kms_describe_key(cl, req->uri->id, info) &&
             hwc_kms_key_usable(req->uri_text, info) &&
             hwc_kms_get_public_key(cl, req->uri->id, &pem) &&
             hwc_decode_public_key(pem, strlen(pem), objs);

    OPENSSL_free(pem);
    return ok;
}

/* The remote key of a usable KMS key (described as spec and usage). */
static int kms_handle(hwc_provctx *prov, const hwc_fetch_req *req,
                      hwc_client *cl, const hwc_cache_extra *info,
                      hwc_fetched *out)
{
    EVP_PKEY *pub = public_half(prov, &out->objs.v[0]);

    if (pub == NULL) {
        return 0;
    }
    if (!spec_matches(info, pub)) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: key spec %s does not match the public key returned",
                  req->uri_text, info->key_spec);
        EVP_PKEY_free(pub);
        return 0;
    }
    out->rkey = hwc_rkey_new(req->uri_text, req->uri->id, info->key_spec,
                             hwc_kms_usage(info->key_usage), pub,
                             &hwc_kms_rkey_ops, hwc_client_up_ref(cl));
    if (out->rkey != NULL) {
        hwc_prov_offer_remote_keys(prov); /* before libcrypto looks for them */
    } else {
        hwc_client_free(cl); /* the reference the key would have held */
        EVP_PKEY_free(pub);
        return 0;
    }
    return 1;
}

static int fetch_kms(hwc_provctx *prov, const hwc_fetch_req *req,
                     hwc_client *cl, const char *key, long ttl,
                     hwc_fetched *out)
{
    hwc_kms_key_info info;
    hwc_cache_extra key_info = {0};

    if (!hwc_cache_lookup(prov->cache, HWC_CACHE_KMS_KEY, key, ttl, &out->objs,
                          &key_info)) {
        if (!kms_query(req, cl, &info, &out->objs)) {
            return 0;
        }
        OPENSSL_strlcpy(key_info.key_spec, info.key_spec,
                        sizeof(key_info.key_spec));
        OPENSSL_strlcpy(key_info.key_usage, info.key_usage,
                        sizeof(key_info.key_usage));
        hwc_cache_store(prov->cache, HWC_CACHE_KMS_KEY, key, ttl, &out->objs,
                        &key_info);
    }
    if (req->expect == OSSL_STORE_INFO_PUBKEY) {
        return 1; /* the caller wants the public key alone */
    }
    return kms_handle(prov, req, cl, &key_info, out);
}

static int fetch_scm(hwc_provctx *prov, const hwc_fetch_req *req,
                     hwc_client *cl, hwc_fetched *out)
{
    hwc_scm_bundle e;
    int ok;

    if (!hwc_scm_export(cl, req->uri->id, &e)) {
        return 0;
    }
    ok = hwc_assemble_scm(e.certificate, e.certificate_chain,
                          e.entire_certificate, e.private_key,
                          hwc_prov_plain_libctx(prov), &out->objs);
    hwc_scm_bundle_free(&e);
    return ok;
}

static int fetch_dcs(const hwc_fetch_req *req, hwc_client *cl, hwc_fetched *out)
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
        hwc_raise(HWC_R_BAD_PASSWORD,
                  "%s: the keystore needs a password and none was given "
                  "(openssl: -passin)",
                  req->uri_text);
        return 0;
    }
    return 1;
}

static int fetch_codearts(const hwc_fetch_req *req, hwc_client *cl,
                          hwc_fetched *out)
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
        /* Not prov->libctx: its decoders include ours (decodectx.h). */
        ok = hwc_decode_keystore(data, len, pass, passlen, hwc_decode_libctx(),
                                 &out->objs);
    }
    OPENSSL_cleanse(pass, sizeof(pass));
    OPENSSL_clear_free(data, len);
    return ok;
}

/*
 * What decides what a URI resolves to: who asks (a digest of the
 * credential settings, so two identities never share an entry), where
 * (endpoint, project, region) and what (the URI).
 */
static char *cache_key(const hwc_settings *st, const hwc_client *cl,
                       const hwc_fetch_req *req)
{
    static const enum hwc_setting who[] = {
        HWC_S_AUTH,          HWC_S_TOKEN,      HWC_S_TOKEN_FILE,
        HWC_S_IAM_USER,      HWC_S_IAM_DOMAIN, HWC_S_AGENCY_NAME,
        HWC_S_AGENCY_DOMAIN, HWC_S_ACCESS_KEY, HWC_S_METADATA_ENDPOINT};
    unsigned char md[32];
    char *base;
    char *hex = NULL;
    hwc_buf id = {0}, key = {0};

    /* No endpoint: the fetch itself will fail and say why, once. */
    ERR_set_mark();
    base = hwc_client_base_url(cl, req->uri->service);
    ERR_pop_to_mark();
    for (size_t i = 0; i < sizeof(who) / sizeof(who[0]); i++) {
        const char *v = hwc_get(st, who[i]);
        hwc_buf_printf(&id, "%zu=%s;", i, v ? v : "");
    }
    if (base != NULL && hwc_buf_cstr(&id) != NULL &&
        EVP_Q_digest(NULL, "SHA256", NULL, id.data, id.len, md, NULL) &&
        (hex = hwc_hex_encode(md, sizeof(md))) != NULL) {
        const char *p = hwc_get(st, HWC_S_PROJECT_ID);
        const char *r = hwc_get(st, HWC_S_REGION);
        hwc_buf_printf(&key, "%s|%s|%s|%s|%s", hex, base, p ? p : "",
                       r ? r : "", req->uri_text);
    }
    hwc_buf_free(&id);
    OPENSSL_free(hex);
    OPENSSL_free(base);
    return key.len > 0 ? (char *)hwc_buf_steal(&key, NULL) : NULL;
}

/* Cached or fetched: the object list of an SCM or DCS URI. */
static int fetch_objs(hwc_provctx *prov, const hwc_fetch_req *req,
                      hwc_client *cl, const char *key, long ttl,
                      hwc_fetched *out)
{
    int ok;

    if (hwc_cache_lookup(prov->cache, HWC_CACHE_OBJECTS, key, ttl, &out->objs,
                         NULL)) {
        return 1;
    }
    ok = req->uri->kind == HWC_URI_SCM_CERT ? fetch_scm(prov, req, cl, out)
                                            : fetch_dcs(req, cl, out);
    if (ok) {
        hwc_cache_store(prov->cache, HWC_CACHE_OBJECTS, key, ttl, &out->objs,
                        NULL);
    }
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
         !hwc_settings_set(st, HWC_S_PROJECT_ID, u->project_id, HWC_SRC_URI))) {
        hwc_settings_free(st);
        return NULL;
    }
    return st;
}

hwc_client *hwc_fetch_client(hwc_provctx *prov, const hwc_uri *uri,
                             const char *uri_text)
{
    hwc_auth *auth = hwc_prov_auth(prov);
    hwc_settings *st = auth ? effective_settings(prov, uri) : NULL;
    hwc_client *cl = st ? hwc_client_new(st, auth, uri_text) : NULL;

    if (cl != NULL) {
        cl->http.transport = prov->transport;
    }
    hwc_settings_free(st);
    return cl;
}

/*
 * kms:alias/ and scm:name/ become kms:key/ and scm:cert/ once resolved;
 * the answer is cached like any object.
 */
static int resolve_name(hwc_provctx *prov, hwc_client *cl,
                        const hwc_fetch_req *req, const char *key, long ttl,
                        hwc_uri *resolved)
{
    hwc_cache_extra name = {0};
    char *id = name.id;
    int ok;

    *resolved = *req->uri;
    if (hwc_cache_lookup(prov->cache, HWC_CACHE_NAME, key, ttl, NULL, &name)) {
        ok = 1;
    } else if (req->uri->kind == HWC_URI_KMS_ALIAS) {
        ok = hwc_kms_resolve_alias(cl, req->uri->id, id, sizeof(name.id));
    } else {
        ok = hwc_scm_resolve_name(cl, req->uri->id, id, sizeof(name.id));
    }
    if (ok) {
        hwc_cache_store(prov->cache, HWC_CACHE_NAME, key, ttl, NULL, &name);
    }
    if (ok) {
        OPENSSL_strlcpy(resolved->id, id, sizeof(resolved->id));
        resolved->kind = req->uri->kind == HWC_URI_KMS_ALIAS ? HWC_URI_KMS_KEY
                                                             : HWC_URI_SCM_CERT;
        hwc_debug("%s resolved to %s", req->uri_text, id);
    }
    return ok;
}

/* How deep this thread is in hwc_fetch: 1 while fetching. */
static _Thread_local int fetch_depth;

/*
 * Nothing a fetch meets may start another: not a PEM-wrapped URI that some
 * answer carried into a decoder, not a store opened from a password
 * callback. A service answer must never choose what the provider fetches
 * next with the operator's credentials, nor recurse without end.
 */
int hwc_fetch(hwc_provctx *prov, const hwc_fetch_req *req, hwc_fetched *out)
{
    int ok;

    if (fetch_depth > 0) {
        memset(out, 0, sizeof(*out));
        hwc_raise(HWC_R_NOT_PERMITTED,
                  "%s: refused: met while another URI was being fetched "
                  "(a service answer or callback may not make the provider "
                  "fetch more)",
                  req->uri_text);
        return 0;
    }
    fetch_depth++;
    ok = fetch_one(prov, req, out);
    fetch_depth--;
    return ok;
}

static int fetch_one(hwc_provctx *prov, const hwc_fetch_req *req,
                     hwc_fetched *out)
{
    hwc_settings *st = NULL;
    hwc_client *cl = NULL;
    hwc_fetch_req named = *req;
    hwc_uri resolved;
    char *key = NULL;
    long ttl;
    int ok = 0;

    memset(out, 0, sizeof(*out));
    if ((cl = hwc_fetch_client(prov, req->uri, req->uri_text)) == NULL) {
        goto done;
    }
    st = cl->st;
    ttl = hwc_get_long(st, HWC_S_CACHE_TTL, 0);
    if (ttl > 0 && (key = cache_key(st, cl, req)) == NULL) {
        ttl = 0; /* no key, no caching; the error says why if it matters */
    }
    if (req->uri->kind == HWC_URI_KMS_ALIAS ||
        req->uri->kind == HWC_URI_SCM_NAME) {
        if (!resolve_name(prov, cl, req, key, ttl, &resolved)) {
            goto done;
        }
        named.uri = &resolved;
        req = &named;
    }
    switch (req->uri->kind) {
    case HWC_URI_KMS_KEY:
        ok = fetch_kms(prov, req, cl, key, ttl, out);
        break;
    case HWC_URI_SCM_CERT:
    case HWC_URI_DCS_SSL:
        ok = fetch_objs(prov, req, cl, key, ttl, out);
        break;
    case HWC_URI_CODEARTS_KEYSTORE:
        /* Not cached: what it decodes to depends on the password. */
        ok = fetch_codearts(req, cl, out);
        break;
    default:
        hwc_raise(HWC_R_INTERNAL, "%s: a listing URI has no object",
                  req->uri_text);
        break;
    }
done:
    OPENSSL_free(key);
    if (!ok) {
        hwc_fetched_free(out);
    }
    hwc_client_free(cl);
    return ok;
}

int hwc_fetch_resolve(hwc_provctx *prov, const hwc_uri *uri,
                      const char *uri_text, char *id, size_t cap)
{
    hwc_fetch_req req = {uri_text, uri, 0, NULL, NULL};
    hwc_client *cl = hwc_fetch_client(prov, uri, uri_text);
    hwc_uri resolved;
    char *key = NULL;
    long ttl = 0;
    int ok = 0;

    if (cl != NULL) {
        ttl = hwc_get_long(cl->st, HWC_S_CACHE_TTL, 0);
        if (ttl > 0 && (key = cache_key(cl->st, cl, &req)) == NULL) {
            ttl = 0;
        }
        ok = resolve_name(prov, cl, &req, key, ttl, &resolved);
    }
    if (ok) {
        OPENSSL_strlcpy(id, resolved.id, cap);
    }
    OPENSSL_free(key);
    hwc_client_free(cl);
    return ok;
}

void hwc_fetched_free(hwc_fetched *f)
{
    hwc_objs_free(&f->objs);
    hwc_rkey_free(f->rkey);
    f->rkey = NULL;
}
