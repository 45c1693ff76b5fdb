/*
 * decodectx.c: the library context where bytes that others chose (service
 * answers, downloads, keystores) are decoded. Only OpenSSL's default
 * provider is loaded in it: not the application's providers and never
 * hwcloud, so none of our decoders can run on those bytes. Decoding them in
 * the application's context let an SCM answer whose private_key was a
 * PEM-wrapped URI send the provider off to fetch whatever it named, with the
 * operator's credentials, and a key naming its own certificate recursed
 * until the stack ran out.
 *
 * One context serves the process (it holds no configuration); provider
 * instances hold it and the last to go frees it. Outside a provider (the
 * tool, tests) it lives until exit.
 */
#include <pthread.h>

#include <openssl/crypto.h>
#include <openssl/provider.h>

#include "formats/decodectx.h"
#include "core/hwc.h"

/* A forklock: a child forked while another thread makes the context finds
 * it whole and the lock free. */
static hwc_forklock lock;
static pthread_once_t lock_once = PTHREAD_ONCE_INIT;
static OSSL_LIB_CTX *ctx;
static OSSL_PROVIDER *dflt;
static int holders;

static void lock_init(void)
{
    hwc_forklock_init(&lock, NULL, NULL);
}

/* libcrypto's own locks are never taken under ours (a thread-stop
 * callback of ours runs under one of libcrypto's and takes ours): the
 * context is made and freed outside the lock. */
static void ctx_free(OSSL_LIB_CTX *c, OSSL_PROVIDER *p)
{
    if (c != NULL) {
        OSSL_PROVIDER_unload(p);
        OSSL_LIB_CTX_free(c);
    }
}

static OSSL_LIB_CTX *ctx_new(OSSL_PROVIDER **p)
{
    OSSL_LIB_CTX *c = OSSL_LIB_CTX_new();

    if (c != NULL && (*p = OSSL_PROVIDER_load(c, "default")) == NULL) {
        OSSL_LIB_CTX_free(c);
        c = NULL;
    }
    return c;
}

OSSL_LIB_CTX *hwc_decode_libctx(void)
{
    OSSL_LIB_CTX *c, *made = NULL;
    OSSL_PROVIDER *made_dflt = NULL;

    pthread_once(&lock_once, lock_init);
    hwc_forklock_lock(&lock);
    c = ctx;
    hwc_forklock_unlock(&lock);
    if (c == NULL && (made = ctx_new(&made_dflt)) != NULL) {
        hwc_forklock_lock(&lock);
        if (ctx == NULL) {
            ctx = made;
            dflt = made_dflt;
            made = NULL;
            made_dflt = NULL;
        }
        c = ctx;
        hwc_forklock_unlock(&lock);
        ctx_free(made, made_dflt); /* another thread was first */
    }
    if (c == NULL) {
        hwc_raise(HWC_R_MALLOC,
                  "no library context to decode in (OpenSSL's default "
                  "provider would not load)");
    }
    return c;
}

void hwc_decode_libctx_hold(void)
{
    pthread_once(&lock_once, lock_init);
    hwc_forklock_lock(&lock);
    holders++;
    hwc_forklock_unlock(&lock);
}

void hwc_decode_libctx_release(void)
{
    OSSL_LIB_CTX *c = NULL;
    OSSL_PROVIDER *p = NULL;

    hwc_forklock_lock(&lock);
    if (holders > 0 && --holders == 0) {
        c = ctx;
        p = dflt;
        dflt = NULL;
        ctx = NULL;
    }
    hwc_forklock_unlock(&lock);
    ctx_free(c, p);
}
