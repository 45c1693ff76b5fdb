/*
 * encoder.c: encoders for KMS-held keys. Text shows the public half the
 * way `openssl pkey -text` does, then where the private half lives; PEM
 * writes the PEM-wrapped URI (HWCLOUD PROVIDER URI) in place of private
 * key material, so the file can be given back to applications that only
 * read PEM keys; DER has no such form and is refused.
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "decode.h"
#include "hwc.h"
#include "provider.h"
#include "rkey.h"

extern const OSSL_DISPATCH hwc_text_encoder_functions[];
extern const OSSL_DISPATCH hwc_pem_encoder_functions[];
extern const OSSL_DISPATCH hwc_der_encoder_functions[];

static OSSL_FUNC_encoder_newctx_fn hwc_enc_newctx;
static OSSL_FUNC_encoder_freectx_fn hwc_enc_freectx;
static OSSL_FUNC_encoder_does_selection_fn hwc_enc_text_does_selection;
static OSSL_FUNC_encoder_does_selection_fn hwc_enc_priv_does_selection;
static OSSL_FUNC_encoder_encode_fn hwc_enc_text_encode;
static OSSL_FUNC_encoder_encode_fn hwc_enc_pem_encode;
static OSSL_FUNC_encoder_encode_fn hwc_enc_der_encode;

/* The encoder context is the provider context: nothing else to keep. */
static void *hwc_enc_newctx(void *provctx)
{
    return provctx;
}

static void hwc_enc_freectx(void *ctx)
{
    (void)ctx;
}

static int hwc_enc_text_does_selection(void *provctx, int selection)
{
    (void)provctx;
    return (selection & OSSL_KEYMGMT_SELECT_KEYPAIR) != 0;
}

/* PEM/DER stand in for private keys only: public keys and parameters
 * are left to the default provider (we export those). */
static int hwc_enc_priv_does_selection(void *provctx, int selection)
{
    (void)provctx;
    return (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0;
}

/* Our own keys only; foreign keys never reach us (no import_object). */
static const hwc_rkey *hwc_enc_key(const void *obj_raw)
{
    const hwc_rkey *key = obj_raw;

    if (key == NULL || key->pub == NULL) {
        hwc_raise(NULL, HWC_R_UNSUPPORTED, "no KMS key to encode");
        return NULL;
    }
    return key;
}

static BIO *hwc_enc_bio(const hwc_provctx *prov, OSSL_CORE_BIO *cout)
{
    BIO *out = BIO_new_from_core_bio(prov != NULL ? prov->libctx : NULL, cout);

    if (out == NULL) {
        hwc_raise(prov, HWC_R_INTERNAL, "cannot write to the output BIO");
    }
    return out;
}

static int hwc_enc_text_encode(void *ctx, OSSL_CORE_BIO *cout,
                               const void *obj_raw,
                               const OSSL_PARAM obj_abstract[], int selection,
                               OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    const hwc_rkey *key = hwc_enc_key(obj_raw);
    BIO *out;
    int ok;

    (void)obj_abstract;
    (void)cb;
    (void)cbarg;
    if (key == NULL || (out = hwc_enc_bio(ctx, cout)) == NULL) {
        return 0;
    }
    ok = EVP_PKEY_print_public(out, key->pub, 0, NULL) > 0;
    if (ok && (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) != 0) {
        ok = BIO_printf(out, "Private key: held in Huawei Cloud KMS (%s)\n",
                        key->uri) > 0;
    }
    BIO_free(out);
    return ok;
}

static int hwc_enc_pem_encode(void *ctx, OSSL_CORE_BIO *cout,
                              const void *obj_raw,
                              const OSSL_PARAM obj_abstract[], int selection,
                              OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    const hwc_rkey *key = hwc_enc_key(obj_raw);
    char *pem;
    BIO *out;
    int ok;

    (void)obj_abstract;
    (void)cb;
    (void)cbarg;
    if (key == NULL || (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY) == 0) {
        return 0;
    }
    if ((pem = hwc_uri_wrap_pem(key->uri)) == NULL) {
        return 0;
    }
    if ((out = hwc_enc_bio(ctx, cout)) == NULL) {
        OPENSSL_free(pem);
        return 0;
    }
    ok = BIO_write(out, pem, (int)strlen(pem)) == (int)strlen(pem);
    BIO_free(out);
    OPENSSL_free(pem);
    return ok;
}

static int hwc_enc_der_encode(void *ctx, OSSL_CORE_BIO *cout,
                              const void *obj_raw,
                              const OSSL_PARAM obj_abstract[], int selection,
                              OSSL_PASSPHRASE_CALLBACK *cb, void *cbarg)
{
    (void)cout;
    (void)obj_raw;
    (void)obj_abstract;
    (void)selection;
    (void)cb;
    (void)cbarg;
    hwc_raise(ctx, HWC_R_UNSUPPORTED,
              "a KMS key has no DER form; use PEM (" HWC_URI_PEM_LABEL ")");
    return 0;
}

const OSSL_DISPATCH hwc_text_encoder_functions[] = {
    {OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))hwc_enc_newctx},
    {OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))hwc_enc_freectx},
    {OSSL_FUNC_ENCODER_DOES_SELECTION,
     (void (*)(void))hwc_enc_text_does_selection},
    {OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))hwc_enc_text_encode},
    {0, NULL}};

const OSSL_DISPATCH hwc_pem_encoder_functions[] = {
    {OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))hwc_enc_newctx},
    {OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))hwc_enc_freectx},
    {OSSL_FUNC_ENCODER_DOES_SELECTION,
     (void (*)(void))hwc_enc_priv_does_selection},
    {OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))hwc_enc_pem_encode},
    {0, NULL}};

const OSSL_DISPATCH hwc_der_encoder_functions[] = {
    {OSSL_FUNC_ENCODER_NEWCTX, (void (*)(void))hwc_enc_newctx},
    {OSSL_FUNC_ENCODER_FREECTX, (void (*)(void))hwc_enc_freectx},
    {OSSL_FUNC_ENCODER_DOES_SELECTION,
     (void (*)(void))hwc_enc_priv_does_selection},
    {OSSL_FUNC_ENCODER_ENCODE, (void (*)(void))hwc_enc_der_encode},
    {0, NULL}};
