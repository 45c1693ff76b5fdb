/*
 * kms.c: the KMS client. Every call is POST /v1.0/{project_id}/kms/<op>
 * with a JSON body; errors are nested {"error":{...}} (call.c reads them).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "services/kms.h"

/* Entries a page when an alias is looked for (the most each API takes). */
#define ALIAS_PAGE 50
#define KEYS_PAGE 1000

/* Open Telekom Cloud's KMS documents fewer fields and operations. */
static int is_otc(const hwc_client *cl)
{
    const char *cloud = hwc_get(cl->st, HWC_S_CLOUD);

    return cloud != NULL && strcmp(cloud, "otc") == 0;
}

/* POSTs the JSON text; text NULL (it could not be built) is a malloc error.
 * may_pause: the call pauses an ASYNC job instead of blocking (sign and
 * decrypt, which TLS servers make inside their handshakes' jobs). */
static int kms_post_text(const hwc_client *cl, const char *op, const char *text,
                         int may_pause, json_t **out)
{
    const char *project = hwc_client_project(cl);
    char *base = project ? hwc_client_base_url(cl, HWC_SVC_KMS) : NULL;
    char path[160];
    hwc_call c;
    int ok = 0;

    if (base != NULL && text != NULL) {
        snprintf(path, sizeof(path), "/v1.0/%s/kms/%s", project, op);
        hwc_client_prepare(cl, &c, HWC_SVC_KMS, "POST", base, path);
        c.json_body = text;
        c.may_pause = may_pause;
        ok = hwc_call_json(&c, out);
    } else if (base != NULL) {
        hwc_raise(HWC_R_MALLOC, "%s: building a request", cl->what);
    }
    OPENSSL_free(base);
    return ok;
}

static int kms_post(const hwc_client *cl, const char *op, json_t *body,
                    int may_pause, json_t **out)
{
    char *text = hwc_json_dump(body);
    int ok = kms_post_text(cl, op, text, may_pause, out);

    if (text != NULL) {
        OPENSSL_clear_free(text, strlen(text));
    }
    return ok;
}

/* Nothing in s that JSON would escape (ids, algorithm names, base64). */
static int json_plain(const char *s)
{
    return s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                       "0123456789-_+/=.")] == '\0';
}

char *hwc_kms_sign_body(const char *key_id, const char *alg, const char *msg)
{
    static const char fmt[] = "{\"key_id\":\"%s\",\"message\":\"%s\","
                              "\"signing_algorithm\":\"%s\","
                              "\"message_type\":\"DIGEST\"}";
    char *text;
    size_t cap;

    /* One per handshake: printed directly when nothing needs escaping, the
     * same text as jansson's compact dump below. */
    if (json_plain(key_id) && json_plain(alg) && json_plain(msg)) {
        cap = sizeof(fmt) + strlen(key_id) + strlen(alg) + strlen(msg);
        if ((text = OPENSSL_malloc(cap)) != NULL) {
            snprintf(text, cap, fmt, key_id, msg, alg);
        }
        return text;
    }
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:s}", "key_id", key_id, "message", msg,
                  "signing_algorithm", alg, "message_type", "DIGEST");

    text = hwc_json_dump(o);
    json_decref(o);
    return text;
}

static void copy_field(char *dst, size_t cap, const char *src)
{
    OPENSSL_strlcpy(dst, src ? src : "", cap);
}

int hwc_kms_parse_key_info(const char *what, json_t *o, hwc_kms_key_info *out)
{
    const char *id = json_string_value(json_object_get(o, "key_id"));
    const char *alias = NULL, *spec = NULL, *usage = NULL;
    const char *state = NULL, *keystore = NULL;
    char ctx[300];

    memset(out, 0, sizeof(*out));
    if (id == NULL) {
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: key details without a key_id string",
                  what);
        return 0;
    }
    snprintf(ctx, sizeof(ctx), "%s: key details", what);
    if (!hwc_json_opt_str(ctx, o, "key_alias", &alias) ||
        !hwc_json_opt_str(ctx, o, "key_spec", &spec) ||
        !hwc_json_opt_str(ctx, o, "key_usage", &usage) ||
        !hwc_json_opt_str(ctx, o, "key_state", &state) ||
        !hwc_json_opt_str(ctx, o, "keystore_id", &keystore)) {
        return 0;
    }
    copy_field(out->key_id, sizeof(out->key_id), id);
    copy_field(out->key_alias, sizeof(out->key_alias), alias);
    copy_field(out->key_spec, sizeof(out->key_spec), spec);
    copy_field(out->key_usage, sizeof(out->key_usage), usage);
    copy_field(out->key_state, sizeof(out->key_state), state);
    copy_field(out->keystore_id, sizeof(out->keystore_id), keystore);
    return 1;
}

int hwc_kms_describe_key(const hwc_client *cl, const char *key_id,
                         hwc_kms_key_info *out)
{
    json_t *body = json_pack("{s:s}", "key_id", key_id), *resp = NULL;
    int ok = 0;

    memset(out, 0, sizeof(*out));
    if (body != NULL && kms_post(cl, "describe-key", body, 0, &resp)) {
        ok = hwc_kms_parse_key_info(cl->what, json_object_get(resp, "key_info"),
                                    out);
    }
    json_decref(body);
    json_decref(resp);
    return ok;
}

int hwc_kms_parse_public_key(const char *what, json_t *resp, char **public_key)
{
    const char *pk = NULL;
    json_error_t err;

    *public_key = NULL;
    if (json_unpack_ex(resp, &err, 0, "{s:s}", "public_key", &pk) != 0) {
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: get-publickey answer lacks %s", what,
                  err.text);
        return 0;
    }
    if ((*public_key = OPENSSL_strdup(pk)) == NULL) {
        hwc_raise(HWC_R_MALLOC, "%s: copying the public key", what);
        return 0;
    }
    return 1;
}

int hwc_kms_get_public_key(const hwc_client *cl, const char *key_id,
                           char **public_key)
{
    json_t *body = json_pack("{s:s}", "key_id", key_id), *resp = NULL;
    int ok = 0;

    *public_key = NULL;
    if (body != NULL && kms_post(cl, "get-publickey", body, 0, &resp)) {
        ok = hwc_kms_parse_public_key(cl->what, resp, public_key);
    }
    json_decref(body);
    json_decref(resp);
    return ok;
}

int hwc_kms_parse_b64(const char *what, json_t *resp, const char *op,
                      const char *field, unsigned char **out, size_t *outlen)
{
    const char *v = NULL;
    json_error_t err;

    if (json_unpack_ex(resp, &err, 0, "{s:s}", field, &v) != 0) {
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: %s answer lacks %s", what, op,
                  err.text);
        return 0;
    }
    if ((*out = hwc_base64_decode(v, strlen(v), outlen)) == NULL) {
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: %s: %s is not base64", what, op,
                  field);
        return 0;
    }
    return 1;
}

int hwc_kms_parse_plain(const char *what, json_t *resp, unsigned char **out,
                        size_t *outlen)
{
    const char *b64 = NULL, *text = NULL;

    *out = NULL;
    *outlen = 0;
    if (!hwc_json_opt_str(what, resp, "plain_text_base64", &b64) ||
        !hwc_json_opt_str(what, resp, "plain_text", &text)) {
        return 0;
    }
    if (b64 != NULL) {
        return hwc_kms_parse_b64(what, resp, "decrypt-data",
                                 "plain_text_base64", out, outlen);
    }
    if (text == NULL) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: decrypt-data answer has neither plain_text_base64 nor "
                  "plain_text",
                  what);
        return 0;
    }
    *outlen = json_string_length(json_object_get(resp, "plain_text"));
    if ((*out = OPENSSL_memdup(text, *outlen ? *outlen : 1)) == NULL) {
        hwc_raise(HWC_R_MALLOC, "%s: copying the plaintext", what);
        *outlen = 0;
        return 0;
    }
    return 1;
}

int hwc_kms_sign(const hwc_client *cl, const char *key_id, const char *alg,
                 const unsigned char *digest, size_t dlen, unsigned char **sig,
                 size_t *siglen)
{
    char *msg = hwc_base64_encode(digest, dlen);
    char *body = msg ? hwc_kms_sign_body(key_id, alg, msg) : NULL;
    json_t *resp = NULL;
    int ok = 0;

    if (body == NULL) {
        hwc_raise(HWC_R_MALLOC, "%s: building a sign request", cl->what);
    } else if (kms_post_text(cl, "sign", body, 1, &resp)) {
        ok =
            hwc_kms_parse_b64(cl->what, resp, "sign", "signature", sig, siglen);
    }
    OPENSSL_free(msg);
    if (body != NULL) {
        OPENSSL_clear_free(body, strlen(body));
    }
    json_decref(resp);
    return ok;
}

int hwc_kms_decrypt(const hwc_client *cl, const char *key_id, const char *alg,
                    const unsigned char *ct, size_t ctlen, unsigned char **pt,
                    size_t *ptlen)
{
    char *cipher = hwc_base64_encode(ct, ctlen);
    json_t *body = NULL, *resp = NULL;
    int ok = 0;

    if (cipher != NULL) {
        body = json_pack("{s:s, s:s, s:s}", "key_id", key_id, "cipher_text",
                         cipher, "encryption_algorithm", alg);
    }
    if (body == NULL) {
        hwc_raise(HWC_R_MALLOC, "%s: building a decrypt request", cl->what);
    } else if (kms_post(cl, "decrypt-data", body, 1, &resp)) {
        ok = hwc_kms_parse_plain(cl->what, resp, pt, ptlen);
    } else if (is_otc(cl)) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "%s: Open Telekom Cloud documents no asymmetric decryption "
                  "in KMS (decrypt-data with %s); use a key of Huawei Cloud "
                  "KMS, or ECDHE key exchange, which needs only signatures",
                  cl->what, alg);
    }
    OPENSSL_free(cipher);
    json_decref(body);
    if (resp != NULL) {
        /* jansson cannot wipe: at least drop the value before freeing. */
        json_t *v = json_object_get(resp, "plain_text");
        if (json_is_string(v)) {
            OPENSSL_cleanse((char *)json_string_value(v),
                            json_string_length(v));
        }
        v = json_object_get(resp, "plain_text_base64");
        if (json_is_string(v)) {
            OPENSSL_cleanse((char *)json_string_value(v),
                            json_string_length(v));
        }
        json_decref(resp);
    }
    return ok;
}

enum hwc_key_usage hwc_kms_usage(const char *key_usage)
{
    if (strcmp(key_usage, "SIGN_VERIFY") == 0) {
        return HWC_USAGE_SIGN_VERIFY;
    }
    if (strcmp(key_usage, "ENCRYPT_DECRYPT") == 0) {
        return HWC_USAGE_ENCRYPT_DECRYPT;
    }
    return HWC_USAGE_UNKNOWN;
}

int hwc_kms_spec_type(const char *spec)
{
    if (strncmp(spec, "RSA_", 4) == 0) {
        return EVP_PKEY_RSA;
    }
    if (strncmp(spec, "EC_", 3) == 0 || strcmp(spec, "SECP256K1") == 0) {
        return EVP_PKEY_EC;
    }
    return strcmp(spec, "SM2") == 0 ? EVP_PKEY_SM2 : EVP_PKEY_NONE;
}

static int is_asymmetric(const char *spec)
{
    return hwc_kms_spec_type(spec) != EVP_PKEY_NONE;
}

const char *hwc_kms_state_text(const char *key_state)
{
    static const char *const names[] = {"pending activation", "enabled",
                                        "disabled", "pending deletion",
                                        "pending import"};
    int n = key_state[0] - '0';

    return n >= 1 && n <= 5 && key_state[1] == '\0' ? names[n - 1] : NULL;
}

int hwc_kms_key_usable(const char *what, const hwc_kms_key_info *info)
{
    const char *state = hwc_kms_state_text(info->key_state);

    if (!is_asymmetric(info->key_spec)) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "%s: key spec %s is not an RSA, EC, SECP256K1 or SM2 key "
                  "pair",
                  what, info->key_spec);
        return 0;
    }
    if (strcmp(info->key_state, "2") != 0) {
        hwc_raise(HWC_R_KEY_STATE, "%s: key is %s (key_state %s)", what,
                  state != NULL ? state : "not enabled", info->key_state);
        return 0;
    }
    return 1;
}

/*------------------------------------------------------------ listing */

int hwc_kms_parse_list_page(const char *what, json_t *resp, char *marker,
                            size_t markercap, int *more, hwc_kms_key_cb *cb,
                            void *arg)
{
    json_t *details, *d;
    const char *next = NULL, *truncated = NULL;
    size_t i;

    *more = 0;
    details = json_object_get(resp, "key_details");
    if (!json_is_array(details)) {
        hwc_raise(HWC_R_BAD_RESPONSE,
                  "%s: list-keys answer: key_details not a list", what);
        return 0;
    }
    if (!hwc_json_opt_str(what, resp, "next_marker", &next) ||
        !hwc_json_opt_str(what, resp, "truncated", &truncated)) {
        return 0;
    }
    json_array_foreach(details, i, d)
    {
        hwc_kms_key_info info;
        if (!hwc_kms_parse_key_info(what, d, &info)) {
            return 0;
        }
        if (is_asymmetric(info.key_spec) && !cb(&info, arg)) {
            return 1; /* the caller has what it wanted */
        }
    }
    *more = truncated != NULL && strcmp(truncated, "true") == 0 &&
            next != NULL && next[0] != '\0';
    return hwc_page_next_marker(what, "list-keys", next, *more, marker,
                                markercap);
}

int hwc_kms_list_page(const hwc_client *cl, char *marker, size_t markercap,
                      int limit, int *more, hwc_kms_key_cb *cb, void *arg)
{
    char lim[16];
    json_t *body, *resp = NULL;
    int ok = 0;

    snprintf(lim, sizeof(lim), "%d", limit);
    /* key_spec ALL lists the asymmetric keys on Huawei Cloud, where the
     * default is AES_256 only; OTC documents no key_spec at all. */
    body = json_pack("{s:s}", "limit", lim);
    if (body != NULL && !is_otc(cl)) {
        json_object_set_new(body, "key_spec", json_string("ALL"));
    }
    if (body != NULL && marker[0] != '\0') {
        json_object_set_new(body, "marker", json_string(marker));
    }
    *more = 0;
    if (body != NULL && kms_post(cl, "list-keys", body, 0, &resp)) {
        ok = hwc_kms_parse_list_page(cl->what, resp, marker, markercap, more,
                                     cb, arg);
    }
    json_decref(body);
    json_decref(resp);
    return ok;
}

static int alias_cb(const hwc_kms_key_info *info, void *arg)
{
    hwc_name_match_see(arg, info->key_alias, info->key_id);
    return 1;
}

/* An alias of the alias API names the key as given or with "alias/". */
static int alias_is(const char *have, const char *want)
{
    return strcmp(have, want) == 0 ||
           (strncmp(have, "alias/", 6) == 0 && strcmp(have + 6, want) == 0);
}

int hwc_kms_parse_alias_page(const char *what, json_t *resp, const char *alias,
                             char *key_id, size_t cap, int *matches,
                             char *marker, size_t markercap, int *more)
{
    json_t *list = json_object_get(resp, "aliases"), *e;
    const char *next = NULL;
    size_t i;

    *more = 0;
    if (!json_is_array(list)) {
        hwc_raise(HWC_R_BAD_RESPONSE, "%s: aliases answer: aliases not a list",
                  what);
        return 0;
    }
    json_array_foreach(list, i, e)
    {
        const char *a = NULL, *k = NULL;

        if (!json_is_object(e) || !hwc_json_opt_str(what, e, "alias", &a) ||
            !hwc_json_opt_str(what, e, "key_id", &k)) {
            hwc_raise(HWC_R_BAD_RESPONSE, "%s: aliases answer: malformed entry",
                      what);
            return 0;
        }
        if (a != NULL && k != NULL && alias_is(a, alias) && (*matches)++ == 0) {
            OPENSSL_strlcpy(key_id, k, cap);
        }
    }
    if (!hwc_json_opt_str(what, json_object_get(resp, "page_info"),
                          "next_marker", &next)) {
        return 0;
    }
    *more = next != NULL && next[0] != '\0';
    return hwc_page_next_marker(what, "aliases", next, *more, marker,
                                markercap);
}

/* One page of GET /v1.0/{project_id}/kms/aliases. */
static int alias_page(const hwc_client *cl, const char *alias, char *key_id,
                      size_t cap, int *matches, char *marker, size_t markercap,
                      int *more)
{
    const char *project = hwc_client_project(cl);
    char *base = project ? hwc_client_base_url(cl, HWC_SVC_KMS) : NULL;
    char *m = NULL, path[160], query[400];
    json_t *resp = NULL;
    hwc_call c;
    int ok = 0;

    if (base == NULL) {
        return 0;
    }
    if (marker[0] == '\0' || (m = hwc_query_escape(marker)) != NULL) {
        snprintf(path, sizeof(path), "/v1.0/%s/kms/aliases", project);
        snprintf(query, sizeof(query), "limit=%d%s%s", ALIAS_PAGE,
                 m ? "&marker=" : "", m ? m : "");
        hwc_client_prepare(cl, &c, HWC_SVC_KMS, "GET", base, path);
        c.query = query;
        if (hwc_call_json(&c, &resp)) {
            ok = hwc_kms_parse_alias_page(cl->what, resp, alias, key_id, cap,
                                          matches, marker, markercap, more);
        }
    }
    json_decref(resp);
    OPENSSL_free(m);
    OPENSSL_free(base);
    return ok;
}

/* The aliases made with the alias API: 1 found (one key), 0 not there,
 * -1 the API failed (left to the caller's error mark). */
static int alias_api(const hwc_client *cl, const char *alias, char *key_id,
                     size_t cap)
{
    char marker[256] = "";
    int more = 1, pages = 0, matches = 0;

    while (more) {
        if (!hwc_page_count(&pages, ALIAS_PAGE, cl->what, "aliases")) {
            return -1;
        }
        if (!alias_page(cl, alias, key_id, cap, &matches, marker,
                        sizeof(marker), &more)) {
            return -1;
        }
    }
    if (matches > 1) {
        hwc_raise(HWC_R_AMBIGUOUS, "%s: the alias %s names more than one key",
                  cl->what, alias);
        return -2;
    }
    return matches;
}

/* key_alias of list-keys: every asymmetric key, page by page. */
static int alias_of_keys(const hwc_client *cl, const char *alias, char *key_id,
                         size_t cap)
{
    hwc_name_match as = {alias, "", 0};
    char marker[256] = "";
    int more = 1, pages = 0;

    while (more) {
        if (!hwc_page_count(&pages, KEYS_PAGE, cl->what, "list-keys") ||
            !hwc_kms_list_page(cl, marker, sizeof(marker), KEYS_PAGE, &more,
                               alias_cb, &as)) {
            return 0;
        }
    }
    return hwc_name_match_take(&as, cl->what, "asymmetric key has the alias",
                               key_id, cap);
}

/*
 * The alias API first (one short listing; OTC documents none), then the
 * key_alias that create-key sets. An alias API that fails (a gateway
 * without it) is passed over, with a debug line.
 */
int hwc_kms_resolve_alias(const hwc_client *cl, const char *alias, char *key_id,
                          size_t cap)
{
    int r;

    if (!is_otc(cl)) {
        ERR_set_mark();
        r = alias_api(cl, alias, key_id, cap);
        if (r == -2) {
            ERR_clear_last_mark();
            return 0;
        }
        if (r == -1) {
            hwc_debug("%s: the alias API failed; trying key_alias", cl->what);
        }
        ERR_pop_to_mark();
        if (r == 1) {
            return 1;
        }
    }
    return alias_of_keys(cl, alias, key_id, cap);
}

/*--------------------------------------------- remote key operations */

static int rkey_sign(void *arg, const char *key_id, const char *alg,
                     const unsigned char *digest, size_t dlen,
                     unsigned char **sig, size_t *siglen)
{
    return hwc_kms_sign(arg, key_id, alg, digest, dlen, sig, siglen);
}

static int rkey_decrypt(void *arg, const char *key_id, const char *alg,
                        const unsigned char *ct, size_t ctlen,
                        unsigned char **pt, size_t *ptlen)
{
    return hwc_kms_decrypt(arg, key_id, alg, ct, ctlen, pt, ptlen);
}

static void *rkey_up_ref(void *arg)
{
    return hwc_client_up_ref(arg);
}

static void rkey_free(void *arg)
{
    hwc_client_free(arg);
}

const struct hwc_rkey_ops hwc_kms_rkey_ops = {rkey_sign, rkey_decrypt,
                                              rkey_up_ref, rkey_free};
