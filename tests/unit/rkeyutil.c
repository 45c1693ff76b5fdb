/* rkeyutil.c: see rkeyutil.h. */
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

/*------------------------------------------------------- the fake KMS */

static const char *alg_md(const char *alg)
{
    size_t n = strlen(alg);

    if (strcmp(alg, "SM2DSA_SM3") == 0) {
        return "SM3";
    }
    if (n > 3 && strcmp(alg + n - 3, "256") == 0) {
        return "SHA256";
    }
    return strcmp(alg + n - 3, "384") == 0 ? "SHA384" : "SHA512";
}

/* DER ECDSA-Sig-Value to r||s of 2 * half bytes, as KMS may send it. */
static void der_to_raw(EVP_PKEY *k, unsigned char **sig, size_t *len)
{
    size_t half = ((size_t)EVP_PKEY_get_bits(k) + 7) / 8;
    const unsigned char *p = *sig;
    ECDSA_SIG *es = d2i_ECDSA_SIG(NULL, &p, (long)*len);
    unsigned char *raw = OPENSSL_zalloc(2 * half);

    ck_assert_ptr_nonnull(es);
    BN_bn2binpad(ECDSA_SIG_get0_r(es), raw, (int)half);
    BN_bn2binpad(ECDSA_SIG_get0_s(es), raw + half, (int)half);
    ECDSA_SIG_free(es);
    OPENSSL_free(*sig);
    *sig = raw;
    *len = 2 * half;
}

static void der_to_ber(unsigned char **sig, size_t *len)
{
    unsigned char *ber = OPENSSL_malloc(*len + 2);
    size_t hdr = (*sig)[1] & 0x80 ? 2 + ((*sig)[1] & 0x7f) : 2;

    ck_assert_ptr_nonnull(ber);
    ck_assert_uint_lt(*len - hdr, 256);
    ber[0] = 0x30;
    ber[1] = 0x82; /* two length octets, the first 0 */
    ber[2] = 0;
    ber[3] = (unsigned char)(*len - hdr);
    memcpy(ber + 4, *sig + hdr, *len - hdr);
    *len = 4 + (*len - hdr);
    OPENSSL_free(*sig);
    *sig = ber;
}

static int fake_sign(void *arg, const char *key_id, const char *alg,
                     const unsigned char *dgst, size_t dlen,
                     unsigned char **sig, size_t *siglen)
{
    fake_kms *f = arg;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, f->priv, NULL);
    EVP_MD *md = EVP_MD_fetch(NULL, alg_md(alg), NULL);

    (void)key_id;
    f->sign_calls++;
    OPENSSL_strlcpy(f->last_alg, alg, sizeof(f->last_alg));
    ck_assert_int_eq(EVP_PKEY_sign_init(pctx), 1);
    ck_assert_int_eq(EVP_PKEY_CTX_set_signature_md(pctx, md), 1);
    if (strncmp(alg, "RSASSA_PSS", 10) == 0) {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, f->mode == FAKE_MAXSALT
                                                   ? RSA_PSS_SALTLEN_MAX
                                                   : RSA_PSS_SALTLEN_DIGEST);
    } else if (strncmp(alg, "RSASSA_PKCS1", 12) == 0) {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PADDING);
    }
    ck_assert_int_eq(EVP_PKEY_sign(pctx, NULL, siglen, dgst, dlen), 1);
    *sig = OPENSSL_malloc(*siglen);
    ck_assert_int_eq(EVP_PKEY_sign(pctx, *sig, siglen, dgst, dlen), 1);
    EVP_PKEY_CTX_free(pctx);
    EVP_MD_free(md);
    if (f->mode == FAKE_RAW && strncmp(alg, "ECDSA", 5) == 0) {
        der_to_raw(f->priv, sig, siglen);
    } else if (f->mode == FAKE_BER && strncmp(alg, "ECDSA", 5) == 0) {
        der_to_ber(sig, siglen);
    } else if (f->mode == FAKE_BROKEN) {
        (*sig)[*siglen / 2] ^= 0x40;
    }
    return 1;
}

static int fake_decrypt(void *arg, const char *key_id, const char *alg,
                        const unsigned char *ct, size_t ctlen,
                        unsigned char **pt, size_t *ptlen)
{
    fake_kms *f = arg;
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, f->priv, NULL);

    (void)key_id;
    f->decrypt_calls++;
    ck_assert_str_eq(alg, "RSAES_OAEP_SHA_256");
    ck_assert_int_eq(EVP_PKEY_decrypt_init(pctx), 1);
    EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_OAEP_PADDING);
    EVP_PKEY_CTX_set_rsa_oaep_md(pctx, EVP_sha256());
    ck_assert_int_eq(EVP_PKEY_decrypt(pctx, NULL, ptlen, ct, ctlen), 1);
    *pt = OPENSSL_malloc(*ptlen);
    ck_assert_int_eq(EVP_PKEY_decrypt(pctx, *pt, ptlen, ct, ctlen), 1);
    EVP_PKEY_CTX_free(pctx);
    return 1;
}

const struct hwc_rkey_ops fake_ops = {fake_sign, fake_decrypt, NULL, NULL};

/*-------------------------------------------------------- fixtures */

EVP_PKEY *rsa_priv, *ec256_priv, *ec384_priv, *ec521_priv;
EVP_PKEY *k1_priv, *sm2_priv;
fake_kms f_rsa, f_ec256, f_ec384, f_ec521, f_k1, f_sm2;
hwc_provctx t_provctx; /* libctx NULL: the default library context */

EVP_PKEY *public_copy(EVP_PKEY *priv)
{
    unsigned char *der = NULL;
    const unsigned char *p;
    int len = i2d_PUBKEY(priv, &der);
    EVP_PKEY *pub;

    ck_assert_int_gt(len, 0);
    p = der;
    pub = d2i_PUBKEY(NULL, &p, len);
    OPENSSL_free(der);
    ck_assert_ptr_nonnull(pub);
    return pub;
}

hwc_rkey *make_key(fake_kms *f, EVP_PKEY *priv, const char *uri,
                   const char *spec, enum hwc_key_usage usage,
                   enum fake_mode mode)
{
    memset(f, 0, sizeof(*f));
    f->priv = priv;
    f->mode = mode;
    return hwc_rkey_new(uri, "0d0466b0-e727-4d9c-b35d-f84bb474a37f", spec,
                        usage, public_copy(priv), &fake_ops, f);
}

void keys_setup(void)
{
    rsa_priv = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
    ec256_priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    ec384_priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384");
    ec521_priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
    ck_assert_ptr_nonnull(rsa_priv);
    ck_assert_ptr_nonnull(ec256_priv);
    ck_assert_ptr_nonnull(ec384_priv);
    ck_assert_ptr_nonnull(ec521_priv);
    k1_priv = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "secp256k1");
    sm2_priv = EVP_PKEY_Q_keygen(NULL, NULL, "SM2");
    ck_assert_ptr_nonnull(k1_priv);
    ck_assert_ptr_nonnull(sm2_priv);
}

void keys_teardown(void)
{
    EVP_PKEY_free(rsa_priv);
    EVP_PKEY_free(ec256_priv);
    EVP_PKEY_free(ec384_priv);
    EVP_PKEY_free(ec521_priv);
    EVP_PKEY_free(k1_priv);
    EVP_PKEY_free(sm2_priv);
    rsa_priv = ec256_priv = ec384_priv = ec521_priv = NULL;
    k1_priv = sm2_priv = NULL;
}

/*------------------------------------------------- dispatch look-ups */

/* The function fid of the first algorithm of operation op whose names
 * start with name and whose properties contain props. */
void (*find_fn(int op, const char *name, const char *props, int fid))(void)
{
    const OSSL_ALGORITHM *a = hwc_algorithms(op);
    const OSSL_DISPATCH *d;

    ck_assert_ptr_nonnull(a);
    for (; a->algorithm_names != NULL; a++) {
        if (strncmp(a->algorithm_names, name, strlen(name)) != 0 ||
            strstr(a->property_definition, "provider=hwcloud") == NULL ||
            (props != NULL && strstr(a->property_definition, props) == NULL)) {
            continue;
        }
        for (d = a->implementation; d->function_id != 0; d++) {
            if (d->function_id == fid) {
                return d->function;
            }
        }
    }
    ck_abort_msg("no function %d for %s (%s)", fid, name, props);
    return NULL;
}

/* keymgmt load as the store calls it; returns the keymgmt's reference. */
void *km_load(const char *name, hwc_rkey *key)
{
    return KM(name, OSSL_FUNC_KEYMGMT_LOAD, load)(&key, sizeof(key));
}

void km_free(const char *name, void *kd)
{
    KM(name, OSSL_FUNC_KEYMGMT_FREE, free)(kd);
}

int export_cb_calls;

int export_cb(const OSSL_PARAM params[], void *arg)
{
    BIGNUM **n = arg;

    export_cb_calls++;
    if (n != NULL) {
        const OSSL_PARAM *p = OSSL_PARAM_locate_const(params, "n");

        ck_assert_ptr_nonnull(p);
        ck_assert_int_eq(OSSL_PARAM_get_BN(p, n), 1);
    }
    return 1;
}

/* Plain EVP verification with the public key (default provider). */
void evp_verify(const sig_case *c, EVP_PKEY *priv, const unsigned char *sig,
                size_t siglen, const unsigned char *msg, size_t msglen)
{
    EVP_PKEY *pub = public_copy(priv);
    EVP_MD_CTX *mctx = EVP_MD_CTX_new();
    EVP_PKEY_CTX *pctx = NULL;

    ck_assert_int_eq(
        EVP_DigestVerifyInit_ex(mctx, &pctx, c->md, NULL, NULL, pub, NULL), 1);
    if (c->pad != NULL && strcmp(c->pad, "pss") == 0) {
        EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST);
    }
    ck_assert_int_eq(EVP_DigestVerify(mctx, sig, siglen, msg, msglen), 1);
    EVP_MD_CTX_free(mctx);
    EVP_PKEY_free(pub);
}

void expect_error(const char *want)
{
    const char *err = tu_errors();

    ck_assert_msg(strstr(err, want) != NULL, "want \"%s\" in \"%s\"", want,
                  err);
}
