/*
 * objs.c: the list of decoded objects (certificates, PKCS#8 private keys,
 * SPKI public keys) that every decoder appends to. Private-key bytes are
 * wiped when the list is freed.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include "decode.h"
#include "hwc.h"

static void obj_clear(hwc_obj *o)
{
    if (o->kind == HWC_OBJ_PRIVKEY) {
        OPENSSL_clear_free(o->der, o->der_len);
    } else {
        OPENSSL_free(o->der);
    }
    OPENSSL_free(o->label);
    memset(o, 0, sizeof(*o));
}

static int objs_reserve(hwc_objs *l, size_t extra)
{
    size_t ncap;
    hwc_obj *nv;

    if (extra > SIZE_MAX / sizeof(hwc_obj) - l->n) {
        return 0;
    }
    if (l->n + extra <= l->cap) {
        return 1;
    }
    ncap = l->cap ? l->cap : 4;
    while (ncap < l->n + extra) {
        ncap = ncap > SIZE_MAX / sizeof(hwc_obj) / 2 ? l->n + extra : ncap * 2;
    }
    /* The array holds pointers and sizes only, never key bytes. */
    nv = OPENSSL_realloc(l->v, ncap * sizeof(hwc_obj));
    if (nv == NULL) {
        return 0;
    }
    l->v = nv;
    l->cap = ncap;
    return 1;
}

int hwc_objs_add(hwc_objs *l, enum hwc_obj_kind kind, const char *data_type,
                 const unsigned char *der, size_t len, const char *label)
{
    hwc_obj o;

    if (l == NULL || der == NULL || len == 0 ||
        (kind != HWC_OBJ_CERT && kind != HWC_OBJ_PRIVKEY &&
         kind != HWC_OBJ_PUBKEY)) {
        hwc_raise(NULL, HWC_R_INTERNAL, "hwc_objs_add: invalid arguments");
        return 0;
    }
    memset(&o, 0, sizeof(o));
    o.kind = kind;
    if (data_type != NULL) {
        snprintf(o.data_type, sizeof(o.data_type), "%s", data_type);
    }
    if (!objs_reserve(l, 1) || (o.der = OPENSSL_memdup(der, len)) == NULL) {
        hwc_raise(NULL, HWC_R_MALLOC, "decoded object list");
        return 0;
    }
    o.der_len = len;
    if (label != NULL && (o.label = OPENSSL_strdup(label)) == NULL) {
        obj_clear(&o);
        hwc_raise(NULL, HWC_R_MALLOC, "decoded object list");
        return 0;
    }
    l->v[l->n++] = o;
    return 1;
}

/* Appends "label: why" (or "why") to *failed, "; "-separated. */
static int failed_append(char **failed, const char *label, const char *why)
{
    hwc_buf b = {0};
    char *s;

    if ((*failed != NULL && !hwc_buf_printf(&b, "%s; ", *failed)) ||
        (label != NULL && !hwc_buf_printf(&b, "%s: ", label)) ||
        !hwc_buf_append_str(&b, why != NULL ? why : "failed") ||
        (s = (char *)hwc_buf_steal(&b, NULL)) == NULL) {
        hwc_buf_free(&b);
        return 0;
    }
    OPENSSL_free(*failed);
    *failed = s;
    return 1;
}

int hwc_objs_note_failure(hwc_objs *l, const char *label, const char *why)
{
    if (l == NULL) {
        hwc_raise(NULL, HWC_R_INTERNAL,
                  "hwc_objs_note_failure: invalid arguments");
        return 0;
    }
    if (!failed_append(&l->failed, label, why)) {
        hwc_raise(NULL, HWC_R_MALLOC, "decoded object list");
        return 0;
    }
    return 1;
}

int hwc_objs_move(hwc_objs *dst, hwc_objs *src)
{
    char *failed = NULL;

    if (dst == NULL || src == NULL || dst == src) {
        hwc_raise(NULL, HWC_R_INTERNAL, "hwc_objs_move: invalid arguments");
        return 0;
    }
    if (src->failed != NULL) {
        if (dst->failed != NULL && !failed_append(&failed, NULL, dst->failed)) {
            goto oom;
        }
        if (!failed_append(&failed, NULL, src->failed)) {
            goto oom;
        }
    }
    if (!objs_reserve(dst, src->n)) {
        goto oom;
    }
    if (src->n > 0) {
        memcpy(dst->v + dst->n, src->v, src->n * sizeof(hwc_obj));
        dst->n += src->n;
    }
    if (failed != NULL) {
        OPENSSL_free(dst->failed);
        dst->failed = failed;
    }
    OPENSSL_free(src->v);
    OPENSSL_free(src->failed);
    memset(src, 0, sizeof(*src));
    return 1;
oom:
    OPENSSL_free(failed);
    hwc_raise(NULL, HWC_R_MALLOC, "decoded object list");
    return 0;
}

void hwc_objs_free(hwc_objs *l)
{
    if (l == NULL) {
        return;
    }
    for (size_t i = 0; i < l->n; i++) {
        obj_clear(&l->v[i]);
    }
    OPENSSL_free(l->v);
    OPENSSL_free(l->failed);
    memset(l, 0, sizeof(*l));
}
