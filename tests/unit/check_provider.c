/*
 * check_provider.c: the provider end to end through libcrypto, in a
 * library context where hwcloud is activated after (and, in a second
 * case, before) the default provider: KMS keys loaded from a store,
 * signing, decryption, certificates and TLS with them, and keys hwcloud
 * did not load, which must behave as without it.
 */
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/core_object.h>
#include <openssl/pem.h>
#include <openssl/provider.h>
#include <openssl/ssl.h>
#include <openssl/store.h>
#include <openssl/x509.h>

#include "ossl/fwd.h"
#include "core/hwc.h"
#include "ossl/provider.h"
#include "resolve/rkey.h"
#include "testutil.h"
#include "rkeyutil.h"

/*-------------------------------------------- end to end via libcrypto */

/*
 * A provider named "hwcloud" made of our algorithm tables plus a tiny
 * store ("hwctest:<name>") that hands out e2e_keys by reference, as the
 * real store does for kms:key/<id>. This checks the routes libcrypto and
 * libssl take on the OpenSSL they run on.
 */
static hwc_rkey *e2e_rsa, *e2e_rsa_enc, *e2e_ec;

static OSSL_FUNC_store_open_fn ts_open;
static OSSL_FUNC_store_load_fn ts_load;
static OSSL_FUNC_store_eof_fn ts_eof;
static OSSL_FUNC_store_close_fn ts_close;

typedef struct ts_ctx {
    hwc_rkey *key;
    int done;
} ts_ctx;

static void *ts_open(void *provctx, const char *uri)
{
    ts_ctx *c = OPENSSL_zalloc(sizeof(*c));

    (void)provctx;
    if (strcmp(uri, "hwctest:rsa") == 0) {
        c->key = e2e_rsa;
    } else if (strcmp(uri, "hwctest:rsa-enc") == 0) {
        c->key = e2e_rsa_enc;
    } else if (strcmp(uri, "hwctest:ec") == 0) {
        c->key = e2e_ec;
    } else {
        OPENSSL_free(c);
        return NULL;
    }
    return c;
}

static int ts_load(void *vctx, OSSL_CALLBACK *cb, void *cbarg,
                   OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_arg)
{
    ts_ctx *c = vctx;
    int type = OSSL_OBJECT_PKEY;
    OSSL_PARAM p[] = {OSSL_PARAM_int(OSSL_OBJECT_PARAM_TYPE, &type),
                      OSSL_PARAM_utf8_string(
                          OSSL_OBJECT_PARAM_DATA_TYPE,
                          c->key->base_id == EVP_PKEY_RSA ? "RSA" : "EC", 0),
                      OSSL_PARAM_octet_string(OSSL_OBJECT_PARAM_REFERENCE,
                                              &c->key, sizeof(c->key)),
                      OSSL_PARAM_END};

    (void)pw_cb;
    (void)pw_arg;
    c->done = 1;
    return cb(p, cbarg);
}

static int ts_eof(void *vctx)
{
    return ((ts_ctx *)vctx)->done;
}

static int ts_close(void *vctx)
{
    OPENSSL_free(vctx);
    return 1;
}

static const OSSL_DISPATCH ts_store_functions[] = {
    {OSSL_FUNC_STORE_OPEN, (void (*)(void))ts_open},
    {OSSL_FUNC_STORE_LOAD, (void (*)(void))ts_load},
    {OSSL_FUNC_STORE_EOF, (void (*)(void))ts_eof},
    {OSSL_FUNC_STORE_CLOSE, (void (*)(void))ts_close},
    {0, NULL}};

static const OSSL_ALGORITHM ts_stores[] = {
    {"hwctest", "provider=hwcloud", ts_store_functions, "test store"},
    {NULL, NULL, NULL, NULL}};

static const OSSL_ALGORITHM *tp_query(void *provctx, int id, int *no_cache)
{
    (void)provctx;
    *no_cache = 0;
    return id == OSSL_OP_STORE ? ts_stores : hwc_algorithms(id);
}

static void tp_teardown(void *provctx)
{
    OSSL_LIB_CTX_free(((hwc_provctx *)provctx)->libctx);
    OPENSSL_free(provctx);
}

static const OSSL_DISPATCH tp_functions[] = {
    {OSSL_FUNC_PROVIDER_QUERY_OPERATION, (void (*)(void))tp_query},
    {OSSL_FUNC_PROVIDER_TEARDOWN, (void (*)(void))tp_teardown},
    {OSSL_FUNC_PROVIDER_GET_CAPABILITIES, (void (*)(void))hwc_get_capabilities},
    {0, NULL}};

static int tp_init(const OSSL_CORE_HANDLE *handle, const OSSL_DISPATCH *in,
                   const OSSL_DISPATCH **out, void **provctx)
{
    hwc_provctx *pc = OPENSSL_zalloc(sizeof(*pc));

    ck_assert_ptr_nonnull(pc);
    pc->handle = handle;
    pc->libctx = OSSL_LIB_CTX_new_child(handle, in);
    *out = tp_functions;
    *provctx = pc;
    return pc->libctx != NULL;
}

static OSSL_LIB_CTX *e2e_lib;
static OSSL_PROVIDER *e2e_default, *e2e_hwc;
static int e2e_first; /* hwcloud activated before the default provider */

static void e2e_setup_order(int first)
{
    keys_setup();
    e2e_rsa = make_key(&f_rsa, rsa_priv, "kms:key/e2e-rsa", "RSA_2048",
                       HWC_USAGE_SIGN_VERIFY, FAKE_DER);
    e2e_rsa_enc = hwc_rkey_new("kms:key/e2e-rsa-enc", "enc", "RSA_2048",
                               HWC_USAGE_ENCRYPT_DECRYPT, public_copy(rsa_priv),
                               &fake_ops, &f_rsa);
    e2e_ec = make_key(&f_ec256, ec256_priv, "kms:key/e2e-ec", "EC_P256",
                      HWC_USAGE_SIGN_VERIFY, FAKE_RAW);
    e2e_lib = OSSL_LIB_CTX_new();
    e2e_first = first;
    ck_assert_int_eq(OSSL_PROVIDER_add_builtin(e2e_lib, "hwcloud", tp_init), 1);
    if (first) {
        e2e_hwc = OSSL_PROVIDER_load(e2e_lib, "hwcloud");
    }
    e2e_default = OSSL_PROVIDER_load(e2e_lib, "default");
    if (!first) {
        e2e_hwc = OSSL_PROVIDER_load(e2e_lib, "hwcloud");
    }
    ck_assert_ptr_nonnull(e2e_default);
    ck_assert_ptr_nonnull(e2e_hwc);
}

static void e2e_setup(void)
{
    e2e_setup_order(0);
}

static void e2e_setup_first(void)
{
    e2e_setup_order(1);
}

/* Keys first: their public halves cache exports into the child libctx. */
static void e2e_teardown(void)
{
    hwc_rkey_free(e2e_rsa);
    hwc_rkey_free(e2e_rsa_enc);
    hwc_rkey_free(e2e_ec);
    keys_teardown();
    OSSL_PROVIDER_unload(e2e_hwc);
    OSSL_PROVIDER_unload(e2e_default);
    OSSL_LIB_CTX_free(e2e_lib);
}

static EVP_PKEY *e2e_load(const char *uri)
{
    OSSL_STORE_CTX *sc =
        OSSL_STORE_open_ex(uri, e2e_lib, NULL, NULL, NULL, NULL, NULL, NULL);
    OSSL_STORE_INFO *info;
    EVP_PKEY *pkey;

    ck_assert_msg(sc != NULL, "open %s: %s", uri, tu_errors());
    info = OSSL_STORE_load(sc);
    ck_assert_msg(info != NULL, "load %s: %s", uri, tu_errors());
    ck_assert_int_eq(OSSL_STORE_INFO_get_type(info), OSSL_STORE_INFO_PKEY);
    pkey = OSSL_STORE_INFO_get1_PKEY(info);
    OSSL_STORE_INFO_free(info);
    OSSL_STORE_close(sc);
    return pkey;
}

/* EVP_DigestSign as libssl does it for TLS 1.3 CertificateVerify; the
 * signature must come from our implementation and verify. */
static void e2e_digest_sign(EVP_PKEY *pkey, EVP_PKEY *priv, const char *md,
                            int pss)
{
    static const unsigned char msg[] = "TLS 1.3, server CertificateVerify";
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;
    unsigned char sig[600];
    size_t siglen = 0;
    sig_case c = {"", pss ? "pss" : NULL, md, NULL};

    ck_assert_msg(
        EVP_DigestSignInit_ex(mctx, &pctx, md, e2e_lib, NULL, pkey, NULL) == 1,
        "%s", tu_errors());
    if (pss) {
        ck_assert_int_eq(
            EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING), 1);
        ck_assert_int_eq(
            EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST), 1);
    }
    ck_assert_int_eq(EVP_DigestSign(mctx, NULL, &siglen, msg, sizeof(msg) - 1),
                     1);
    ck_assert_uint_le(siglen, sizeof(sig));
    ck_assert_msg(EVP_DigestSign(mctx, sig, &siglen, msg, sizeof(msg) - 1) == 1,
                  "%s", tu_errors());
    EVP_MD_CTX_free(mctx);
    evp_verify(&c, priv, sig, siglen, msg, sizeof(msg) - 1);
}

/* A self-signed certificate for pkey, signed by signer (pkey itself
 * exercises X.509 signing through our algorithm-id). */
static X509 *e2e_cert(EVP_PKEY *pkey, EVP_PKEY *signer, const char *cn)
{
    X509 *x = X509_new_ex(e2e_lib, NULL);
    X509_NAME *name = X509_get_subject_name(x);

    ck_assert_int_eq(X509_set_version(x, X509_VERSION_3), 1);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -60);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               (const unsigned char *)cn, -1, -1, 0);
    ck_assert_int_eq(X509_set_issuer_name(x, name), 1);
    ck_assert_msg(X509_set_pubkey(x, pkey) == 1, "%s", tu_errors());
    ck_assert_msg(X509_sign(x, signer, EVP_sha256()) > 0, "%s", tu_errors());
    return x;
}

static int contains(BIO *b, const char *want)
{
    char *data = NULL;
    long n = BIO_get_mem_data(b, &data);
    char *text = OPENSSL_strndup(data != NULL ? data : "", (size_t)n);
    int found = strstr(text, want) != NULL;

    OPENSSL_free(text);
    (void)BIO_reset(b);
    return found;
}

START_TEST(test_e2e_rsa)
{
    EVP_PKEY *pkey = e2e_load("hwctest:rsa"), *pub = public_copy(rsa_priv);
    EVP_PKEY_CTX *pctx;
    unsigned char dgst[64] = {7}, sig[600];
    size_t siglen = sizeof(sig);
    int calls = f_rsa.sign_calls;
    BIO *mem = BIO_new(BIO_s_mem());
    X509 *x;

    ck_assert_str_eq(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(pkey)),
                     "hwcloud");
    ck_assert_int_eq(EVP_PKEY_is_a(pkey, "RSA"), 1);
    ck_assert_int_eq(EVP_PKEY_get_id(pkey), EVP_PKEY_RSA);
    ck_assert_int_eq(EVP_PKEY_get_bits(pkey), 2048);
    ck_assert_int_eq(EVP_PKEY_get_size(pkey), 256);
    ck_assert_int_eq(EVP_PKEY_get_security_bits(pkey), 112);

    /* EVP_DigestSign reaches our signature (remote) on this OpenSSL */
    e2e_digest_sign(pkey, rsa_priv, "SHA256", 0);
    e2e_digest_sign(pkey, rsa_priv, "SHA384", 1);
    e2e_digest_sign(pkey, rsa_priv, NULL, 0);
    ck_assert_int_eq(f_rsa.sign_calls, calls + 3);

    /* pkeyutl: EVP_PKEY_sign on a digest */
    pctx = EVP_PKEY_CTX_new_from_pkey(e2e_lib, pkey, NULL);
    ck_assert_int_eq(EVP_PKEY_sign_init(pctx), 1);
    ck_assert_int_eq(EVP_PKEY_CTX_set_signature_md(pctx, EVP_sha512()), 1);
    ck_assert_msg(EVP_PKEY_sign(pctx, sig, &siglen, dgst, 64) == 1, "%s",
                  tu_errors());
    ck_assert_int_eq(f_rsa.sign_calls, calls + 4);
    EVP_PKEY_CTX_free(pctx);

    /* public key comparisons and certificates */
    ck_assert_int_eq(EVP_PKEY_eq(pkey, pub), 1);
    x = e2e_cert(pkey, pkey, "e2e rsa");
    ck_assert_int_eq(X509_verify(x, pub), 1);
    ck_assert_msg(X509_check_private_key(x, pkey) == 1, "%s", tu_errors());

    /* encoders */
    ck_assert_int_eq(
        PEM_write_bio_PrivateKey(mem, pkey, NULL, NULL, 0, NULL, NULL), 1);
    ck_assert(contains(mem, "-----BEGIN HWCLOUD PROVIDER URI-----"));
    ck_assert_int_eq(PEM_write_bio_PUBKEY(mem, pkey), 1);
    ck_assert(contains(mem, "-----BEGIN PUBLIC KEY-----"));
    ck_assert_int_eq(EVP_PKEY_print_private(mem, pkey, 0, NULL), 1);
    ck_assert(contains(mem, "held in Huawei Cloud KMS (kms:key/e2e-rsa)"));
    ck_assert_int_le(i2d_PrivateKey(pkey, NULL), 0);
    ERR_clear_error();

    BIO_free(mem);
    X509_free(x);
    EVP_PKEY_free(pub);
    EVP_PKEY_free(pkey);
}
END_TEST

START_TEST(test_e2e_ec_and_decrypt)
{
    static const unsigned char secret[] = "secret";
    EVP_PKEY *ec = e2e_load("hwctest:ec"), *enc = e2e_load("hwctest:rsa-enc");
    EVP_PKEY_CTX *pctx;
    unsigned char ct[512], pt[512];
    size_t ctlen = sizeof(ct), ptlen = sizeof(pt);
    int calls = f_ec256.sign_calls, dcalls = f_rsa.decrypt_calls;

    ck_assert_int_eq(EVP_PKEY_is_a(ec, "EC"), 1);
    ck_assert_int_eq(EVP_PKEY_get_id(ec), EVP_PKEY_EC);
    e2e_digest_sign(ec, ec256_priv, "SHA256", 0);
    e2e_digest_sign(ec, ec256_priv, NULL, 0);
    ck_assert_int_eq(f_ec256.sign_calls, calls + 2);
    /* what libssl's EVP_PKEY_digestsign_supports_digest sees */
    ck_assert_int_le(
        EVP_PKEY_digestsign_supports_digest(ec, e2e_lib, "SHA384", NULL), 0);
    ck_assert_int_eq(
        EVP_PKEY_digestsign_supports_digest(ec, e2e_lib, "SHA256", NULL), 1);

    /* OAEP-SHA256 through EVP: encrypt (local) and decrypt (remote) */
    pctx = EVP_PKEY_CTX_new_from_pkey(e2e_lib, enc, NULL);
    ck_assert_int_eq(EVP_PKEY_encrypt_init(pctx), 1);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING);
    EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256());
    ck_assert_int_eq(EVP_PKEY_encrypt(pctx, ct, &ctlen, secret, sizeof(secret)),
                     1);
    ck_assert_msg(EVP_PKEY_decrypt_init(pctx) == 1, "%s", tu_errors());
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING);
    EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256());
    ck_assert_msg(EVP_PKEY_decrypt(pctx, pt, &ptlen, ct, ctlen) == 1, "%s",
                  tu_errors());
    ck_assert_mem_eq(pt, secret, sizeof(secret));
    ck_assert_int_eq(f_rsa.decrypt_calls, dcalls + 1);
    /* PKCS#1 v1.5 is refused before any request */
    ck_assert_int_eq(EVP_PKEY_decrypt_init(pctx), 1);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
    ptlen = sizeof(pt);
    ck_assert_int_le(EVP_PKEY_decrypt(pctx, pt, &ptlen, ct, ctlen), 0);
    expect_error("PKCS#1 v1.5");
    ck_assert_int_eq(f_rsa.decrypt_calls, dcalls + 1);
    EVP_PKEY_CTX_free(pctx);
    EVP_PKEY_free(enc);
    EVP_PKEY_free(ec);
}
END_TEST

/* With hwcloud loaded, ordinary keys keep working and never reach KMS:
 * generation, signing, encoding. With hwcloud first, our keymgmt makes
 * them and hands everything on. */
START_TEST(test_e2e_foreign_keys)
{
    static const unsigned char msg[] = "ordinary";
    const char *types[] = {"RSA", "EC"};
    int calls = f_rsa.sign_calls + f_ec256.sign_calls, i;

    for (i = 0; i < 2; i++) {
        EVP_PKEY *k =
            i == 0 ? EVP_PKEY_Q_keygen(e2e_lib, NULL, types[i], (size_t)2048)
                   : EVP_PKEY_Q_keygen(e2e_lib, NULL, types[i], "P-256");
        EVP_MD_CTX *mctx = EVP_MD_CTX_new();
        unsigned char sig[600];
        size_t siglen = sizeof(sig);
        BIO *mem = BIO_new(BIO_s_mem());

        ck_assert_msg(k != NULL, "keygen %s: %s", types[i], tu_errors());
        ck_assert_str_eq(OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(k)),
                         e2e_first ? "hwcloud" : "default");
        ck_assert_int_eq(
            EVP_DigestSignInit_ex(mctx, NULL, "SHA256", e2e_lib, NULL, k, NULL),
            1);
        ck_assert_int_eq(
            EVP_DigestSign(mctx, sig, &siglen, msg, sizeof(msg) - 1), 1);
        ck_assert_int_eq(EVP_DigestVerifyInit_ex(mctx, NULL, "SHA256", e2e_lib,
                                                 NULL, k, NULL),
                         1);
        ck_assert_int_eq(
            EVP_DigestVerify(mctx, sig, siglen, msg, sizeof(msg) - 1), 1);
        ck_assert_int_eq(
            PEM_write_bio_PrivateKey(mem, k, NULL, NULL, 0, NULL, NULL), 1);
        ck_assert(contains(mem, "-----BEGIN PRIVATE KEY-----"));
        ck_assert_int_eq(EVP_PKEY_print_private(mem, k, 0, NULL), 1);
        ck_assert(!contains(mem, "Huawei Cloud KMS"));
        BIO_free(mem);
        EVP_MD_CTX_free(mctx);
        EVP_PKEY_free(k);
    }
    ck_assert_int_eq(f_rsa.sign_calls + f_ec256.sign_calls, calls);
}
END_TEST

/*------------------------------------------ local keys (either order) */

static const char *provider_of(const EVP_PKEY *k)
{
    return OSSL_PROVIDER_get0_name(EVP_PKEY_get0_provider(k));
}

/* The PKCS#8 PEM and the text of k. */
static char *pem_and_text(EVP_PKEY *k)
{
    BIO *mem = BIO_new(BIO_s_mem());
    char *data = NULL, *copy;
    long n;

    ck_assert_int_eq(
        PEM_write_bio_PrivateKey(mem, k, NULL, NULL, 0, NULL, NULL), 1);
    ck_assert_int_eq(EVP_PKEY_print_private(mem, k, 0, NULL), 1);
    n = BIO_get_mem_data(mem, &data);
    copy = OPENSSL_strndup(data, (size_t)n);
    BIO_free(mem);
    return copy;
}

/* k as the default provider alone reads it back from its PEM. */
static EVP_PKEY *reread(OSSL_LIB_CTX *plain, EVP_PKEY *k)
{
    BIO *mem = BIO_new(BIO_s_mem());
    EVP_PKEY *r;

    ck_assert_int_eq(
        PEM_write_bio_PrivateKey(mem, k, NULL, NULL, 0, NULL, NULL), 1);
    r = PEM_read_bio_PrivateKey_ex(mem, NULL, NULL, NULL, plain, NULL);
    ck_assert_msg(r != NULL, "%s", tu_errors());
    BIO_free(mem);
    return r;
}

static EVP_PKEY *fromdata(EVP_PKEY *src, int selection)
{
    OSSL_PARAM *params = NULL;
    EVP_PKEY_CTX *c =
        EVP_PKEY_CTX_new_from_name(e2e_lib, EVP_PKEY_get0_type_name(src), NULL);
    EVP_PKEY *k = NULL;

    ck_assert_int_eq(EVP_PKEY_todata(src, selection, &params), 1);
    ck_assert_int_eq(EVP_PKEY_fromdata_init(c), 1);
    ck_assert_msg(EVP_PKEY_fromdata(c, &k, selection, params) == 1, "%s",
                  tu_errors());
    OSSL_PARAM_free(params);
    EVP_PKEY_CTX_free(c);
    return k;
}

static size_t pkey_derive(EVP_PKEY *priv, EVP_PKEY *peer, unsigned char *out)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(e2e_lib, priv, NULL);
    size_t n = 256;

    ck_assert_int_eq(EVP_PKEY_derive_init(c), 1);
    ck_assert_int_eq(EVP_PKEY_derive_set_peer(c, peer), 1);
    ck_assert_msg(EVP_PKEY_derive(c, out, &n) == 1, "%s", tu_errors());
    EVP_PKEY_CTX_free(c);
    return n;
}

/* RSA: encrypt with a, decrypt with b; sign raw with b, recover with a. */
static void local_rsa_ops(EVP_PKEY *a, EVP_PKEY *b)
{
    static const unsigned char m[32] = "thirty-two bytes of a digest....";
    unsigned char ct[512], pt[512];
    size_t clen = sizeof(ct), plen = sizeof(pt);
    EVP_PKEY_CTX *e = EVP_PKEY_CTX_new_from_pkey(e2e_lib, a, NULL);
    EVP_PKEY_CTX *d = EVP_PKEY_CTX_new_from_pkey(e2e_lib, b, NULL);

    ck_assert_int_eq(EVP_PKEY_encrypt_init(e), 1);
    ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(e, RSA_PKCS1_PADDING), 1);
    ck_assert_int_eq(EVP_PKEY_encrypt(e, ct, &clen, m, sizeof(m)), 1);
    ck_assert_int_eq(EVP_PKEY_decrypt_init(d), 1);
    ck_assert_int_eq(EVP_PKEY_CTX_set_rsa_padding(d, RSA_PKCS1_PADDING), 1);
    ck_assert_msg(EVP_PKEY_decrypt(d, pt, &plen, ct, clen) == 1, "%s",
                  tu_errors());
    ck_assert_mem_eq(pt, m, sizeof(m));
    clen = sizeof(ct);
    plen = sizeof(pt);
    ck_assert_int_eq(EVP_PKEY_sign_init(d), 1);
    ck_assert_int_eq(EVP_PKEY_sign(d, ct, &clen, m, sizeof(m)), 1);
    ck_assert_int_eq(EVP_PKEY_verify_recover_init(e), 1);
    ck_assert_msg(EVP_PKEY_verify_recover(e, pt, &plen, ct, clen) == 1, "%s",
                  tu_errors());
    ck_assert_uint_eq(plen, sizeof(m));
    ck_assert_mem_eq(pt, m, sizeof(m));
    EVP_PKEY_CTX_free(e);
    EVP_PKEY_CTX_free(d);
}

/* EC: ECDH both ways with a key generated here, and a change of the
 * point format. */
static void local_ec_ops(EVP_PKEY *k)
{
    unsigned char s1[256], s2[256];
    char fmt[32] = "";
    EVP_PKEY *other = EVP_PKEY_Q_keygen(e2e_lib, NULL, "EC", "P-384");
    size_t n1 = pkey_derive(k, other, s1), n2 = pkey_derive(other, k, s2);

    ck_assert_uint_eq(n1, n2);
    ck_assert_mem_eq(s1, s2, n1);
    ck_assert_int_eq(
        EVP_PKEY_set_utf8_string_param(
            k, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"),
        1);
    ck_assert_int_eq(EVP_PKEY_get_utf8_string_param(
                         k, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, fmt,
                         sizeof(fmt), NULL),
                     1);
    ck_assert_str_eq(fmt, "compressed");
    EVP_PKEY_free(other);
}

static void local_key_checks(EVP_PKEY *k, EVP_PKEY *ref)
{
    EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_from_pkey(e2e_lib, k, NULL);
    EVP_PKEY *dup = EVP_PKEY_dup(k), *params = EVP_PKEY_new();

    ck_assert_int_eq(EVP_PKEY_check(c), 1);
    ck_assert_int_eq(EVP_PKEY_public_check(c), 1);
    ck_assert_int_eq(EVP_PKEY_eq(k, ref), 1);
    ck_assert_int_eq(EVP_PKEY_eq(dup, ref), 1);
    ck_assert_int_eq(EVP_PKEY_get_bits(k), EVP_PKEY_get_bits(ref));
    ck_assert_int_eq(EVP_PKEY_get_size(k), EVP_PKEY_get_size(ref));
    if (EVP_PKEY_is_a(k, "EC")) { /* RSA keys have no parameters */
        ck_assert_int_eq(EVP_PKEY_copy_parameters(params, k), 1);
        ck_assert_int_eq(EVP_PKEY_parameters_eq(params, ref), 1);
    }
    EVP_PKEY_free(params);
    EVP_PKEY_free(dup);
    EVP_PKEY_CTX_free(c);
}

/*
 * Keys made in e2e_lib by generation and by import from parameters: with
 * hwcloud first they are ours, and every operation gives what the
 * default provider alone gives (the same encodings, byte for byte), with
 * no call to KMS.
 */
START_TEST(test_e2e_local_keys)
{
    OSSL_LIB_CTX *plain = OSSL_LIB_CTX_new();
    OSSL_PROVIDER *dflt = OSSL_PROVIDER_load(plain, "default");
    const char *want = e2e_first ? "hwcloud" : "default";
    int calls = f_rsa.sign_calls + f_ec256.sign_calls + f_rsa.decrypt_calls;
    int i;

    ck_assert_ptr_nonnull(dflt);
    for (i = 0; i < 2; i++) {
        EVP_PKEY *k =
            i == 0 ? EVP_PKEY_Q_keygen(e2e_lib, NULL, "RSA", (size_t)2048)
                   : EVP_PKEY_Q_keygen(e2e_lib, NULL, "EC", "P-384");
        EVP_PKEY *ref, *imp, *pub;
        char *a, *b;

        ck_assert_msg(k != NULL, "%s", tu_errors());
        ck_assert_str_eq(provider_of(k), want);
        ref = reread(plain, k);
        ck_assert_str_eq(provider_of(ref), "default");
        a = pem_and_text(k);
        b = pem_and_text(ref);
        ck_assert_str_eq(a, b);
        OPENSSL_free(a);
        OPENSSL_free(b);
        imp = fromdata(ref, EVP_PKEY_KEYPAIR);
        pub = fromdata(ref, EVP_PKEY_PUBLIC_KEY);
        ck_assert_str_eq(provider_of(imp), want);
        local_key_checks(imp, ref);
        local_key_checks(k, ref);
        e2e_digest_sign(imp, ref, "SHA384", 0);
        if (i == 0) {
            e2e_digest_sign(imp, ref, "SHA256", 1);
            local_rsa_ops(pub, imp);
            local_rsa_ops(imp, ref);
        } else {
            local_ec_ops(imp);
        }
        EVP_PKEY_free(pub);
        EVP_PKEY_free(imp);
        EVP_PKEY_free(ref);
        EVP_PKEY_free(k);
    }
    ck_assert_int_eq(
        f_rsa.sign_calls + f_ec256.sign_calls + f_rsa.decrypt_calls, calls);
    OSSL_PROVIDER_unload(dflt);
    OSSL_LIB_CTX_free(plain);
}
END_TEST

/* A KMS key gives its public half and nothing more, in either order. */
START_TEST(test_e2e_kms_not_exported)
{
    EVP_PKEY *ec = e2e_load("hwctest:ec");
    OSSL_PARAM *params = NULL;
    EVP_PKEY *pub;

    ck_assert_int_le(EVP_PKEY_todata(ec, EVP_PKEY_KEYPAIR, &params), 0);
    ck_assert_ptr_null(params);
    ck_assert_int_le(i2d_PrivateKey(ec, NULL), 0);
    ERR_clear_error();
    pub = fromdata(ec, EVP_PKEY_PUBLIC_KEY);
    ck_assert_int_eq(EVP_PKEY_eq(pub, ec), 1);
    ck_assert_int_eq(EVP_PKEY_eq(ec, pub), 1);
    ck_assert_int_eq(
        EVP_PKEY_set_utf8_string_param(
            ec, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"),
        0);
    ERR_clear_error();
    EVP_PKEY_free(pub);
    EVP_PKEY_free(ec);
}
END_TEST

/* libssl's EC groups are there whichever provider wins the "EC" fetch. */
START_TEST(test_e2e_tls_groups)
{
    SSL_CTX *ctx = SSL_CTX_new_ex(e2e_lib, NULL, TLS_client_method());

    ck_assert_ptr_nonnull(ctx);
    ck_assert_msg(SSL_CTX_set1_groups_list(ctx, "P-256:P-384:P-521") == 1, "%s",
                  tu_errors());
    ck_assert_int_eq(SSL_CTX_set1_groups_list(ctx, "X25519:ffdhe2048"), 1);
    SSL_CTX_free(ctx);
}
END_TEST

/* One in-memory handshake; returns 1 when both sides finish. */
static int tls_handshake(SSL_CTX *sctx, SSL_CTX *cctx)
{
    SSL *s = SSL_new(sctx), *c = SSL_new(cctx);
    BIO *sb, *cb;
    int i, sdone = 0, cdone = 0;

    ck_assert_int_eq(BIO_new_bio_pair(&sb, 0, &cb, 0), 1);
    SSL_set_bio(s, sb, sb);
    SSL_set_bio(c, cb, cb);
    SSL_set_accept_state(s);
    SSL_set_connect_state(c);
    for (i = 0; i < 50 && !(sdone && cdone); i++) {
        if (!cdone) {
            int r = SSL_do_handshake(c);

            cdone = r == 1;
            if (r <= 0 && SSL_get_error(c, r) != SSL_ERROR_WANT_READ) {
                break;
            }
        }
        if (!sdone) {
            int r = SSL_do_handshake(s);

            sdone = r == 1;
            if (r <= 0 && SSL_get_error(s, r) != SSL_ERROR_WANT_READ) {
                break;
            }
        }
    }
    SSL_free(s);
    SSL_free(c);
    return sdone && cdone;
}

static void e2e_tls(const char *uri, EVP_PKEY *priv, fake_kms *f, int version,
                    const char *ciphers)
{
    EVP_PKEY *pkey = e2e_load(uri);
    X509 *x = e2e_cert(pkey, pkey, "localhost");
    SSL_CTX *sctx = SSL_CTX_new_ex(e2e_lib, NULL, TLS_server_method());
    SSL_CTX *cctx = SSL_CTX_new_ex(e2e_lib, NULL, TLS_client_method());
    int calls;

    (void)priv;
    ck_assert_int_eq(SSL_CTX_use_certificate(sctx, x), 1);
    ck_assert_msg(SSL_CTX_use_PrivateKey(sctx, pkey) == 1, "%s", tu_errors());
    ck_assert_int_eq(SSL_CTX_check_private_key(sctx), 1);
    SSL_CTX_set_min_proto_version(sctx, version);
    SSL_CTX_set_max_proto_version(sctx, version);
    if (ciphers != NULL) {
        ck_assert_int_eq(SSL_CTX_set_cipher_list(sctx, ciphers), 1);
    }
    ck_assert_int_eq(X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), x), 1);
    SSL_CTX_set_verify(cctx, SSL_VERIFY_PEER, NULL);
    calls = f->sign_calls;
    ck_assert_msg(tls_handshake(sctx, cctx), "%s", tu_errors());
    ck_assert_int_eq(f->sign_calls, calls + 1);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    X509_free(x);
    EVP_PKEY_free(pkey);
}

START_TEST(test_e2e_tls)
{
    e2e_tls("hwctest:rsa", rsa_priv, &f_rsa, TLS1_3_VERSION, NULL);
    e2e_tls("hwctest:ec", ec256_priv, &f_ec256, TLS1_3_VERSION, NULL);
    e2e_tls("hwctest:rsa", rsa_priv, &f_rsa, TLS1_2_VERSION,
            "ECDHE-RSA-AES128-GCM-SHA256");
    e2e_tls("hwctest:ec", ec256_priv, &f_ec256, TLS1_2_VERSION, NULL);
}
END_TEST

/* TLS 1.2 RSA key exchange needs PKCS#1 v1.5 decryption: refused cleanly
 * on the server, with no request to KMS. */
START_TEST(test_e2e_tls_rsa_kx)
{
    EVP_PKEY *pkey = e2e_load("hwctest:rsa-enc");
    X509 *x = e2e_cert(pkey, rsa_priv, "localhost");
    SSL_CTX *sctx = SSL_CTX_new_ex(e2e_lib, NULL, TLS_server_method());
    SSL_CTX *cctx = SSL_CTX_new_ex(e2e_lib, NULL, TLS_client_method());
    int calls = f_rsa.decrypt_calls;

    ck_assert_int_eq(SSL_CTX_use_certificate(sctx, x), 1);
    ck_assert_int_eq(SSL_CTX_use_PrivateKey(sctx, pkey), 1);
    SSL_CTX_set_max_proto_version(sctx, TLS1_2_VERSION);
    ck_assert_int_eq(SSL_CTX_set_cipher_list(sctx, "AES128-GCM-SHA256"), 1);
    ck_assert_int_eq(X509_STORE_add_cert(SSL_CTX_get_cert_store(cctx), x), 1);
    ERR_clear_error();
    ck_assert_int_eq(tls_handshake(sctx, cctx), 0);
    expect_error("KMS cannot do PKCS#1 v1.5 decryption; use ECDHE");
    ck_assert_int_eq(f_rsa.decrypt_calls, calls);
    /* a SIGN_VERIFY key is refused at decrypt_init */
    EVP_PKEY_free(pkey);
    pkey = e2e_load("hwctest:rsa");
    ck_assert_int_eq(SSL_CTX_use_PrivateKey(sctx, pkey), 1);
    ck_assert_int_eq(tls_handshake(sctx, cctx), 0);
    expect_error("SIGN_VERIFY key: KMS cannot decrypt with it (TLS: RSA key "
                 "exchange needs decryption; use ECDHE cipher suites)");
    ck_assert_int_eq(f_rsa.decrypt_calls, calls);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    X509_free(x);
    EVP_PKEY_free(pkey);
}
END_TEST

static Suite *provider_suite(void)
{
    Suite *s = suite_create("provider");
    TCase *tc = tcase_create("libcrypto");
    tcase_add_unchecked_fixture(tc, e2e_setup, e2e_teardown);
    tcase_add_test(tc, test_e2e_rsa);
    tcase_add_test(tc, test_e2e_ec_and_decrypt);
    tcase_add_test(tc, test_e2e_foreign_keys);
    tcase_add_test(tc, test_e2e_local_keys);
    tcase_add_test(tc, test_e2e_kms_not_exported);
    tcase_add_test(tc, test_e2e_tls_groups);
    tcase_add_test(tc, test_e2e_tls);
    tcase_add_test(tc, test_e2e_tls_rsa_kx);
    suite_add_tcase(s, tc);

    /* The same with hwcloud activated before the default provider. */
    tc = tcase_create("hwcloud first");
    tcase_add_unchecked_fixture(tc, e2e_setup_first, e2e_teardown);
    tcase_add_test(tc, test_e2e_rsa);
    tcase_add_test(tc, test_e2e_ec_and_decrypt);
    tcase_add_test(tc, test_e2e_foreign_keys);
    tcase_add_test(tc, test_e2e_local_keys);
    tcase_add_test(tc, test_e2e_kms_not_exported);
    tcase_add_test(tc, test_e2e_tls_groups);
    tcase_add_test(tc, test_e2e_tls);
    tcase_add_test(tc, test_e2e_tls_rsa_kx);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return tu_run(provider_suite());
}
