/*
 * uri_decoder.c: a provider URI wrapped in a key file ("-----BEGIN HWCLOUD
 * PROVIDER URI-----", or its bare DER) decoded into the private key the
 * URI names, for software that reads keys with PEM_read_bio_PrivateKey
 * (nginx, HAProxy, Apache, curl) or through the file: store (openssl
 * apps). Registered only with `uri_pem = yes` in our openssl.cnf section:
 * every decoder a provider offers makes every decode in the process
 * longer (with OpenSSL 3.0 and 3.1, which build a decoder chain for each
 * key and certificate parsed, each of ours costs a few percent), and a
 * process that never reads a wrapped URI should pay nothing.
 *
 * The chain, after pkcs11-provider's decoder.c:
 *   "DER" input=pem | input=der (no structure: OpenSSL 3.5's file: store
 *       keeps only decoders of the structure it expects, or of none)
 *       unwraps the URI and fetches it once (hwc_fetch), then emits
 *       - scm:, codearts: a plain PKCS#8 key: DER with data structure
 *         PrivateKeyInfo, which the default provider's decoders turn into
 *         a key (there is no reference to load it by);
 *       - kms: a hand-off token (structure hwcloud-remote-key), because
 *         a key by reference may only be emitted by a decoder whose
 *         output type is the key type, and because the file: store would
 *         hand a reference emitted here to the default provider's keymgmt
 *         (it loads references with the loader's provider), which would
 *         take our handle for one of its own keys.
 *   "RSA" / "EC" / "SM2" input=der,structure=hwcloud-remote-key
 *       swap the token for the remote key and emit it by reference, so
 *       that our keymgmt loads it (it takes its own reference, rkey.h).
 * The token is only valid inside the callback of the decoder that made
 * it, in the same thread: it names a thread-local slot and carries a
 * random nonce, so bytes from a file can never be taken for a key handle.
 */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_dispatch.h>
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/store.h>

#include "formats/objs.h"
#include "formats/uriwrap.h"
#include "ossl/emit.h"
#include "resolve/fetch.h"
#include "core/hwc.h"
#include "ossl/provider.h"
#include "resolve/rkey.h"
#include "resolve/uri.h"

#define HANDOFF_STRUCTURE "hwcloud-remote-key"
#define HANDOFF_MAGIC "HWCRKEY1" /* not DER: never starts with 0x30 */
#define HANDOFF_MAGIC_LEN 8
#define HANDOFF_NONCE_LEN 16
#define HANDOFF_LEN (HANDOFF_MAGIC_LEN + HANDOFF_NONCE_LEN)
/* A wrapped URI is at most 64 KiB of URI plus a few bytes of DER. */
#define MAX_WRAPPED_DER (65535 + 64)

static OSSL_FUNC_decoder_newctx_fn hwc_dec_newctx;
static OSSL_FUNC_decoder_freectx_fn hwc_dec_freectx;
static OSSL_FUNC_decoder_does_selection_fn hwc_dec_does_selection;
static OSSL_FUNC_decoder_decode_fn hwc_dec_pem_decode;
static OSSL_FUNC_decoder_decode_fn hwc_dec_der_decode;
static OSSL_FUNC_decoder_decode_fn hwc_dec_rsa_decode;
static OSSL_FUNC_decoder_decode_fn hwc_dec_ec_decode;

typedef struct hwc_dec_ctx {
    hwc_provctx *prov;
} hwc_dec_ctx;

/* The remote key being handed from the URI decoder to a key decoder. */
struct handoff {
    hwc_rkey *key;
    unsigned char nonce[HANDOFF_NONCE_LEN];
};
static _Thread_local struct handoff current_handoff;

static void *hwc_dec_newctx(void *provctx)
{
    hwc_dec_ctx *ctx = OPENSSL_zalloc(sizeof(*ctx));

    if (ctx == NULL) {
        hwc_raise(HWC_R_MALLOC, "decoder context");
        return NULL;
    }
    ctx->prov = provctx;
    return ctx;
}

static void hwc_dec_freectx(void *vctx)
{
    OPENSSL_clear_free(vctx, sizeof(hwc_dec_ctx));
}

/*---------------------------------------------------------- emitting */

/* Publishes the key in this thread's hand-off slot for the duration of
 * the callback, then clears it (the previous slot is restored, should a
 * callback ever decode another wrapped URI). */
static int emit_handoff(hwc_dec_ctx *ctx, hwc_rkey *key, OSSL_CALLBACK *data_cb,
                        void *cbarg)
{
    struct handoff saved = current_handoff;
    unsigned char token[HANDOFF_LEN];
    int type = OSSL_OBJECT_PKEY, ok;
    OSSL_PARAM params[5];

    memcpy(token, HANDOFF_MAGIC, HANDOFF_MAGIC_LEN);
    if (RAND_bytes_ex(ctx->prov->libctx, token + HANDOFF_MAGIC_LEN,
                      HANDOFF_NONCE_LEN, 0) <= 0) {
        hwc_raise(HWC_R_INTERNAL, "no random bytes for a nonce");
        return 0;
    }
    current_handoff.key = key;
    memcpy(current_handoff.nonce, token + HANDOFF_MAGIC_LEN, HANDOFF_NONCE_LEN);
    params[0] = OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &type);
    params[1] = OSSL_PARAM_construct_utf8_string(
        OSSL_OBJECT_PARAM_DATA_TYPE, (char *)hwc_rkey_type_name(key), 0);
    params[2] = OSSL_PARAM_construct_utf8_string(
        OSSL_OBJECT_PARAM_DATA_STRUCTURE, HANDOFF_STRUCTURE, 0);
    params[3] = OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_DATA, token,
                                                  sizeof(token));
    params[4] = OSSL_PARAM_construct_end();
    ok = data_cb(params, cbarg);
    current_handoff = saved;
    OPENSSL_cleanse(token, sizeof(token));
    return ok;
}

/*---------------------------------------------------------- resolving */

static const hwc_obj *first_private_key(const hwc_objs *l)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].kind == HWC_OBJ_PRIVKEY) {
            return &l->v[i];
        }
    }
    return NULL;
}

/* Fetches what the URI names and emits its private key. */
static int resolve_uri(hwc_dec_ctx *ctx, const char *uri,
                       OSSL_CALLBACK *data_cb, void *cbarg,
                       OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    hwc_uri parsed;
    hwc_fetch_req req = {uri, &parsed, OSSL_STORE_INFO_PKEY, pw_cb, pw_cbarg};
    hwc_fetched got;
    const hwc_obj *key;
    int ok = 0;

    if (!hwc_uri_parse(uri, &parsed)) {
        return 0;
    }
    if (hwc_uri_is_listing(&parsed)) {
        hwc_raise(HWC_R_URI_INVALID,
                  "%s (PEM-wrapped URI) is a listing, not a key: wrap the "
                  "URI of one key",
                  uri);
        return 0;
    }
    if (!hwc_fetch(ctx->prov, &req, &got)) {
        return 0;
    }
    if (got.rkey != NULL) {
        ok = emit_handoff(ctx, got.rkey, data_cb, cbarg);
    } else if ((key = first_private_key(&got.objs)) != NULL) {
        /* For the default provider's PrivateKeyInfo decoders (and, in the
         * file: store, for its own key-by-value path). */
        ok = hwc_emit_obj(key, data_cb, cbarg);
    } else {
        hwc_raise(HWC_R_NOT_FOUND, "%s (PEM-wrapped URI) names no private key",
                  uri);
    }
    if (!ok && ERR_peek_last_error() == 0) {
        hwc_raise(HWC_R_UNSUPPORTED,
                  "%s (PEM-wrapped URI): the key could not be loaded", uri);
    }
    hwc_fetched_free(&got);
    return ok;
}

/* der is a wrapped URI (its label or structure said so): decoding it is
 * ours to finish or to fail, with an error the user will see. */
static int decode_wrapped(hwc_dec_ctx *ctx, const unsigned char *der,
                          size_t len, OSSL_CALLBACK *data_cb, void *cbarg,
                          OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    char *uri = hwc_uri_unwrap_der(der, len);
    int ok = 0;

    if (uri == NULL) {
        return 0;
    }
    if (hwc_prov_usable(ctx->prov, uri) &&
        hwc_uri_pem_permit(ctx->prov->settings, uri)) {
        hwc_debug("decoding the PEM-wrapped URI %s", uri);
        ok = resolve_uri(ctx, uri, data_cb, cbarg, pw_cb, pw_cbarg);
    }
    OPENSSL_free(uri);
    return ok;
}

/*---------------------------------------------------------- decoders */

/* The BEGIN line of a PEM-wrapped URI (without its line end). */
#define URI_BEGIN "-----BEGIN " HWC_URI_PEM_LABEL "-----"
#define URI_BEGIN_LEN (sizeof(URI_BEGIN) - 1)

/*
 * Every PEM input that libcrypto decodes (each certificate and key file
 * of a server, with the provider merely loaded) passes through here, so
 * the input is read only up to its first BEGIN line unless that line is
 * ours, instead of base64-decoding every block a second time. Returns 1 with
 * the block's DER when the first block is a wrapped URI, 0 otherwise (not ours,
 * or malformed: the PEM decoders of the default provider say what is wrong with
 * it).
 */
static int read_our_pem_block(hwc_dec_ctx *ctx, OSSL_CORE_BIO *cin,
                              unsigned char **der, long *len)
{
    OSSL_FUNC_BIO_gets_fn *gets = ctx->prov->bio_gets;
    BIO *mem = NULL;
    char line[256], *name = NULL, *header = NULL;
    int n, ok = 0;

    while (gets != NULL && (n = gets(cin, line, sizeof(line))) > 0) {
        if (strncmp(line, "-----BEGIN ", 11) != 0) {
            continue; /* text before the first block, as PEM_read_bio skips */
        }
        if (strncmp(line, URI_BEGIN, URI_BEGIN_LEN) != 0) {
            break;
        }
        /* Ours: the BEGIN line just read and the rest of the block. */
        mem = BIO_new(BIO_s_mem());
        ok = mem != NULL;
        do {
            ok = ok && BIO_write(mem, line, n) == n &&
                 BIO_number_written(mem) <= 2 * MAX_WRAPPED_DER;
        } while (ok && (n = gets(cin, line, sizeof(line))) > 0);
        ERR_set_mark();
        ok = ok && PEM_read_bio(mem, &name, &header, der, len) > 0;
        ERR_pop_to_mark();
        break;
    }
    OPENSSL_free(name);
    OPENSSL_free(header);
    BIO_free(mem);
    return ok;
}

static int hwc_dec_pem_decode(void *vctx, OSSL_CORE_BIO *cin, int selection,
                              OSSL_CALLBACK *data_cb, void *cbarg,
                              OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    hwc_dec_ctx *ctx = vctx;
    unsigned char *der = NULL;
    long len = 0;
    int ok;

    (void)selection;
    if (!read_our_pem_block(ctx, cin, &der, &len)) {
        return 1; /* not ours: let the other decoders try */
    }
    ok = decode_wrapped(ctx, der, (size_t)len, data_cb, cbarg, pw_cb, pw_cbarg);
    OPENSSL_free(der);
    return ok;
}

/* Room for the start of either form of a wrapped URI. */
#define HEAD_LEN 64

/* Whether head (n bytes) starts like a wrapped URI: our SEQUENCE with the
 * magic first. */
static int head_is_ours(const unsigned char *head, size_t n)
{
    size_t mlen = strlen(HWC_URI_PEM_MAGIC), off;

    if (n < 2 || head[0] != 0x30) {
        return 0;
    }
    off = 2 + ((head[1] & 0x80) ? (size_t)(head[1] & 0x7f) : 0);
    return off + 2 + mlen <= n && head[off] == 0x1a && head[off + 1] == mlen &&
           memcmp(head + off + 2, HWC_URI_PEM_MAGIC, mlen) == 0;
}

/*
 * Reads all of a small DER input that starts like a wrapped URI; 0 when it
 * does not, or is larger than one can be. Every DER object libcrypto
 * decodes passes through here, so only its first bytes are read unless
 * they are ours.
 */
static int read_small(hwc_dec_ctx *ctx, OSSL_CORE_BIO *cin, hwc_buf *b)
{
    OSSL_FUNC_BIO_read_ex_fn *read_ex = ctx->prov->bio_read_ex;
    unsigned char chunk[4096];
    size_t n;
    int ok = read_ex != NULL;

    while (ok && b->len < HEAD_LEN &&
           read_ex(cin, chunk, HEAD_LEN - b->len, &n) && n > 0) {
        ok = hwc_buf_append(b, chunk, n);
    }
    ok = ok && head_is_ours(b->data, b->len);
    while (ok && read_ex(cin, chunk, sizeof(chunk), &n) && n > 0) {
        ok = b->len + n <= MAX_WRAPPED_DER && hwc_buf_append(b, chunk, n);
    }
    return ok;
}

/* Whether der starts like our SEQUENCE (cheap, before any error path). */
static int looks_wrapped(const hwc_buf *b)
{
    char *uri;

    if (b->len < 4 || b->data[0] != 0x30) {
        return 0;
    }
    ERR_set_mark();
    uri = hwc_uri_unwrap_der(b->data, b->len);
    ERR_pop_to_mark();
    OPENSSL_free(uri);
    return uri != NULL;
}

static int hwc_dec_der_decode(void *vctx, OSSL_CORE_BIO *cin, int selection,
                              OSSL_CALLBACK *data_cb, void *cbarg,
                              OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    hwc_dec_ctx *ctx = vctx;
    hwc_buf b = {0};
    int ok = 1;

    (void)selection;
    if (read_small(ctx, cin, &b) && looks_wrapped(&b)) {
        ok =
            decode_wrapped(ctx, b.data, b.len, data_cb, cbarg, pw_cb, pw_cbarg);
    }
    hwc_buf_free(&b);
    return ok;
}

/* The hand-off token in cin, if it is this thread's current one. */
static hwc_rkey *take_handoff(hwc_dec_ctx *ctx, OSSL_CORE_BIO *cin)
{
    unsigned char token[HANDOFF_LEN + 1];
    size_t n = 0;

    if (ctx->prov->bio_read_ex == NULL ||
        !ctx->prov->bio_read_ex(cin, token, sizeof(token), &n) ||
        n != HANDOFF_LEN || current_handoff.key == NULL ||
        memcmp(token, HANDOFF_MAGIC, HANDOFF_MAGIC_LEN) != 0 ||
        CRYPTO_memcmp(token + HANDOFF_MAGIC_LEN, current_handoff.nonce,
                      HANDOFF_NONCE_LEN) != 0) {
        return NULL;
    }
    return current_handoff.key;
}

/* Emits the remote key by reference; our keymgmt's load takes it. */
static int decode_key(void *vctx, OSSL_CORE_BIO *cin, int base_id,
                      OSSL_CALLBACK *data_cb, void *cbarg)
{
    hwc_rkey *key = take_handoff(vctx, cin);

    if (key == NULL || key->base_id != base_id) {
        return 1; /* not ours, or the other key type's decoder */
    }
    return hwc_emit_rkey(&key, data_cb, cbarg);
}

static int hwc_dec_rsa_decode(void *vctx, OSSL_CORE_BIO *cin, int selection,
                              OSSL_CALLBACK *data_cb, void *cbarg,
                              OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    (void)selection, (void)pw_cb, (void)pw_cbarg;
    return decode_key(vctx, cin, EVP_PKEY_RSA, data_cb, cbarg);
}

static int hwc_dec_ec_decode(void *vctx, OSSL_CORE_BIO *cin, int selection,
                             OSSL_CALLBACK *data_cb, void *cbarg,
                             OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    (void)selection, (void)pw_cb, (void)pw_cbarg;
    return decode_key(vctx, cin, EVP_PKEY_EC, data_cb, cbarg);
}

static int hwc_dec_sm2_decode(void *vctx, OSSL_CORE_BIO *cin, int selection,
                              OSSL_CALLBACK *data_cb, void *cbarg,
                              OSSL_PASSPHRASE_CALLBACK *pw_cb, void *pw_cbarg)
{
    (void)selection, (void)pw_cb, (void)pw_cbarg;
    return decode_key(vctx, cin, EVP_PKEY_SM2, data_cb, cbarg);
}

/*---------------------------------------------------------- tables */

/*
 * A wrapped URI only ever names a private key: these decoders stay out of
 * decodes that cannot return one (the public key of every certificate
 * parsed), where OpenSSL would otherwise instantiate and chain them.
 */
static int hwc_dec_does_selection(void *provctx, int selection)
{
    (void)provctx;
    return selection == 0 || (selection & OSSL_KEYMGMT_SELECT_PRIVATE_KEY);
}

#define HWC_DEC_FUNCTIONS(name, decode)                                        \
    static const OSSL_DISPATCH name[] = {                                      \
        {OSSL_FUNC_DECODER_NEWCTX, (void (*)(void))hwc_dec_newctx},            \
        {OSSL_FUNC_DECODER_DOES_SELECTION,                                     \
         (void (*)(void))hwc_dec_does_selection},                              \
        {OSSL_FUNC_DECODER_FREECTX, (void (*)(void))hwc_dec_freectx},          \
        {OSSL_FUNC_DECODER_DECODE, (void (*)(void))decode},                    \
        {OSSL_FUNC_DECODER_EXPORT_OBJECT,                                      \
         (void (*)(void))hwc_refuse_export_object},                            \
        {0, NULL}}

HWC_DEC_FUNCTIONS(hwc_pem_uri_decoder_functions, hwc_dec_pem_decode);
HWC_DEC_FUNCTIONS(hwc_der_uri_decoder_functions, hwc_dec_der_decode);
HWC_DEC_FUNCTIONS(hwc_rsa_handoff_decoder_functions, hwc_dec_rsa_decode);
HWC_DEC_FUNCTIONS(hwc_ec_handoff_decoder_functions, hwc_dec_ec_decode);
HWC_DEC_FUNCTIONS(hwc_sm2_handoff_decoder_functions, hwc_dec_sm2_decode);

static const OSSL_ALGORITHM hwc_decoder_algs[] = {
    {"DER", HWC_PROPS ",input=pem", hwc_pem_uri_decoder_functions,
     "hwcloud provider URI in a PEM block"},
    {"DER", HWC_PROPS ",input=der", hwc_der_uri_decoder_functions,
     "hwcloud provider URI in DER"},
    {"RSA", HWC_PROPS ",input=der,structure=" HANDOFF_STRUCTURE,
     hwc_rsa_handoff_decoder_functions, "RSA key held in Huawei Cloud KMS"},
    {"EC", HWC_PROPS ",input=der,structure=" HANDOFF_STRUCTURE,
     hwc_ec_handoff_decoder_functions, "EC key held in Huawei Cloud KMS"},
    {"SM2", HWC_PROPS ",input=der,structure=" HANDOFF_STRUCTURE,
     hwc_sm2_handoff_decoder_functions, "SM2 key held in Huawei Cloud KMS"},
    {NULL, NULL, NULL, NULL}};

const OSSL_ALGORITHM *hwc_decoder_algorithms(int uri_pem)
{
    return uri_pem ? hwc_decoder_algs : NULL;
}
