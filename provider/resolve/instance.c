/*
 * instance.c: what a provider instance makes on demand, and the accessors
 * of the fetch and listing code (see instance.h).
 */
#include <openssl/crypto.h>
#include <openssl/provider.h>

#include "auth/auth.h"
#include "core/hwc.h"
#include "resolve/instance.h"

struct hwc_plain_libctx {
    OSSL_LIB_CTX *libctx;
    OSSL_PROVIDER *null;
};

/*
 * Publishes a lazily made object: the first thread's wins and the others
 * free theirs. No lock is held while one is made, so a fork can never
 * find a creation half done.
 */
static void *install(void **slot, void *made, void (*free_fn)(void *))
{
    void *expected = NULL;

    if (made != NULL &&
        !__atomic_compare_exchange_n(slot, &expected, made, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        free_fn(made);
        return expected;
    }
    return made;
}

int hwc_prov_usable(const hwc_provctx *prov, const char *what)
{
    if (prov->config_error == NULL) {
        return 1;
    }
    hwc_raise(HWC_R_CONFIG, "%s: %s", what, prov->config_error);
    return 0;
}

static void auth_free_fn(void *a)
{
    hwc_auth_free(a);
}

hwc_auth *hwc_prov_auth(hwc_provctx *prov)
{
    hwc_auth *a = __atomic_load_n(&prov->auth, __ATOMIC_ACQUIRE);

    if (!hwc_prov_usable(prov, "credentials")) {
        return NULL;
    }
    if (a != NULL) {
        return a;
    }
    return install((void **)&prov->auth, hwc_auth_new(prov->settings),
                   auth_free_fn);
}

static void plain_free_fn(void *v)
{
    struct hwc_plain_libctx *p = v;

    if (p != NULL) {
        OSSL_PROVIDER_unload(p->null);
        OSSL_LIB_CTX_free(p->libctx);
        OPENSSL_free(p);
    }
}

static struct hwc_plain_libctx *plain_new(void)
{
    struct hwc_plain_libctx *p = OPENSSL_zalloc(sizeof(*p));

    if (p == NULL) {
        return NULL;
    }
    if ((p->libctx = OSSL_LIB_CTX_new()) == NULL ||
        (p->null = OSSL_PROVIDER_load(p->libctx, "null")) == NULL) {
        plain_free_fn(p);
        return NULL;
    }
    return p;
}

OSSL_LIB_CTX *hwc_prov_plain_libctx(hwc_provctx *prov)
{
    struct hwc_plain_libctx *p =
        __atomic_load_n(&prov->plain, __ATOMIC_ACQUIRE);

    if (p == NULL) {
        p = install((void **)&prov->plain, plain_new(), plain_free_fn);
    }
    return p != NULL ? p->libctx : NULL;
}

void hwc_prov_offer_remote_keys(hwc_provctx *prov)
{
    if (!__atomic_exchange_n(&prov->remote_keys, 1, __ATOMIC_ACQ_REL)) {
        hwc_debug("remote-key algorithms offered from now on");
    }
}

int hwc_prov_remote_keys_offered(const hwc_provctx *prov)
{
    return __atomic_load_n(&prov->remote_keys, __ATOMIC_ACQUIRE);
}

void hwc_prov_free_made(hwc_provctx *prov)
{
    plain_free_fn(prov->plain);
    hwc_auth_free(prov->auth);
    prov->plain = NULL;
    prov->auth = NULL;
}
