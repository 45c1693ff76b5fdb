/*
 * kms.h: the KMS (DEW) client: describe-key, get-publickey, sign,
 * decrypt-data. Requests and responses as C structs; JSON stays inside.
 */
#ifndef HWC_KMS_H
#define HWC_KMS_H

#include <stddef.h>

#include <openssl/evp.h> /* EVP_PKEY_* of hwc_kms_spec_type */

#include "services/client.h"

enum hwc_key_usage {
    HWC_USAGE_UNKNOWN = 0,
    HWC_USAGE_SIGN_VERIFY,
    HWC_USAGE_ENCRYPT_DECRYPT,
};

/* The private operations of a key held in KMS (rkey.h): hwc_kms_rkey_ops
 * binds them to a client; unit tests bind them to a local key. */
struct hwc_rkey_ops {
    /* alg is the KMS name, e.g. "RSASSA_PSS_SHA_256", "ECDSA_SHA_384";
     * digest is the message digest (message_type=DIGEST). *sig is
     * OPENSSL_malloc'ed and is what KMS returned (not yet verified). */
    int (*sign)(void *arg, const char *key_id, const char *alg,
                const unsigned char *digest, size_t dlen, unsigned char **sig,
                size_t *siglen);
    /* alg e.g. "RSAES_OAEP_SHA_256"; *pt is OPENSSL_secure-free'd by the
     * caller with OPENSSL_clear_free(*pt, *ptlen). */
    int (*decrypt)(void *arg, const char *key_id, const char *alg,
                   const unsigned char *ct, size_t ctlen, unsigned char **pt,
                   size_t *ptlen);
    void *(*arg_up_ref)(void *arg);
    void (*arg_free)(void *arg);
};

typedef struct hwc_kms_key_info {
    char key_id[40];
    char key_alias[256];
    char key_spec[16];  /* RSA_2048, EC_P256, AES_256, ... */
    char key_usage[24]; /* SIGN_VERIFY, ENCRYPT_DECRYPT */
    char key_state[4];  /* "2" enabled, "3" disabled, "4" pending deletion */
    char keystore_id[64];
} hwc_kms_key_info;

/* A KeyDetails object (describe-key's key_info, list-keys' entries);
 * key_id is required, the rest optional. Pure: fuzzed. */
int hwc_kms_parse_key_info(const char *what, json_t *o, hwc_kms_key_info *out);

/* get-publickey's public_key, copied; OPENSSL_free it. Pure: fuzzed. */
int hwc_kms_parse_public_key(const char *what, json_t *resp, char **public_key);
/* A base64 field of a sign/decrypt-data answer, decoded. Pure: fuzzed. */
int hwc_kms_parse_b64(const char *what, json_t *resp, const char *op,
                      const char *field, unsigned char **out, size_t *outlen);

/* decrypt-data's plaintext: plain_text_base64, which carries binary data
 * intact, else plain_text (always returned; the base64 form is optional in
 * the API). OPENSSL_clear_free it. Pure: fuzzed. */
int hwc_kms_parse_plain(const char *what, json_t *resp, unsigned char **out,
                        size_t *outlen);

int hwc_kms_describe_key(const hwc_client *cl, const char *key_id,
                         hwc_kms_key_info *out);
/* The public_key string as returned (PEM text); OPENSSL_free it. */
int hwc_kms_get_public_key(const hwc_client *cl, const char *key_id,
                           char **public_key);
/* The JSON body of a sign request for the base64 digest msg; NULL when
 * a value is not UTF-8 or out of memory. OPENSSL_clear_free it. */
char *hwc_kms_sign_body(const char *key_id, const char *alg, const char *msg);
int hwc_kms_sign(const hwc_client *cl, const char *key_id, const char *alg,
                 const unsigned char *digest, size_t dlen, unsigned char **sig,
                 size_t *siglen);
int hwc_kms_decrypt(const hwc_client *cl, const char *key_id, const char *alg,
                    const unsigned char *ct, size_t ctlen, unsigned char **pt,
                    size_t *ptlen);

/* Checks that a described key can serve as an asymmetric private key:
 * enabled, RSA_*, EC_*, SECP256K1 or SM2. Raises HWC_R_KEY_STATE /
 * HWC_R_UNSUPPORTED (naming the spec). */
int hwc_kms_key_usable(const char *what, const hwc_kms_key_info *info);
/* The key type of a key_spec: EVP_PKEY_RSA (RSA_*), EVP_PKEY_EC (EC_*,
 * SECP256K1), EVP_PKEY_SM2 (SM2), or EVP_PKEY_NONE for what hwcloud does
 * not use (symmetric keys and others). */
int hwc_kms_spec_type(const char *spec);
/* What a key_state means ("2": "enabled"), or NULL for a value the API
 * does not document. */
const char *hwc_kms_state_text(const char *key_state);
/* A key_usage as returned, e.g. "SIGN_VERIFY". */
enum hwc_key_usage hwc_kms_usage(const char *key_usage);

/* rkey ops bound to a client (ops_arg is an hwc_client reference). */
extern const struct hwc_rkey_ops hwc_kms_rkey_ops;

#endif /* HWC_KMS_H */

/*------------------------------------------------------------ listing */

/* Called once per asymmetric key of a list-keys page; return 0 to stop. */
typedef int hwc_kms_key_cb(const hwc_kms_key_info *info, void *arg);

/*
 * One list-keys page (key_spec=ALL, so asymmetric keys are included;
 * symmetric ones are not passed to cb). *marker is "" for the first page
 * and is replaced by the next marker; *more says whether pages remain.
 */
int hwc_kms_list_page(const hwc_client *cl, char *marker, size_t markercap,
                      int limit, int *more, hwc_kms_key_cb *cb, void *arg);

/* The body of a list-keys page; marker, more and cb as above. Pure: fuzzed. */
int hwc_kms_parse_list_page(const char *what, json_t *resp, char *marker,
                            size_t markercap, int *more, hwc_kms_key_cb *cb,
                            void *arg);

/* Resolves an alias: one made with the alias API (GET /kms/aliases; as
 * given or as alias/<alias>), else a key's key_alias (a full list-keys
 * walk); HWC_R_NOT_FOUND/AMBIGUOUS. */
int hwc_kms_resolve_alias(const hwc_client *cl, const char *alias, char *key_id,
                          size_t cap);

/* A page of GET /kms/aliases: *matches counts the entries naming alias,
 * the first one's key_id copied; *marker, *more as for list-keys (from
 * page_info.next_marker). Pure: fuzzed. */
int hwc_kms_parse_alias_page(const char *what, json_t *resp, const char *alias,
                             char *key_id, size_t cap, int *matches,
                             char *marker, size_t markercap, int *more);
