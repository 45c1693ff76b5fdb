/*
 * scmcerts.c: the certificates of an SCM export's fields (scmchain.c):
 * each PEM block read, checked by libcrypto in the plain context unless
 * the DER views already took it, and kept once however many fields hold
 * it.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "formats/decodectx.h"
#include "formats/der.h"
#include "core/hwc.h"
#include "formats/objs.h"
#include "formats/pem.h"
#include "formats/scmcerts.h"

const char *const hwc_scm_src_field[SRC_N] = {
    "certificate", "certificate_chain", "entire_certificate"};

void hwc_scm_list_free(struct scm_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        X509_free(l->v[i].x);
        OPENSSL_free(l->v[i].der);
    }
    OPENSSL_free(l->v);
    memset(l, 0, sizeof(*l));
}

/*
 * One certificate that is exactly der (OpenSSL's TRUSTED CERTIFICATE form
 * if aux), parsed in library context lc (NULL: libcrypto's default); NULL,
 * with nothing raised, when libcrypto refuses it.
 */
static X509 *d2i_exact(OSSL_LIB_CTX *lc, const unsigned char *der, size_t len,
                       int aux)
{
    const unsigned char *p = der;
    X509 *x = NULL, *r;

    if (len > LONG_MAX || (lc != NULL && (x = X509_new_ex(lc, NULL)) == NULL)) {
        return NULL;
    }
    ERR_set_mark();
    /* on failure d2i frees x and sets it to NULL */
    r = aux ? d2i_X509_AUX(&x, &p, (long)len) : d2i_X509(&x, &p, (long)len);
    ERR_pop_to_mark();
    if (r != NULL && p != der + len) {
        X509_free(r);
        r = NULL;
    }
    return r;
}

/*
 * Whether libcrypto takes der as exactly one certificate; *bad_ext tells
 * whether its extensions fail to decode (EXFLAG_INVALID), which makes
 * X509_check_issued refuse it as issuer and as subject.
 */
static int parses(const struct scm_list *l, const unsigned char *der,
                  size_t len, int *bad_ext)
{
    X509 *x = d2i_exact(l->plain, der, len, 0);

    /* The extension cache also takes the certificate's SHA-1 fingerprint,
     * which the plain context, with no digests, cannot: libcrypto queues
     * an "unsupported" error, marks the fingerprint missing and goes on.
     * Only EXFLAG_INVALID is read here, so that error is noise, and it
     * would stay on the caller's queue (storeutl printed it above "Total
     * found: 0" when a subject search matched nothing). */
    ERR_set_mark();
    *bad_ext = x != NULL && (X509_get_extension_flags(x) & EXFLAG_INVALID);
    ERR_pop_to_mark();
    X509_free(x);
    return x != NULL;
}

/*
 * Re-raises the last error (raised by a callee since the mark) with the
 * field name in front, dropping whatever else the callee left.
 */
void hwc_scm_reraise_in(const char *field)
{
    const char *data = NULL;
    int flags = 0, reason;
    unsigned long e = ERR_peek_last_error_data(&data, &flags);
    char msg[512];

    snprintf(msg, sizeof(msg), "%s",
             (e != 0 && (flags & ERR_TXT_STRING) && data != NULL) ? data
                                                                  : "invalid");
    reason = e != 0 ? ERR_GET_REASON(e) : HWC_R_DECODE;
    if (reason <= 0 || reason >= HWC_R_REASON_MAX) {
        reason = HWC_R_DECODE;
    }
    ERR_pop_to_mark();
    hwc_raise(reason, "%s: %s", field, msg);
}

int hwc_scm_blank(const char *s)
{
    if (s == NULL) {
        return 1;
    }
    for (; *s != '\0'; s++) {
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') {
            return 0;
        }
    }
    return 1;
}

/* The entry holding exactly these bytes, or NULL. */
static struct scm_cert *find_der(struct scm_list *l, const unsigned char *der,
                                 size_t len)
{
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].der_len == len && memcmp(l->v[i].der, der, len) == 0) {
            return &l->v[i];
        }
    }
    return NULL;
}

/*
 * Adds a certificate (der is taken, and x when not NULL) unless one with
 * the same DER is there, in which case it only gains its position pos in
 * field src. Returns the entry, or NULL with an error raised.
 */
static struct scm_cert *list_add(struct scm_list *l, unsigned char *der,
                                 size_t len, X509 *x, enum scm_src src,
                                 size_t pos, const hwc_pem_block *b, int block)
{
    struct scm_cert *c = find_der(l, der, len);

    if (c != NULL) {
        if (c->pos[src] == NOT_IN) {
            c->pos[src] = pos;
        }
        OPENSSL_free(der);
        X509_free(x);
        return c;
    }
    if (l->n == l->cap) {
        size_t ncap = l->cap ? l->cap * 2 : 8;
        struct scm_cert *nv;

        if (l->cap > 4096 ||
            (nv = OPENSSL_realloc(l->v, ncap * sizeof(*nv))) == NULL) {
            OPENSSL_free(der);
            X509_free(x);
            hwc_raise(HWC_R_MALLOC, "SCM certificate list");
            return NULL;
        }
        l->v = nv;
        l->cap = ncap;
    }
    c = &l->v[l->n++];
    memset(c, 0, sizeof(*c));
    c->der = der;
    c->der_len = len;
    c->x = x;
    /* Viewable: we read it, libcrypto takes it (checked where it has no
     * decoders, see hwc_assemble_scm). */
    c->viewable = hwc_cert_view_parse(der, len, &c->view) &&
                  parses(l, der, len, &c->bad_ext);
    for (int s = 0; s < SRC_N; s++) {
        c->pos[s] = NOT_IN;
    }
    c->pos[src] = pos;
    c->src = src;
    c->block = block;
    snprintf(c->label, sizeof(c->label), "%s", b->label);
    return c;
}

static int bad_block(enum scm_src src, int block, const char *label)
{
    hwc_raise(HWC_R_DECODE,
              "%s: PEM block %d (%s): not a valid X.509 certificate",
              hwc_scm_src_field[src], block, label);
    return 0;
}

/* The parsed certificate, parsing it now if need be; NULL with an error
 * raised when libcrypto does not take it. */
X509 *hwc_scm_cert_x509(struct scm_cert *c)
{
    if (c->x == NULL && (c->x = d2i_exact(hwc_decode_libctx(), c->der,
                                          c->der_len, 0)) == NULL) {
        bad_block(c->src, c->block, c->label);
    }
    return c->x;
}

/*
 * Certificates whose DER we can read ourselves are kept as they came (only
 * checked in the plain context that libcrypto takes them): the store hands
 * the bytes to libcrypto, which parses them then. Others (BER, anything
 * unusual) are parsed now and re-encoded as DER (a TRUSTED CERTIFICATE
 * without its trust settings). A bad one fails here, by name. A block seen
 * before (entire_certificate repeats the other fields) only gains its
 * position: each distinct certificate is looked at once.
 */
static int add_block(struct scm_list *l, const hwc_pem_block *b, int block,
                     int trusted, enum scm_src src, size_t pos)
{
    unsigned char *der = NULL;
    struct scm_cert *c;
    hwc_cert_view v;
    X509 *x;
    int len = 0;

    if (!trusted && (c = find_der(l, b->der, b->der_len)) != NULL) {
        if (c->pos[src] == NOT_IN) {
            c->pos[src] = pos;
        }
        return 1;
    }
    if (!trusted && hwc_cert_view_parse(b->der, b->der_len, &v)) {
        if ((der = OPENSSL_memdup(b->der, b->der_len)) == NULL) {
            hwc_raise(HWC_R_MALLOC, "SCM certificate list");
            return 0;
        }
        c = list_add(l, der, b->der_len, NULL, src, pos, b, block);
        return c != NULL && (c->viewable || bad_block(src, block, b->label));
    }
    if ((x = d2i_exact(hwc_decode_libctx(), b->der, b->der_len, trusted)) !=
        NULL) {
        ERR_set_mark();
        len = i2d_X509(x, &der);
        ERR_pop_to_mark();
    }
    if (len <= 0) {
        X509_free(x);
        return bad_block(src, block, b->label);
    }
    return list_add(l, der, (size_t)len, x, src, pos, b, block) != NULL;
}

/* Every certificate of one PEM field, in order. */
int hwc_scm_parse_field(const char *text, enum scm_src src, struct scm_list *l)
{
    const char *field = hwc_scm_src_field[src];
    hwc_pem_block *blocks = NULL;
    int n, ok = 0, found = 0;

    if (hwc_scm_blank(text)) {
        return 1;
    }
    if (strstr(text, "-----BEGIN ") == NULL) {
        hwc_raise(HWC_R_DECODE, "%s: not PEM (no BEGIN line)", field);
        return 0;
    }
    ERR_set_mark();
    n = hwc_pem_split(text, strlen(text), &blocks);
    if (n < 0) {
        hwc_scm_reraise_in(field);
        return 0;
    }
    ERR_clear_last_mark();
    for (int i = 0; i < n; i++) {
        const char *lab = blocks[i].label;
        int trusted = strcmp(lab, "TRUSTED CERTIFICATE") == 0;

        if (!trusted && strcmp(lab, "CERTIFICATE") != 0 &&
            strcmp(lab, "X509 CERTIFICATE") != 0) {
            continue;
        }
        if (!add_block(l, &blocks[i], i + 1, trusted, src, (size_t)found)) {
            goto done;
        }
        found++;
    }
    if (found == 0) {
        hwc_raise(HWC_R_DECODE, "%s: no CERTIFICATE PEM block", field);
        goto done;
    }
    ok = 1;
done:
    hwc_pem_blocks_free(blocks, n);
    return ok;
}
