/*
 * pkcs12.c: reads every key and certificate of a PKCS#12 keystore.
 * PKCS12_parse returns only the first key, so this walks the SafeBags
 * itself: MAC first (a wrong password appends nothing), then every
 * authenticated safe, plain or encrypted, and every bag in it. Keys come
 * out in file order, each followed by its chain (leaf matched by
 * localKeyID or public key, issuers by name and key identifiers), then the
 * certificates no chain used and keytool's trusted-certificate entries.
 *
 * Old stores (`openssl pkcs12 -legacy`, keytool before 11.0.12) encrypt
 * with RC2-40 or 3DES; when the caller's library context cannot fetch the
 * cipher, the bag is decrypted again in a private context with the legacy
 * provider loaded.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "formats/decodectx.h"
#include "formats/kdfcap.h"
#include "formats/keystore_file.h"
#include "formats/objs.h"
#include "core/hwc.h"
#include "formats/pkcs12.h"

/* keytool marks trusted-certificate entries with this bag attribute. */
#define OID_JAVA_TRUSTED "2.16.840.1.113894.746875.1.1"
#define P12_MAX_NESTING 4

/*------------------------------------------------------- legacy ctx */

/*
 * OpenSSL 3.0 leaks the legacy provider's child context when a library
 * context is freed with providers still loaded, so unload them first.
 */
static void p12_legacy_free(p12_ctx *c)
{
    for (int i = 1; i >= 0; i--) {
        if (c->prov[i] != NULL) {
            OSSL_PROVIDER_unload(c->prov[i]);
            c->prov[i] = NULL;
        }
    }
    OSSL_LIB_CTX_free(c->legacy);
    c->legacy = NULL;
}

/* Loads legacy + default into c->legacy; 0 (and nothing kept) if not. */
static int p12_legacy_load(p12_ctx *c, const char *search_path)
{
    if ((c->legacy = OSSL_LIB_CTX_new()) == NULL ||
        (search_path != NULL &&
         !OSSL_PROVIDER_set_default_search_path(c->legacy, search_path)) ||
        (c->prov[0] = OSSL_PROVIDER_load(c->legacy, "legacy")) == NULL ||
        (c->prov[1] = OSSL_PROVIDER_load(c->legacy, "default")) == NULL) {
        p12_legacy_free(c);
        return 0;
    }
    return 1;
}

/* Where to look when OPENSSL_MODULES does not hold the legacy provider;
 * NULL: libcrypto's own modules directory. */
static const char *legacy_fallback_dir;

void hwc_pkcs12_set_legacy_fallback(const char *dir)
{
    legacy_fallback_dir = dir;
}

static OSSL_LIB_CTX *p12_legacy_ctx(p12_ctx *c)
{
    const char *fallback = legacy_fallback_dir
                               ? legacy_fallback_dir
                               : OPENSSL_info(OPENSSL_INFO_MODULES_DIR);

    if (c->legacy == NULL && !c->legacy_missing) {
        /* OPENSSL_MODULES (as set for an uninstalled module) may not hold
         * OpenSSL's own providers: fall back to libcrypto's directory. */
        ERR_set_mark();
        c->legacy_missing =
            !p12_legacy_load(c, NULL) && !p12_legacy_load(c, fallback);
        ERR_pop_to_mark();
    }
    return c->legacy;
}

/* The cipher behind a PKCS#12 or PBES2 algorithm identifier. */
static int p12_cipher_nid(const X509_ALGOR *alg)
{
    const ASN1_OBJECT *oid;
    const void *pval;
    const unsigned char *p;
    int ptype, cnid = NID_undef, mdnid;
    PBE2PARAM *p2;

    X509_ALGOR_get0(&oid, &ptype, &pval, alg);
    if (OBJ_obj2nid(oid) != NID_pbes2) {
        if (!EVP_PBE_find(EVP_PBE_TYPE_OUTER, OBJ_obj2nid(oid), &cnid, &mdnid,
                          NULL)) {
            return NID_undef;
        }
        return cnid;
    }
    if (ptype != V_ASN1_SEQUENCE) {
        return NID_undef;
    }
    p = ASN1_STRING_get0_data(pval);
    p2 = d2i_PBE2PARAM(NULL, &p, ASN1_STRING_length(pval));
    if (p2 != NULL) {
        cnid = OBJ_obj2nid(p2->encryption->algorithm);
    }
    PBE2PARAM_free(p2);
    return cnid;
}

/*
 * True when a failed decryption is an unsupported-algorithm failure, i.e.
 * the caller's context cannot fetch the cipher (RC2 and friends live in
 * the legacy provider). Asking directly is more reliable than picking the
 * reason out of the error queue.
 */
static int p12_cipher_unsupported(p12_ctx *c, const X509_ALGOR *alg)
{
    int nid = p12_cipher_nid(alg);
    EVP_CIPHER *ci;

    if (nid == NID_undef) {
        return 0;
    }
    ERR_set_mark();
    ci = EVP_CIPHER_fetch(c->libctx, OBJ_nid2sn(nid), NULL);
    ERR_pop_to_mark();
    EVP_CIPHER_free(ci);
    return ci == NULL;
}

/*---------------------------------------------------- decryption */

typedef void *(*p12_decrypt_fn)(const p12_ctx *c, const void *arg,
                                OSSL_LIB_CTX *lib);

static void *dec_safe(const p12_ctx *c, const void *arg, OSSL_LIB_CTX *lib)
{
    const PKCS7 *p7 = arg;
    const PKCS7_ENC_CONTENT *ec;

    if (p7->d.encrypted == NULL || (ec = p7->d.encrypted->enc_data) == NULL ||
        ec->enc_data == NULL) {
        return NULL;
    }
    return PKCS12_item_decrypt_d2i_ex(ec->algorithm,
                                      ASN1_ITEM_rptr(PKCS12_SAFEBAGS), c->pass,
                                      c->passlen, ec->enc_data, 1, lib, NULL);
}

static void *dec_key(const p12_ctx *c, const void *arg, OSSL_LIB_CTX *lib)
{
    return PKCS8_decrypt_ex(arg, c->pass, c->passlen, lib, NULL);
}

/*
 * Decrypts in the caller's context, then, for an algorithm only the legacy
 * provider has, in the private one. *legacy is set when that is needed but
 * the provider cannot be loaded. The error queue is left as it was.
 */
static void *p12_decrypt(p12_ctx *c, p12_decrypt_fn fn, const void *arg,
                         const X509_ALGOR *alg, int *legacy)
{
    void *r;
    OSSL_LIB_CTX *lctx;

    ERR_set_mark();
    r = fn(c, arg, c->libctx);
    if (r == NULL && p12_cipher_unsupported(c, alg)) {
        if ((lctx = p12_legacy_ctx(c)) != NULL) {
            r = fn(c, arg, lctx);
        } else {
            *legacy = 1;
        }
    }
    ERR_pop_to_mark();
    return r;
}

/*---------------------------------------------------- collecting */

static p12_item *p12_new_item(p12_ctx *c, const PKCS12_SAFEBAG *bag)
{
    const ASN1_TYPE *id = PKCS12_SAFEBAG_get0_attr(bag, NID_localKeyID);
    const STACK_OF(X509_ATTRIBUTE) *attrs = PKCS12_SAFEBAG_get0_attrs(bag);
    ASN1_OBJECT *trusted = OBJ_txt2obj(OID_JAVA_TRUSTED, 1);
    p12_item *it;

    if (c->n == c->cap) {
        size_t ncap = c->cap ? c->cap * 2 : 8;
        p12_item *nv = OPENSSL_realloc(c->items, ncap * sizeof(*nv));

        if (nv == NULL) {
            ASN1_OBJECT_free(trusted);
            hwc_raise(HWC_R_MALLOC, "PKCS#12 bag list");
            return NULL;
        }
        c->items = nv;
        c->cap = ncap;
    }
    it = &c->items[c->n++];
    memset(it, 0, sizeof(*it));
    it->name = PKCS12_get_friendlyname((PKCS12_SAFEBAG *)bag);
    if (id != NULL && id->type == V_ASN1_OCTET_STRING &&
        ASN1_STRING_length(id->value.octet_string) > 0) {
        it->keyidlen = ASN1_STRING_length(id->value.octet_string);
        it->keyid =
            OPENSSL_memdup(ASN1_STRING_get0_data(id->value.octet_string),
                           (size_t)it->keyidlen);
    }
    it->trusted = trusted != NULL && attrs != NULL &&
                  X509at_get_attr_by_OBJ(attrs, trusted, -1) >= 0;
    ASN1_OBJECT_free(trusted);
    return it;
}

static void p12_item_free(p12_item *it)
{
    if (it->is_key) {
        OPENSSL_clear_free(it->der, it->len);
    } else {
        OPENSSL_free(it->der);
    }
    OPENSSL_free(it->name);
    OPENSSL_free(it->keyid);
    X509_free(it->x);
    EVP_PKEY_free(it->pk);
}

static int p12_add_key(p12_ctx *c, const PKCS12_SAFEBAG *bag,
                       const PKCS8_PRIV_KEY_INFO *p8)
{
    p12_item *it = p12_new_item(c, bag);
    const char *tname;
    int len;

    if (it == NULL) {
        return 0;
    }
    it->is_key = 1;
    /* A key that fails is noted, not raised: drop libcrypto's errors. */
    ERR_set_mark();
    if (p8 == NULL ||
        (it->pk = EVP_PKCS82PKEY_ex(p8, hwc_decode_libctx(), NULL)) == NULL ||
        (tname = EVP_PKEY_get0_type_name(it->pk)) == NULL ||
        (len = i2d_PKCS8_PRIV_KEY_INFO(p8, &it->der)) <= 0) {
        ERR_pop_to_mark();
        it->failed = 1;
        return 1;
    }
    ERR_pop_to_mark();
    it->len = (size_t)len;
    OPENSSL_strlcpy(it->type, tname, sizeof(it->type));
    return 1;
}

static int p12_add_shrouded(p12_ctx *c, const PKCS12_SAFEBAG *bag, int *legacy)
{
    const X509_SIG *sig = PKCS12_SAFEBAG_get0_pkcs8(bag);
    const X509_ALGOR *alg;
    PKCS8_PRIV_KEY_INFO *p8;
    int ok;

    X509_SIG_get0(sig, &alg, NULL);
    if (!hwc_kdf_check(alg, &c->kdf, "PKCS#12 shrouded key bag")) {
        return 0;
    }
    p8 = p12_decrypt(c, dec_key, sig, alg, legacy);
    ok = p12_add_key(c, bag, p8);
    if (p8 == NULL) {
        c->pass_failures++;
    }
    PKCS8_PRIV_KEY_INFO_free(p8);
    return ok;
}

static int p12_add_cert(p12_ctx *c, const PKCS12_SAFEBAG *bag)
{
    X509 *x;
    p12_item *it;
    int len;

    ERR_set_mark();
    x = PKCS12_SAFEBAG_get1_cert(bag);
    ERR_pop_to_mark();
    if (x == NULL) {
        return hwc_objs_note_failure(c->out, NULL,
                                     "unreadable certificate bag skipped");
    }
    if ((it = p12_new_item(c, bag)) == NULL) {
        X509_free(x);
        return 0;
    }
    it->x = x;
    if ((len = i2d_X509(x, &it->der)) <= 0) {
        hwc_raise(HWC_R_MALLOC, "PKCS#12 certificate");
        return 0;
    }
    it->len = (size_t)len;
    return 1;
}

static int p12_bags(p12_ctx *c, const STACK_OF(PKCS12_SAFEBAG) * bags,
                    int depth, int *legacy);

static int p12_bag(p12_ctx *c, const PKCS12_SAFEBAG *bag, int depth,
                   int *legacy)
{
    char *name;
    int ok;

    switch (PKCS12_SAFEBAG_get_nid(bag)) {
    case NID_keyBag:
        return p12_add_key(c, bag, PKCS12_SAFEBAG_get0_p8inf(bag));
    case NID_pkcs8ShroudedKeyBag:
        return p12_add_shrouded(c, bag, legacy);
    case NID_certBag:
        if (PKCS12_SAFEBAG_get_bag_nid(bag) != NID_x509Certificate) {
            return 1; /* SDSI certificates: nobody uses them */
        }
        return p12_add_cert(c, bag);
    case NID_safeContentsBag:
        if (depth >= P12_MAX_NESTING) {
            return hwc_objs_note_failure(c->out, NULL,
                                         "SafeContents nested too deep");
        }
        return p12_bags(c, PKCS12_SAFEBAG_get0_safes(bag), depth + 1, legacy);
    case NID_secretBag:
        name = PKCS12_get_friendlyname((PKCS12_SAFEBAG *)bag);
        ok = hwc_objs_note_failure(c->out, name,
                                   "secret-key entry skipped (not supported)");
        OPENSSL_free(name);
        return ok;
    default: /* CRL bags and unknown ones carry nothing we return */
        return 1;
    }
}

static int p12_bags(p12_ctx *c, const STACK_OF(PKCS12_SAFEBAG) * bags,
                    int depth, int *legacy)
{
    for (int i = 0; i < sk_PKCS12_SAFEBAG_num(bags); i++) {
        if (!p12_bag(c, sk_PKCS12_SAFEBAG_value(bags, i), depth, legacy)) {
            return 0;
        }
    }
    return 1;
}

/* One authenticated safe: plain data or password-encrypted data. */
static int p12_safe(p12_ctx *c, PKCS7 *p7, int *legacy)
{
    STACK_OF(PKCS12_SAFEBAG) *bags = NULL;
    int nid = OBJ_obj2nid(p7->type), ok;

    if (nid == NID_pkcs7_data) {
        ERR_set_mark();
        bags = PKCS12_unpack_p7data(p7);
        ERR_pop_to_mark();
    } else if (nid == NID_pkcs7_encrypted && p7->d.encrypted != NULL &&
               p7->d.encrypted->enc_data != NULL) {
        if (!hwc_kdf_check(p7->d.encrypted->enc_data->algorithm, &c->kdf,
                           "PKCS#12 encrypted safe")) {
            return 0;
        }
        bags = p12_decrypt(c, dec_safe, p7,
                           p7->d.encrypted->enc_data->algorithm, legacy);
        if (bags == NULL && !c->mac_checked) {
            c->pass_failures++;
        }
    } else {
        return hwc_objs_note_failure(c->out, NULL,
                                     "public-key encrypted safe skipped");
    }
    if (bags == NULL) {
        return *legacy ||
               hwc_objs_note_failure(c->out, NULL,
                                     "undecryptable PKCS#12 safe skipped");
    }
    ok = p12_bags(c, bags, 0, legacy);
    sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
    return ok;
}

/*---------------------------------------------------- public */

/*
 * Verifies the MAC. As PKCS12_parse does, an empty password is tried both
 * as "" and as absent, and the one that matches is kept for decryption.
 */
static int p12_check_mac(p12_ctx *c, PKCS12 *p12)
{
    unsigned long before;
    int ok, broken;

    if (!PKCS12_mac_present(p12)) {
        return 1;
    }
    /* An empty password is tried twice (below): both runs count. */
    if (!hwc_kdf_check_mac(p12, c->passlen == 0 ? 2 : 1, &c->kdf)) {
        return 0;
    }
    /* A mismatch raises nothing; an error means the MAC was not computed
     * (an algorithm this OpenSSL lacks), which is not a wrong password. */
    before = ERR_peek_last_error();
    ERR_set_mark();
    ok = PKCS12_verify_mac(p12, c->pass, c->passlen);
    if (!ok && c->passlen == 0) {
        ok = PKCS12_verify_mac(p12, NULL, 0);
        c->pass = ok ? NULL : c->pass;
    }
    broken = !ok && ERR_peek_last_error() != before;
    ERR_pop_to_mark();
    if (broken) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "PKCS#12: cannot compute the MAC (unsupported algorithm?)");
        return 0;
    }
    if (!ok) {
        hwc_raise(HWC_R_BAD_PASSWORD,
                  "PKCS#12: wrong password or tampered keystore (MAC check "
                  "failed)");
        return 0;
    }
    c->mac_checked = 1;
    return 1;
}

static int p12_walk(p12_ctx *c, PKCS12 *p12, int *legacy)
{
    STACK_OF(PKCS7) *safes = PKCS12_unpack_authsafes(p12);
    int ok = safes != NULL;

    if (!ok) {
        hwc_raise(HWC_R_DECODE, "PKCS#12: malformed authenticated safe");
    }
    for (int i = 0; ok && i < sk_PKCS7_num(safes); i++) {
        ok = p12_safe(c, sk_PKCS7_value(safes, i), legacy);
    }
    sk_PKCS7_pop_free(safes, PKCS7_free);
    if (ok && *legacy) {
        hwc_raise(HWC_R_LEGACY_NEEDED,
                  "PKCS#12 keystore uses legacy algorithms (RC2/3DES): "
                  "OpenSSL's legacy provider is needed but cannot be loaded");
        ok = 0;
    }
    return ok;
}

/* Nothing came out: say why as one error. */
static void p12_raise_empty(const p12_ctx *c, const hwc_objs *tmp)
{
    if (c->pass_failures > 0) {
        hwc_raise(HWC_R_BAD_PASSWORD,
                  "PKCS#12: wrong password (nothing could be decrypted)%s%s",
                  tmp->failed ? ": " : "", tmp->failed ? tmp->failed : "");
    } else {
        hwc_raise(HWC_R_DECODE,
                  "PKCS#12 keystore holds no usable key or certificate%s%s",
                  tmp->failed ? ": " : "", tmp->failed ? tmp->failed : "");
    }
}

static int p12_decode(p12_ctx *c, PKCS12 *p12, hwc_objs *out)
{
    hwc_objs tmp = {0};
    int legacy = 0, ok = 0;

    c->out = &tmp;
    if (p12_check_mac(c, p12) && p12_walk(c, p12, &legacy) && hwc_p12_emit(c)) {
        if (tmp.n == 0) {
            p12_raise_empty(c, &tmp);
        } else {
            ok = hwc_objs_move(out, &tmp);
        }
    }
    hwc_objs_free(&tmp);
    return ok;
}

int hwc_pkcs12_parse(const unsigned char *data, size_t len, const char *pass,
                     size_t passlen, OSSL_LIB_CTX *libctx, hwc_objs *out)
{
    const unsigned char *p = data;
    PKCS12 *p12;
    p12_ctx c;
    int ok;

    if (data == NULL || out == NULL || len > INT32_MAX || passlen > INT32_MAX) {
        hwc_raise(HWC_R_DECODE, "not a PKCS#12 keystore");
        return 0;
    }
    ERR_set_mark();
    p12 = d2i_PKCS12(NULL, &p, (long)len);
    ERR_pop_to_mark();
    if (p12 == NULL || p != data + len) {
        PKCS12_free(p12);
        hwc_raise(HWC_R_DECODE, "malformed or truncated PKCS#12 data");
        return 0;
    }
    memset(&c, 0, sizeof(c));
    c.kdf.left = HWC_KDF_MAX_TOTAL;
    c.pass = pass != NULL ? pass : "";
    c.passlen = pass != NULL ? (int)passlen : 0;
    c.libctx = libctx;
    ok = p12_decode(&c, p12, out);
    for (size_t i = 0; i < c.n; i++) {
        p12_item_free(&c.items[i]);
    }
    OPENSSL_free(c.items);
    p12_legacy_free(&c);
    PKCS12_free(p12);
    return ok;
}
