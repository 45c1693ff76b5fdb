/*
 * fetch.h: URI -> settings -> service call -> decode. Given a parsed URI,
 * fetches what it names from the cloud and returns it as DER objects (and,
 * for a KMS key, a remote-key handle), through the instance's cache. Its
 * users: the store loader, the wrapped-URI decoder, and the listing (for
 * the candidates of a subject search, and for its client).
 */
#ifndef HWC_FETCH_H
#define HWC_FETCH_H

#include <openssl/core.h>

#include "formats/objs.h"
#include "services/client.h"
#include "resolve/instance.h"
#include "resolve/rkey.h"
#include "resolve/uri.h"

typedef struct hwc_fetch_req {
    const char *uri_text;
    const hwc_uri *uri;
    int expect; /* OSSL_STORE_INFO_* or 0 */
    OSSL_PASSPHRASE_CALLBACK *pw_cb;
    void *pw_cbarg;
} hwc_fetch_req;

typedef struct hwc_fetched {
    hwc_objs objs;
    hwc_rkey *rkey; /* kms:key/ only, unless only the public key was asked */
} hwc_fetched;

int hwc_fetch(hwc_provctx *prov, const hwc_fetch_req *req, hwc_fetched *out);

/* The client for one URI: the provider's credentials and settings with the
 * URI's region/project_id on top. NULL with an error raised. */
hwc_client *hwc_fetch_client(hwc_provctx *prov, const hwc_uri *uri,
                             const char *uri_text);
void hwc_fetched_free(hwc_fetched *f);

/* The id a kms:alias/ or scm:name/ URI resolves to (cached like a fetch,
 * and shared with it), without fetching the object. 0 with an error
 * raised (HWC_R_NOT_FOUND when nothing has that alias or name). */
int hwc_fetch_resolve(hwc_provctx *prov, const hwc_uri *uri,
                      const char *uri_text, char *id, size_t cap);

#endif /* HWC_FETCH_H */
