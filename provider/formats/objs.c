/*
 * objs.c: the list of decoded objects (certificates, PKCS#8 private keys,
 * SPKI public keys) that every decoder appends to. Private-key bytes are
 * wiped when the list is freed.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "formats/objs.h"
#include "core/hwc.h"

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
        hwc_raise(HWC_R_INTERNAL, "hwc_objs_add: invalid arguments");
        return 0;
    }
    memset(&o, 0, sizeof(o));
    o.kind = kind;
    if (data_type != NULL) {
        snprintf(o.data_type, sizeof(o.data_type), "%s", data_type);
    }
    if (!objs_reserve(l, 1) || (o.der = OPENSSL_memdup(der, len)) == NULL) {
        hwc_raise(HWC_R_MALLOC, "decoded object list");
        return 0;
    }
    o.der_len = len;
    if (label != NULL && (o.label = OPENSSL_strdup(label)) == NULL) {
        obj_clear(&o);
        hwc_raise(HWC_R_MALLOC, "decoded object list");
        return 0;
    }
    l->v[l->n++] = o;
    return 1;
}

/* Room for the "; and N more" tail behind the notes kept. */
#define FAILED_CAP (HWC_FAILED_MAX_LEN + 1)
#define FAILED_TAIL (FAILED_CAP - HWC_FAILED_MAX_TEXT)

/* The buffer is allocated once at its full size: notes are appended in
 * place, never by copying what came before. */
static int failed_room(hwc_objs *l)
{
    if (l->failed == NULL) {
        if ((l->failed = OPENSSL_malloc(FAILED_CAP)) == NULL) {
            return 0;
        }
        l->failed[0] = '\0';
        l->failed_len = l->failed_notes = l->failed_more = 0;
    }
    return 1;
}

static void failed_tail(hwc_objs *l)
{
    l->failed[l->failed_len] = '\0';
    if (l->failed_more > 0) {
        snprintf(l->failed + l->failed_len, FAILED_TAIL, "%sand %zu more",
                 l->failed_len > 0 ? "; " : "", l->failed_more);
    }
}

/* n bytes of s, shortened to a UTF-8 boundary when cut. */
static size_t cut_utf8(const char *s, size_t n, size_t max)
{
    if (n <= max) {
        return n;
    }
    while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) {
        max--;
    }
    return max;
}

/* Appends `notes` notes made of up to three pieces (at most max bytes in
 * all), or counts them as dropped. */
static void failed_put(hwc_objs *l, const char *a, const char *b, const char *c,
                       size_t notes, size_t max)
{
    const char *parts[3] = {a, b, c};
    size_t len[3], total = 0, sep = l->failed_len > 0 ? 2 : 0;

    for (size_t i = 0; i < 3; i++) {
        len[i] = parts[i] != NULL ? strlen(parts[i]) : 0;
        len[i] = len[i] > 0 ? cut_utf8(parts[i], len[i], max - total) : 0;
        total += len[i];
    }
    if (l->failed_more > 0 || l->failed_notes + notes > HWC_FAILED_MAX_NOTES ||
        l->failed_len + sep + total > HWC_FAILED_MAX_TEXT) {
        l->failed_more += notes;
        failed_tail(l);
        return;
    }
    memcpy(l->failed + l->failed_len, "; ", sep);
    l->failed_len += sep;
    for (size_t i = 0; i < 3; i++) {
        if (len[i] > 0) {
            memcpy(l->failed + l->failed_len, parts[i], len[i]);
            l->failed_len += len[i];
        }
    }
    l->failed_notes += notes;
    failed_tail(l);
}

int hwc_objs_note_failure(hwc_objs *l, const char *label, const char *why)
{
    if (l == NULL) {
        hwc_raise(HWC_R_INTERNAL, "hwc_objs_note_failure: invalid arguments");
        return 0;
    }
    if (!failed_room(l)) {
        hwc_raise(HWC_R_MALLOC, "decoded object list");
        return 0;
    }
    failed_put(l, label, label != NULL ? ": " : NULL,
               why != NULL ? why : "failed", 1, HWC_FAILED_MAX_NOTE);
    return 1;
}

/* src's notes behind dst's, as one piece (kept whole or dropped whole). */
static void failed_merge(hwc_objs *dst, hwc_objs *src)
{
    if (src->failed == NULL) {
        return;
    }
    if (dst->failed == NULL) {
        dst->failed = src->failed;
        dst->failed_len = src->failed_len;
        dst->failed_notes = src->failed_notes;
        dst->failed_more = src->failed_more;
        src->failed = NULL;
        return;
    }
    if (src->failed_notes > 0) {
        src->failed[src->failed_len] = '\0';
        failed_put(dst, src->failed, NULL, NULL, src->failed_notes,
                   HWC_FAILED_MAX_TEXT);
    }
    dst->failed_more += src->failed_more;
    failed_tail(dst);
}

int hwc_objs_move(hwc_objs *dst, hwc_objs *src)
{
    if (dst == NULL || src == NULL || dst == src) {
        hwc_raise(HWC_R_INTERNAL, "hwc_objs_move: invalid arguments");
        return 0;
    }
    if (!objs_reserve(dst, src->n)) {
        hwc_raise(HWC_R_MALLOC, "decoded object list");
        return 0;
    }
    failed_merge(dst, src);
    if (src->n > 0) {
        memcpy(dst->v + dst->n, src->v, src->n * sizeof(hwc_obj));
        dst->n += src->n;
    }
    OPENSSL_free(src->v);
    OPENSSL_free(src->failed);
    memset(src, 0, sizeof(*src));
    return 1;
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

int hwc_obj_subject_is(const hwc_obj *o, const X509_NAME *name,
                       OSSL_LIB_CTX *libctx)
{
    const unsigned char *p = o->der;
    X509 *x = NULL;
    int match;

    if (o->kind != HWC_OBJ_CERT ||
        (libctx != NULL && (x = X509_new_ex(libctx, NULL)) == NULL)) {
        return 0;
    }
    ERR_set_mark();
    x = d2i_X509(&x, &p, (long)o->der_len); /* frees x on failure */
    ERR_pop_to_mark();
    match = x != NULL && X509_NAME_cmp(X509_get_subject_name(x), name) == 0;
    X509_free(x);
    return match;
}
