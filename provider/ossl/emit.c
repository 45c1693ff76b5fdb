/* emit.c: see emit.h. */
#include <openssl/core_names.h>
#include <openssl/core_object.h>
#include <openssl/params.h>

#include "ossl/emit.h"

int hwc_emit_obj(const hwc_obj *o, OSSL_CALLBACK *cb, void *cbarg)
{
    OSSL_PARAM params[5], *p = params;
    int type = o->kind == HWC_OBJ_CERT ? OSSL_OBJECT_CERT : OSSL_OBJECT_PKEY;

    *p++ = OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &type);
    if (o->kind != HWC_OBJ_CERT) {
        *p++ = OSSL_PARAM_construct_utf8_string(OSSL_OBJECT_PARAM_DATA_TYPE,
                                                (char *)o->data_type, 0);
        *p++ = OSSL_PARAM_construct_utf8_string(
            OSSL_OBJECT_PARAM_DATA_STRUCTURE,
            o->kind == HWC_OBJ_PRIVKEY ? "PrivateKeyInfo"
                                       : "SubjectPublicKeyInfo",
            0);
    }
    *p++ = OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_DATA, o->der,
                                             o->der_len);
    *p = OSSL_PARAM_construct_end();
    return cb(params, cbarg);
}

int hwc_emit_rkey(hwc_rkey *const *ref, OSSL_CALLBACK *cb, void *cbarg)
{
    OSSL_PARAM params[4];
    int type = OSSL_OBJECT_PKEY;

    params[0] = OSSL_PARAM_construct_int(OSSL_OBJECT_PARAM_TYPE, &type);
    params[1] = OSSL_PARAM_construct_utf8_string(
        OSSL_OBJECT_PARAM_DATA_TYPE, (char *)hwc_rkey_type_name(*ref), 0);
    params[2] = OSSL_PARAM_construct_octet_string(OSSL_OBJECT_PARAM_REFERENCE,
                                                  (void *)ref, sizeof(*ref));
    params[3] = OSSL_PARAM_construct_end();
    return cb(params, cbarg);
}

int hwc_refuse_export_object(void *ctx, const void *reference,
                             size_t reference_sz, OSSL_CALLBACK *export_cb,
                             void *export_cbarg)
{
    (void)ctx, (void)reference, (void)reference_sz, (void)export_cb,
        (void)export_cbarg;
    return 0;
}
