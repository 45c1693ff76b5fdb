/*
 * keys.c: public keys (SPKI or PKCS#1, as KMS returns them) and private
 * keys (PKCS#1, SEC1, PKCS#8), from PEM text or DER, to SPKI / PKCS#8 DER
 * (certificates: certs.c). Trial decodes run under an error mark so that
 * only our own message is left on the queue when they fail.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "formats/decodectx.h"
#include "formats/keys.h"
#include "formats/objs.h"
#include "formats/pem.h"
#include "formats/der.h"
#include "core/hwc.h"

#define PROC_TYPE "Proc-Type:"

/* A block that pem.c handed over undecoded because of RFC 1421 headers. */
static int block_has_headers(const hwc_pem_block *b)
{
    size_t i = 0;

    while (i < b->der_len &&
           ((b->der[i] >= 'A' && b->der[i] <= 'Z') ||
            (b->der[i] >= 'a' && b->der[i] <= 'z') ||
            (b->der[i] >= '0' && b->der[i] <= '9') || b->der[i] == '-')) {
        i++;
    }
    return i > 0 && i < b->der_len && b->der[i] == ':';
}

static int block_encrypted(const hwc_pem_block *b)
{
    return block_has_headers(b) && b->der_len >= strlen(PROC_TYPE) &&
           memcmp(b->der, PROC_TYPE, strlen(PROC_TYPE)) == 0;
}

/* "RSA", "EC", "RSA-PSS", "ED25519", ... for hwc_obj.data_type. */
static void key_type_name(const EVP_PKEY *pk, char *buf, size_t buflen)
{
    static const char *const known[] = {
        "RSA", "RSA-PSS", "EC",   "ED25519", "ED448", "DSA",
        "SM2", "X25519",  "X448", "DHX",     "DH",
    };
    const char *name = NULL;

    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++) {
        if (EVP_PKEY_is_a(pk, known[i])) {
            name = known[i];
            break;
        }
    }
    if (name == NULL) {
        name = EVP_PKEY_get0_type_name(pk);
    }
    snprintf(buf, buflen, "%s", name != NULL ? name : "UNKNOWN");
    for (char *p = buf; *p != '\0'; p++) {
        if (*p >= 'a' && *p <= 'z') {
            *p = (char)(*p - 'a' + 'A');
        }
    }
}

/*------------------------------------------------------------ public keys */

/* SPKI first, then PKCS#1 RSAPublicKey; the DER must be used up exactly. */
static EVP_PKEY *pub_from_der(const unsigned char *der, size_t len)
{
    const unsigned char *p;
    EVP_PKEY *pk;

    if (der == NULL || len == 0 || len > LONG_MAX) {
        return NULL;
    }
    ERR_set_mark();
    p = der;
    pk = d2i_PUBKEY_ex(NULL, &p, (long)len, hwc_decode_libctx(), NULL);
    if (pk != NULL && p != der + len) {
        EVP_PKEY_free(pk);
        pk = NULL;
    }
    if (pk == NULL) {
        p = der;
        pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
        if (pk != NULL && p != der + len) {
            EVP_PKEY_free(pk);
            pk = NULL;
        }
    }
    ERR_pop_to_mark();
    return pk;
}

static int emit_pub(const EVP_PKEY *pk, hwc_objs *out)
{
    unsigned char *der = NULL;
    char type[16];
    int len, ok;

    ERR_set_mark();
    len = i2d_PUBKEY(pk, &der);
    ERR_pop_to_mark();
    if (len <= 0) {
        hwc_raise(HWC_R_DECODE,
                  "public key cannot be encoded as SubjectPublicKeyInfo");
        return 0;
    }
    key_type_name(pk, type, sizeof(type));
    ok = hwc_objs_add(out, HWC_OBJ_PUBKEY, type, der, (size_t)len, NULL);
    OPENSSL_free(der);
    return ok;
}

static int only_base64(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
              (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=' ||
              c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
            return 0;
        }
    }
    return 1;
}

int hwc_decode_public_key(const char *text, size_t len, hwc_objs *out)
{
    hwc_pem_block *blocks = NULL;
    EVP_PKEY *pk = NULL;
    int n, ok;

    if (out == NULL) {
        hwc_raise(HWC_R_INTERNAL, "public key: no output list");
        return 0;
    }
    if (text == NULL || len == 0) {
        hwc_raise(HWC_R_DECODE, "public key: empty");
        return 0;
    }
    if (hwc_pem_has_begin(text, len)) {
        if ((n = hwc_pem_split(text, len, &blocks)) < 0) {
            return 0;
        }
        for (int i = 0; i < n && pk == NULL; i++) {
            pk = pub_from_der(blocks[i].der, blocks[i].der_len);
        }
        if (pk == NULL) {
            hwc_raise(HWC_R_DECODE,
                      "public key: PEM block 1 (%s) is neither a "
                      "SubjectPublicKeyInfo nor a PKCS#1 RSAPublicKey",
                      n > 0 ? blocks[0].label : "");
        }
        hwc_pem_blocks_free(blocks, n);
    } else {
        pk = pub_from_der((const unsigned char *)text, len);
        if (pk == NULL && only_base64(text, len)) {
            size_t dlen = 0;
            unsigned char *der = hwc_base64_decode(text, len, &dlen);

            if (der != NULL) {
                pk = pub_from_der(der, dlen);
                OPENSSL_free(der);
            }
        }
        if (pk == NULL) {
            hwc_raise(HWC_R_DECODE,
                      "public key: not PEM, and not a DER (or base64) "
                      "SubjectPublicKeyInfo or PKCS#1 RSAPublicKey");
        }
    }
    if (pk == NULL) {
        return 0;
    }
    ok = emit_pub(pk, out);
    EVP_PKEY_free(pk);
    return ok;
}

/*----------------------------------------------------------- private keys */

/*
 * A SEC1 ECPrivateKey without its [0] parameters, given the ECParameters of
 * a preceding "EC PARAMETERS" block: the same key with [0] inserted after
 * the privateKey OCTET STRING. NULL when the key already has [0] or is not
 * shaped like ECPrivateKey. The result holds key bytes: clear_free it.
 */
static unsigned char *sec1_add_params(const unsigned char *key, size_t klen,
                                      const unsigned char *par, size_t plen,
                                      size_t *outlen)
{
    hwc_der in = {key, klen}, c, ver, priv;
    size_t head, rest, inner, total, w;
    unsigned char *o;

    if (!hwc_der_take(&in, 0x30, &c, NULL) || in.n != 0 || plen == 0 ||
        plen > 0xffff || c.n > 0xffff) {
        return NULL;
    }
    head = c.n;
    if (!hwc_der_take(&c, 0x02, NULL, &ver) ||
        !hwc_der_take(&c, 0x04, NULL, &priv) || hwc_der_peek(&c, 0xa0)) {
        return NULL;
    }
    rest = c.n;
    head -= rest; /* version and privateKey */
    inner = head + hwc_der_put_tl(NULL, 0xa0, plen) + plen + rest;
    total = hwc_der_put_tl(NULL, 0x30, inner) + inner;
    if ((o = OPENSSL_malloc(total)) == NULL) {
        return NULL;
    }
    w = hwc_der_put_tl(o, 0x30, inner);
    memcpy(o + w, ver.p, head);
    w += head;
    w += hwc_der_put_tl(o + w, 0xa0, plen);
    memcpy(o + w, par, plen);
    w += plen;
    memcpy(o + w, c.p, rest);
    *outlen = w + rest;
    return o;
}

/* structure/keytype NULL: any; the DER must be used up exactly. Decoded
 * in hwc_decode_libctx(): with no structure given, every DER decoder of
 * the context is tried, and in the application's that includes ours. */
static EVP_PKEY *priv_from_der(const unsigned char *der, size_t len,
                               const char *structure, const char *keytype)
{
    OSSL_LIB_CTX *lc = hwc_decode_libctx();
    OSSL_DECODER_CTX *dctx;
    EVP_PKEY *pk = NULL;
    const unsigned char *p = der;
    size_t left = len;

    if (der == NULL || len == 0 || len > LONG_MAX || lc == NULL) {
        return NULL;
    }
    ERR_set_mark();
    dctx = OSSL_DECODER_CTX_new_for_pkey(&pk, "DER", structure, keytype,
                                         EVP_PKEY_PRIVATE_KEY, lc, NULL);
    if (dctx == NULL || !OSSL_DECODER_from_data(dctx, &p, &left) || left != 0 ||
        pk == NULL) {
        EVP_PKEY_free(pk);
        pk = NULL;
    }
    OSSL_DECODER_CTX_free(dctx);
    ERR_pop_to_mark();
    return pk;
}

static int emit_priv(EVP_PKEY *pk, hwc_objs *out)
{
    PKCS8_PRIV_KEY_INFO *p8;
    unsigned char *der = NULL;
    char type[16];
    int len = 0, ok;

    ERR_set_mark();
    p8 = EVP_PKEY2PKCS8(pk);
    if (p8 != NULL) {
        len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
    }
    PKCS8_PRIV_KEY_INFO_free(p8);
    ERR_pop_to_mark();
    if (len <= 0) {
        hwc_raise(HWC_R_DECODE,
                  "private key cannot be encoded as PKCS#8 PrivateKeyInfo");
        return 0;
    }
    key_type_name(pk, type, sizeof(type));
    ok = hwc_objs_add(out, HWC_OBJ_PRIVKEY, type, der, (size_t)len, NULL);
    OPENSSL_clear_free(der, (size_t)len);
    return ok;
}

struct key_label {
    const char *label;
    const char *structure; /* OSSL_DECODER input structure */
    const char *keytype;
    const char *what;       /* for messages */
    enum hwc_key_form form; /* for hwc_key_view_parse; 0: not taken there */
};

static const struct key_label key_labels[] = {
    {"RSA PRIVATE KEY", "type-specific", "RSA", "PKCS#1 RSAPrivateKey",
     HWC_KEY_PKCS1},
    {"EC PRIVATE KEY", "type-specific", "EC", "SEC1 ECPrivateKey",
     HWC_KEY_SEC1},
    {"DSA PRIVATE KEY", "type-specific", "DSA", "DSA private key", 0},
    {"PRIVATE KEY", "PrivateKeyInfo", NULL, "PKCS#8 PrivateKeyInfo",
     HWC_KEY_PKCS8},
};

static const struct key_label *find_key_label(const char *label)
{
    for (size_t i = 0; i < HWC_NELEM(key_labels); i++) {
        if (strcmp(label, key_labels[i].label) == 0) {
            return &key_labels[i];
        }
    }
    return NULL;
}

/*
 * The one private-key block among blocks (*key) and the first EC
 * PARAMETERS block (*params, or -1). 0 with an error raised for an
 * encrypted key, a second key or none.
 */
static int find_key_block(const hwc_pem_block *blocks, int n, int *key,
                          int *params)
{
    *key = *params = -1;
    for (int i = 0; i < n; i++) {
        const char *label = blocks[i].label;

        if (strcmp(label, "ENCRYPTED PRIVATE KEY") == 0) {
            hwc_raise(HWC_R_UNSUPPORTED,
                      "PEM block %d: encrypted PKCS#8 private keys (ENCRYPTED "
                      "PRIVATE KEY) are not supported; export the key "
                      "unencrypted",
                      i + 1);
            return 0;
        }
        if (strcmp(label, "EC PARAMETERS") == 0 && *params < 0) {
            *params = i;
            continue;
        }
        if (find_key_label(label) == NULL) {
            continue; /* certificates and the like next to the key */
        }
        if (block_encrypted(&blocks[i])) {
            hwc_raise(HWC_R_UNSUPPORTED,
                      "PEM block %d (%s): encrypted PEM private keys "
                      "(Proc-Type: 4,ENCRYPTED) are not supported; export "
                      "the key unencrypted",
                      i + 1, label);
            return 0;
        }
        if (block_has_headers(&blocks[i])) {
            hwc_raise(HWC_R_DECODE, "PEM block %d (%s): unexpected PEM headers",
                      i + 1, label);
            return 0;
        }
        if (*key >= 0) {
            hwc_raise(HWC_R_DECODE,
                      "more than one private key (PEM blocks %d and %d)",
                      *key + 1, i + 1);
            return 0;
        }
        *key = i;
    }
    if (*key < 0) {
        hwc_raise(HWC_R_DECODE,
                  "no private key PEM block (RSA PRIVATE KEY, EC PRIVATE KEY "
                  "or PRIVATE KEY) among %d block%s",
                  n, n == 1 ? "" : "s");
        return 0;
    }
    return 1;
}

/* A SEC1 key without its curve, given one by an EC PARAMETERS block. */
static EVP_PKEY *sec1_with_params(const hwc_pem_block *key,
                                  const hwc_pem_block *params,
                                  const struct key_label *kl)
{
    size_t flen = 0;
    unsigned char *full = sec1_add_params(key->der, key->der_len, params->der,
                                          params->der_len, &flen);
    EVP_PKEY *pk = NULL;

    if (full != NULL) {
        pk = priv_from_der(full, flen, kl->structure, kl->keytype);
        OPENSSL_clear_free(full, flen);
    }
    return pk;
}

static EVP_PKEY *priv_from_pem(const char *text, size_t len)
{
    hwc_pem_block *blocks = NULL;
    const struct key_label *kl;
    EVP_PKEY *pk = NULL;
    int n, key, params;

    if ((n = hwc_pem_split(text, len, &blocks)) < 0) {
        return NULL;
    }
    if (!find_key_block(blocks, n, &key, &params)) {
        hwc_pem_blocks_free(blocks, n);
        return NULL;
    }
    kl = find_key_label(blocks[key].label);
    pk = priv_from_der(blocks[key].der, blocks[key].der_len, kl->structure,
                       kl->keytype);
    if (pk == NULL && params >= 0 &&
        strcmp(kl->keytype ? kl->keytype : "", "EC") == 0) {
        pk = sec1_with_params(&blocks[key], &blocks[params], kl);
    }
    if (pk == NULL) {
        hwc_raise(HWC_R_DECODE, "PEM block %d (%s): not a valid %s", key + 1,
                  blocks[key].label, kl->what);
    }
    hwc_pem_blocks_free(blocks, n);
    return pk;
}

int hwc_decode_private_key(const char *text, size_t len, hwc_objs *out)
{
    return hwc_decode_private_key_ex(text, len, out, NULL);
}

int hwc_decode_private_key_ex(const char *text, size_t len, hwc_objs *out,
                              EVP_PKEY **pkey)
{
    EVP_PKEY *pk;
    int ok;

    if (out == NULL) {
        hwc_raise(HWC_R_INTERNAL, "private key: no output list");
        return 0;
    }
    if (text == NULL || len == 0) {
        hwc_raise(HWC_R_DECODE, "private key: empty");
        return 0;
    }
    if (hwc_pem_has_begin(text, len)) {
        pk = priv_from_pem(text, len);
    } else {
        pk = priv_from_der((const unsigned char *)text, len, NULL, NULL);
        if (pk == NULL) {
            hwc_raise(HWC_R_DECODE,
                      "private key: neither PEM nor a DER private key");
        }
    }
    if (pk == NULL) {
        return 0;
    }
    ok = emit_priv(pk, out);
    if (ok && pkey != NULL) {
        *pkey = pk; /* the caller matches it: no second decode */
        return ok;
    }
    EVP_PKEY_free(pk);
    return ok;
}

/* The one key block of blocks[0..n), or -1 when there is none, more than
 * one, or anything that needs the careful path (encryption, headers, EC
 * PARAMETERS). */
static int lone_key_block(const hwc_pem_block *blocks, int n,
                          enum hwc_key_form *form)
{
    int key = -1;

    for (int i = 0; i < n; i++) {
        const struct key_label *l = find_key_label(blocks[i].label);

        if (l == NULL && strstr(blocks[i].label, "PRIVATE KEY") == NULL &&
            strcmp(blocks[i].label, "EC PARAMETERS") != 0) {
            continue; /* certificates next to the key */
        }
        if (l == NULL || l->form == 0 || key >= 0 ||
            block_has_headers(&blocks[i])) {
            return -1;
        }
        key = i;
        *form = l->form;
    }
    return key;
}

int hwc_ec_point_ok(int nid, const unsigned char *pt, size_t len)
{
    EC_GROUP *g;
    EC_POINT *p = NULL;
    int ok;

    ERR_set_mark();
    g = EC_GROUP_new_by_curve_name_ex(NULL, NULL, nid);
    ok = g != NULL && (p = EC_POINT_new(g)) != NULL &&
         EC_POINT_oct2point(g, p, pt, len, NULL) == 1 &&
         EC_POINT_is_on_curve(g, p, NULL) == 1;
    ERR_pop_to_mark();
    EC_POINT_free(p);
    EC_GROUP_free(g);
    return ok;
}

/* An EC key's public point must be on its curve, or libcrypto refuses the
 * key when the store hands it over (RSA keys it takes as they are). */
static int point_on_curve(const hwc_key_view *v)
{
    return !v->ec || hwc_ec_point_ok(v->curve_nid, v->point.p, v->point.n);
}

int hwc_decode_private_key_view(const char *text, size_t len, hwc_objs *out,
                                struct hwc_key_view *view)
{
    hwc_pem_block *blocks = NULL;
    hwc_objs tmp = {0};
    enum hwc_key_form form = HWC_KEY_PKCS8;
    unsigned char *p8 = NULL;
    size_t p8len = 0;
    int n, key, ok = 0;

    if (text == NULL || out == NULL || !hwc_pem_has_begin(text, len)) {
        return 0;
    }
    ERR_set_mark();
    n = hwc_pem_split(text, len, &blocks);
    /* The view ends up pointing into the entry (entries keep their bytes
     * when moved), not into blocks, which are wiped below. */
    ok = n > 0 && (key = lone_key_block(blocks, n, &form)) >= 0 &&
         hwc_key_view_parse(blocks[key].der, blocks[key].der_len, form, view) &&
         point_on_curve(view) &&
         (p8 = hwc_key_view_pkcs8(view, &p8len)) != NULL &&
         hwc_objs_add(&tmp, HWC_OBJ_PRIVKEY, view->ec ? "EC" : "RSA", p8, p8len,
                      NULL) &&
         hwc_key_view_parse(tmp.v[0].der, tmp.v[0].der_len, HWC_KEY_PKCS8,
                            view) &&
         hwc_objs_move(out, &tmp);
    ERR_pop_to_mark();
    if (p8 != NULL) {
        OPENSSL_clear_free(p8, p8len);
    }
    hwc_objs_free(&tmp);
    hwc_pem_blocks_free(blocks, n);
    return ok;
}
