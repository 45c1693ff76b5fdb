/*
 * rkeyutil.h: what the unit tests of the remote-key operations share: a
 * "KMS" that is a local private key of the default provider (fake_kms,
 * bound to an hwc_rkey by make_key), the keys made once per test case
 * (keys_setup), and look-ups of our dispatch functions by operation, name
 * and function id (KM, SIG, AC, ENC).
 */
#ifndef HWC_RKEYUTIL_H
#define HWC_RKEYUTIL_H

#include <stddef.h>

#include <openssl/core_dispatch.h>
#include <openssl/evp.h>

#include "ossl/provider.h"
#include "resolve/rkey.h"

/* FAKE_BER: ECDSA signatures in BER (outer length in a longer form than
 * DER's), which libcrypto's verification refuses as they are. */
enum fake_mode { FAKE_DER, FAKE_RAW, FAKE_BER, FAKE_BROKEN, FAKE_MAXSALT };

typedef struct fake_kms {
    EVP_PKEY *priv;
    enum fake_mode mode;
    int sign_calls, decrypt_calls;
    char last_alg[48];
} fake_kms;

extern const struct hwc_rkey_ops fake_ops;
extern EVP_PKEY *rsa_priv, *ec256_priv, *ec384_priv, *ec521_priv;
extern EVP_PKEY *k1_priv, *sm2_priv;
extern fake_kms f_rsa, f_ec256, f_ec384, f_ec521, f_k1, f_sm2;
/* libctx NULL: the default library context. */
extern hwc_provctx t_provctx;

/* A copy of priv's public half, as the store makes it. */
EVP_PKEY *public_copy(EVP_PKEY *priv);
/* A remote key whose "KMS" is f, signing and decrypting with priv. */
hwc_rkey *make_key(fake_kms *f, EVP_PKEY *priv, const char *uri,
                   const char *spec, enum hwc_key_usage usage,
                   enum fake_mode mode);
void keys_setup(void);
void keys_teardown(void);

/* The function fid of the first algorithm of operation op whose names
 * start with name and whose properties contain props. */
void (*find_fn(int op, const char *name, const char *props, int fid))(void);

#define KM(name, id, T)                                                        \
    ((OSSL_FUNC_keymgmt_##T##_fn *)find_fn(OSSL_OP_KEYMGMT, name, NULL, id))
/* Our signatures by key type ("RSA", "ECDSA"): they have names of their
 * own (rkey.h). */
#define SIG_NAME(type)                                                         \
    (strcmp(type, "RSA") == 0   ? HWC_SIG_RSA                                  \
     : strcmp(type, "SM2") == 0 ? HWC_SIG_SM2                                  \
                                : HWC_SIG_ECDSA)
#define SIG(name, id, T)                                                       \
    ((OSSL_FUNC_signature_##T##_fn *)find_fn(OSSL_OP_SIGNATURE,                \
                                             SIG_NAME(name), NULL, id))
#define AC(id, T)                                                              \
    ((OSSL_FUNC_asym_cipher_##T##_fn *)find_fn(OSSL_OP_ASYM_CIPHER,            \
                                               HWC_CIPHER_RSA, NULL, id))
#define ENC(props, id, T)                                                      \
    ((OSSL_FUNC_encoder_##T##_fn *)find_fn(OSSL_OP_ENCODER, "RSA", props, id))

/* keymgmt load as the store calls it; returns the keymgmt's reference. */
void *km_load(const char *name, hwc_rkey *key);
void km_free(const char *name, void *kd);
/* An export callback that counts its calls and takes "n" (a BIGNUM **
 * arg) when arg is not NULL. */
extern int export_cb_calls;
int export_cb(const OSSL_PARAM params[], void *arg);

typedef struct sig_case {
    const char *type; /* "RSA" or "ECDSA" */
    const char *pad;  /* "pkcs1", "pss" or NULL */
    const char *md;
    const char *kms_alg;
} sig_case;

/* Plain EVP verification with the public key (default provider). */
void evp_verify(const sig_case *c, EVP_PKEY *priv, const unsigned char *sig,
                size_t siglen, const unsigned char *msg, size_t msglen);
/* The error queue holds want (and is emptied). */
void expect_error(const char *want);

#endif /* HWC_RKEYUTIL_H */
