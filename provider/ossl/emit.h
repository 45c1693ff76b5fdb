/*
 * emit.h: what the store loader and the wrapped-URI decoder hand to
 * libcrypto's object callback: a decoded object by value (DER with its
 * type and structure) or a remote key by reference, and the refusal to
 * export such a reference.
 */
#ifndef HWC_EMIT_H
#define HWC_EMIT_H

#include <stddef.h>

#include <openssl/core.h>

#include "formats/objs.h"
#include "resolve/rkey.h"

/* A certificate, or a key as PKCS#8 PrivateKeyInfo or
 * SubjectPublicKeyInfo DER, for libcrypto's own decoders. */
int hwc_emit_obj(const hwc_obj *o, OSSL_CALLBACK *cb, void *cbarg);

/*
 * A remote key by reference, for our keymgmt's load (which takes its own
 * reference, rkey.h). ref points to the caller's pointer to the key and
 * must stay valid while cb runs.
 */
int hwc_emit_rkey(hwc_rkey *const *ref, OSSL_CALLBACK *cb, void *cbarg);

/*
 * The export_object of the store and of the decoders. libcrypto asks it
 * when the keymgmt it picked for our reference is another provider's:
 * an export would hand over the public half only, and the caller would
 * get a public key where it asked for a private one. Always 0.
 */
int hwc_refuse_export_object(void *ctx, const void *reference,
                             size_t reference_sz, OSSL_CALLBACK *export_cb,
                             void *export_cbarg);

#endif /* HWC_EMIT_H */
