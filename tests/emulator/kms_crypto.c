/* kms_crypto.c: KMS asymmetric operations done for real with the fixture
 * keys: sign, verify, decrypt-data and encrypt-data (RSAES_OAEP_SHA_256). */
#include "kms.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/rsa.h>

enum alg_kind { A_PKCS1, A_PSS, A_ECDSA, A_SM2 };

struct sig_alg {
    const char *name;
    const char *md;
    enum alg_kind kind;
    size_t dlen;
};

static const struct sig_alg algs[] = {
    {"RSASSA_PKCS1_V1_5_SHA_256", "SHA256", A_PKCS1, 32},
    {"RSASSA_PKCS1_V1_5_SHA_384", "SHA384", A_PKCS1, 48},
    {"RSASSA_PKCS1_V1_5_SHA_512", "SHA512", A_PKCS1, 64},
    {"RSASSA_PSS_SHA_256", "SHA256", A_PSS, 32},
    {"RSASSA_PSS_SHA_384", "SHA384", A_PSS, 48},
    {"RSASSA_PSS_SHA_512", "SHA512", A_PSS, 64},
    {"ECDSA_SHA_256", "SHA256", A_ECDSA, 32},
    {"ECDSA_SHA_384", "SHA384", A_ECDSA, 48},
    {"ECDSA_SHA_512", "SHA512", A_ECDSA, 64},
    {"SM2DSA_SM3", "SM3", A_SM2, 32},
    {NULL, NULL, A_PKCS1, 0}};

static int alg_fits_key(const struct sig_alg *a, const struct kms_key *k)
{
    if (strncmp(k->spec, "RSA_", 4) == 0)
        return a->kind == A_PKCS1 || a->kind == A_PSS;
    if (strcmp(k->spec, "EC_P256") == 0)
        return strcmp(a->name, "ECDSA_SHA_256") == 0;
    if (strcmp(k->spec, "EC_P384") == 0)
        return strcmp(a->name, "ECDSA_SHA_384") == 0;
    if (strcmp(k->spec, "SECP256K1") == 0)
        return strcmp(a->name, "ECDSA_SHA_256") == 0;
    if (strcmp(k->spec, "SM2") == 0)
        return a->kind == A_SM2;
    return 0;
}

/* body[name] base64-decoded; NULL with the KMS error set in RESP. */
static unsigned char *b64_param(json_t *body, const char *name, size_t *len,
                                struct emu_resp *resp)
{
    json_t *v = json_object_get(body, name);
    if (v == NULL || json_is_null(v)) {
        char *m = emu_printf("Missing parameter: %s.", name);
        kms_error(resp, 400, "KMS.0204", m);
        free(m);
        return NULL;
    }
    const char *s = json_string_value(v);
    unsigned char *d = s != NULL ? emu_b64_decode(s, len) : NULL;
    if (d == NULL || *len == 0 || *len > 8192) {
        char *m = emu_printf("Invalid parameter: %s.", name);
        kms_error(resp, 400, "KMS.0308", m);
        free(m);
        free(d);
        return NULL;
    }
    return d;
}

/* The key and algorithm for sign/verify, after all the KMS checks. */
static const struct kms_key *sign_setup(json_t *body, struct emu_resp *resp,
                                        const struct sig_alg **alg)
{
    const struct kms_key *k = kms_body_key(body, resp, 1);
    if (k == NULL)
        return NULL;
    if (k->pkey == NULL) {
        kms_error(resp, 400, "KMS.1115", "Symmetric keys cannot sign.");
        return NULL;
    }
    if (strcmp(k->usage, "ENCRYPT_DECRYPT") == 0) {
        kms_error(resp, 400, "KMS.0334",
                  "The key usage is ENCRYPT_DECRYPT; it cannot sign.");
        return NULL;
    }
    const char *name =
        json_string_value(json_object_get(body, "signing_algorithm"));
    if (name == NULL) {
        kms_error(resp, 400, "KMS.0204",
                  "Missing parameter: signing_algorithm.");
        return NULL;
    }
    for (*alg = algs; (*alg)->name && strcmp((*alg)->name, name); (*alg)++)
        ;
    if ((*alg)->name == NULL) {
        kms_error(resp, 400, "KMS.0308", "Invalid signing_algorithm.");
        return NULL;
    }
    if (!alg_fits_key(*alg, k)) {
        kms_error(resp, 400, "KMS.0332",
                  "The key does not support this signing algorithm.");
        return NULL;
    }
    return k;
}

/* The digest to sign: the message itself (DIGEST) or its hash (RAW). */
static unsigned char *message_digest(json_t *body, const struct sig_alg *a,
                                     struct emu_resp *resp)
{
    size_t len;
    unsigned char *msg = b64_param(body, "message", &len, resp);
    if (msg == NULL)
        return NULL;
    if (len >= 4096) {
        kms_error(resp, 400, "KMS.0308",
                  "The message must be under 4096 "
                  "bytes.");
        free(msg);
        return NULL;
    }
    const char *type = json_string_value(json_object_get(body, "message_type"));
    if (json_object_get(body, "message_type") != NULL &&
        (type == NULL || (strcmp(type, "DIGEST") && strcmp(type, "RAW")))) {
        kms_error(resp, 400, "KMS.0308", "Invalid message_type.");
        free(msg);
        return NULL;
    }
    if (type != NULL && strcmp(type, "RAW") == 0) {
        unsigned char *d = malloc(EVP_MAX_MD_SIZE);
        unsigned int dl = 0;
        EVP_Digest(msg, len, d, &dl, EVP_get_digestbyname(a->md), NULL);
        free(msg);
        return d;
    }
    if (len != a->dlen) {
        kms_error(resp, 400, "KMS.0329",
                  "The digest length does not match the signing algorithm.");
        free(msg);
        return NULL;
    }
    return msg;
}

static EVP_PKEY_CTX *sig_ctx(const struct kms_key *k, const struct sig_alg *a,
                             int sign)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k->pkey, NULL);
    int ok = c != NULL &&
             (sign ? EVP_PKEY_sign_init(c) : EVP_PKEY_verify_init(c)) > 0 &&
             EVP_PKEY_CTX_set_signature_md(c, EVP_get_digestbyname(a->md)) > 0;
    if (ok && a->kind == A_PKCS1)
        ok = EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PADDING) > 0;
    /* The salt is the digest's length unless --pss-salt max says the
     * largest the key allows (a KMS whose convention differs); either
     * way it is checked exactly. */
    if (ok && a->kind == A_PSS)
        ok = EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_pss_saltlen(c, g_emu.pss_salt_max
                                                     ? RSA_PSS_SALTLEN_MAX
                                                     : (int)a->dlen) > 0;
    if (!ok) {
        EVP_PKEY_CTX_free(c);
        return NULL;
    }
    return c;
}

static char *do_sign(const struct kms_key *k, const struct sig_alg *a,
                     const unsigned char *dg)
{
    EVP_PKEY_CTX *c = sig_ctx(k, a, 1);
    size_t slen = 0;
    char *out = NULL;
    if (c != NULL && EVP_PKEY_sign(c, NULL, &slen, dg, a->dlen) > 0) {
        unsigned char *sig = malloc(slen);
        if (EVP_PKEY_sign(c, sig, &slen, dg, a->dlen) > 0)
            out = emu_b64_encode(sig, slen);
        free(sig);
    }
    EVP_PKEY_CTX_free(c);
    return out;
}

void kms_sign(json_t *body, struct emu_resp *resp)
{
    const struct sig_alg *a;
    const struct kms_key *k = sign_setup(body, resp, &a);
    unsigned char *dg = k != NULL ? message_digest(body, a, resp) : NULL;
    if (dg == NULL)
        return;
    char *sig = k->can_sign ? do_sign(k, a, dg) : NULL;
    free(dg);
    if (sig == NULL) {
        kms_error(resp, 500, "KMS.0100", "Internal service error.");
        return;
    }
    resp_json(resp, 200,
              json_pack("{s:s,s:s}", "key_id", k->id, "signature", sig));
    free(sig);
}

void kms_verify(json_t *body, struct emu_resp *resp)
{
    const struct sig_alg *a;
    size_t slen;
    const struct kms_key *k = sign_setup(body, resp, &a);
    unsigned char *dg = k != NULL ? message_digest(body, a, resp) : NULL;
    unsigned char *sig =
        dg != NULL ? b64_param(body, "signature", &slen, resp) : NULL;
    if (sig == NULL) {
        free(dg);
        return;
    }
    EVP_PKEY_CTX *c = sig_ctx(k, a, 0);
    int ok = c != NULL && EVP_PKEY_verify(c, sig, slen, dg, a->dlen) == 1;
    EVP_PKEY_CTX_free(c);
    free(dg);
    free(sig);
    resp_json(resp, 200,
              json_pack("{s:s,s:s}", "key_id", k->id, "signature_valid",
                        ok ? "true" : "false"));
}

/* The RSA ENCRYPT_DECRYPT key for an OAEP operation, after the checks. */
static const struct kms_key *crypt_setup(json_t *body, struct emu_resp *resp)
{
    const struct kms_key *k = kms_body_key(body, resp, 1);
    if (k == NULL)
        return NULL;
    if (k->pkey == NULL) {
        kms_error(resp, 400, "KMS.0308",
                  "Symmetric encryption is not emulated.");
        return NULL;
    }
    if (g_emu.otc) {
        kms_error(resp, 400, "KMS.0325",
                  "The asymmetric key does not support this operation.");
        return NULL;
    }
    if (strncmp(k->spec, "EC_", 3) == 0) {
        kms_error(resp, 400, "KMS.1114", "EC keys cannot encrypt or decrypt.");
        return NULL;
    }
    if (strcmp(k->usage, "SIGN_VERIFY") == 0) {
        kms_error(resp, 400, "KMS.0335",
                  "The key usage is SIGN_VERIFY; it cannot encrypt or "
                  "decrypt.");
        return NULL;
    }
    const char *alg =
        json_string_value(json_object_get(body, "encryption_algorithm"));
    if (alg == NULL || strcmp(alg, "RSAES_OAEP_SHA_256") != 0) {
        kms_error(resp, 400, "KMS.2106",
                  "The RSA key does not support this encryption algorithm.");
        return NULL;
    }
    return k;
}

static EVP_PKEY_CTX *oaep_ctx(const struct kms_key *k, int enc)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new(k->pkey, NULL);
    int ok = c != NULL &&
             (enc ? EVP_PKEY_encrypt_init(c) : EVP_PKEY_decrypt_init(c)) > 0 &&
             EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_OAEP_PADDING) > 0 &&
             EVP_PKEY_CTX_set_rsa_oaep_md(c, EVP_sha256()) > 0 &&
             EVP_PKEY_CTX_set_rsa_mgf1_md(c, EVP_sha256()) > 0;
    if (!ok) {
        EVP_PKEY_CTX_free(c);
        return NULL;
    }
    return c;
}

static json_t *plain_json(const struct kms_key *k, const unsigned char *p,
                          size_t n)
{
    char *b64 = emu_b64_encode(p, n);
    json_t *text = json_stringn((const char *)p, n);
    json_t *o =
        json_pack("{s:s,s:o,s:s}", "key_id", k->id, "plain_text",
                  text != NULL ? text : json_null(), "plain_text_base64", b64);
    free(b64);
    return o;
}

void kms_decrypt(json_t *body, struct emu_resp *resp)
{
    size_t clen, plen = 0;
    const struct kms_key *k = crypt_setup(body, resp);
    unsigned char *ct =
        k != NULL ? b64_param(body, "cipher_text", &clen, resp) : NULL;
    if (ct == NULL)
        return;
    EVP_PKEY_CTX *c = oaep_ctx(k, 0);
    unsigned char *pt = malloc(clen + 1);
    plen = clen;
    int ok = c != NULL && EVP_PKEY_decrypt(c, pt, &plen, ct, clen) > 0;
    EVP_PKEY_CTX_free(c);
    if (ok)
        resp_json(resp, 200, plain_json(k, pt, plen));
    else
        kms_error(resp, 400, "KMS.0311", "RSA decryption failed.");
    free(ct);
    free(pt);
}

static unsigned char *plain_param(json_t *body, size_t *len,
                                  struct emu_resp *resp)
{
    if (json_object_get(body, "plain_text_base64") != NULL)
        return b64_param(body, "plain_text_base64", len, resp);
    const char *s = json_string_value(json_object_get(body, "plain_text"));
    if (s == NULL) {
        kms_error(resp, 400, "KMS.0204", "Missing parameter: plain_text.");
        return NULL;
    }
    *len = strlen(s);
    return (unsigned char *)emu_strdup(s);
}

void kms_encrypt(json_t *body, struct emu_resp *resp)
{
    size_t plen, clen = 0;
    const struct kms_key *k = crypt_setup(body, resp);
    unsigned char *pt = k != NULL ? plain_param(body, &plen, resp) : NULL;
    if (pt == NULL)
        return;
    size_t max = (size_t)EVP_PKEY_get_size(k->pkey) - 2 * 32 - 2;
    EVP_PKEY_CTX *c = plen <= max ? oaep_ctx(k, 1) : NULL;
    unsigned char *ct = malloc((size_t)EVP_PKEY_get_size(k->pkey));
    clen = (size_t)EVP_PKEY_get_size(k->pkey);
    int ok = c != NULL && EVP_PKEY_encrypt(c, ct, &clen, pt, plen) > 0;
    EVP_PKEY_CTX_free(c);
    if (ok) {
        char *b64 = emu_b64_encode(ct, clen);
        resp_json(resp, 200,
                  json_pack("{s:s,s:s}", "key_id", k->id, "cipher_text", b64));
        free(b64);
    } else {
        kms_error(resp, 400, "KMS.2108", "The plaintext is too long.");
    }
    free(ct);
    free(pt);
}
