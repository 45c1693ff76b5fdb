/*
 * scmchain.c: turns the string fields of an SCM certificate export into
 * leaf, chain (ordered by issuer linkage) and PKCS#8 private key.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "decodectx.h"
#include "keys.h"
#include "objs.h"
#include "pem.h"
#include "scmchain.h"
#include "der.h"
#include "hwc.h"

/* The fields a certificate can come from. */
enum scm_src { SRC_CERT, SRC_CHAIN, SRC_ENTIRE, SRC_N };
#define NOT_IN SIZE_MAX

/* Assemblies that libcrypto had to order: tests watch the quick way. */
static _Atomic unsigned long careful_runs;

unsigned long hwc_scm_careful_runs(void)
{
    return careful_runs;
}

/* Tests only: every assembly the careful way, to compare the two. */
static _Atomic int always_careful;

void hwc_scm_set_always_careful(int on)
{
    always_careful = on;
}

static const char *const src_field[SRC_N] = {"certificate", "certificate_chain",
                                             "entire_certificate"};

struct scm_cert {
    unsigned char *der;
    size_t der_len;
    size_t pos[SRC_N]; /* first position in each field, or NOT_IN */
    int used;
    hwc_cert_view view; /* points into der */
    int viewable;       /* view is valid */
    int key_state;      /* KEY_*: whether libcrypto gets its public key */
    int bad_ext;        /* libcrypto finds its extensions invalid */
    X509 *x;            /* parsed when the quick way declines, or BER */
    enum scm_src src;   /* where it was first seen, for messages */
    int block;
    char label[64]; /* as hwc_pem_block.label */
};

struct scm_list {
    struct scm_cert *v;
    size_t n, cap;
    OSSL_LIB_CTX *plain; /* see hwc_assemble_scm */
};

static void list_free(struct scm_list *l)
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
static void reraise_in(const char *field)
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
    hwc_raise(NULL, reason, "%s: %s", field, msg);
}

static int blank(const char *s)
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
            hwc_raise(NULL, HWC_R_MALLOC, "SCM certificate list");
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
    hwc_raise(NULL, HWC_R_DECODE,
              "%s: PEM block %d (%s): not a valid X.509 certificate",
              src_field[src], block, label);
    return 0;
}

/* The parsed certificate, parsing it now if need be; NULL with an error
 * raised when libcrypto does not take it. */
static X509 *cert_x509(struct scm_cert *c)
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
            hwc_raise(NULL, HWC_R_MALLOC, "SCM certificate list");
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
static int parse_field(const char *text, enum scm_src src, struct scm_list *l)
{
    const char *field = src_field[src];
    hwc_pem_block *blocks = NULL;
    int n, ok = 0, found = 0;

    if (blank(text)) {
        return 1;
    }
    if (strstr(text, "-----BEGIN ") == NULL) {
        hwc_raise(NULL, HWC_R_DECODE, "%s: not PEM (no BEGIN line)", field);
        return 0;
    }
    ERR_set_mark();
    n = hwc_pem_split(text, strlen(text), &blocks);
    if (n < 0) {
        reraise_in(field);
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
        hwc_raise(NULL, HWC_R_DECODE, "%s: no CERTIFICATE PEM block", field);
        goto done;
    }
    ok = 1;
done:
    hwc_pem_blocks_free(blocks, n);
    return ok;
}

static int emit_cert(hwc_objs *tmp, struct scm_cert *c)
{
    c->used = 1;
    return hwc_objs_add(tmp, HWC_OBJ_CERT, NULL, c->der, c->der_len, NULL);
}

/* The first certificate of field src that key_fits, or -1. */
static long find_leaf(const struct scm_list *l, enum scm_src src,
                      int (*key_fits)(const struct scm_cert *, const void *),
                      const void *key)
{
    long best = -1;

    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].pos[src] != NOT_IN &&
            (best < 0 || l->v[i].pos[src] < l->v[best].pos[src]) &&
            (key == NULL || key_fits(&l->v[i], key))) {
            best = (long)i;
        }
    }
    return best;
}

/* The leaf: matching the key in certificate, else in entire_certificate;
 * with no key, the first of those or of certificate_chain. */
static long pick_leaf(const struct scm_list *l,
                      int (*key_fits)(const struct scm_cert *, const void *),
                      const void *key)
{
    long leaf = find_leaf(l, SRC_CERT, key_fits, key);

    if (leaf < 0) {
        leaf = find_leaf(l, SRC_ENTIRE, key_fits, key);
    }
    if (leaf < 0 && key == NULL) {
        leaf = 0; /* only certificate_chain was given */
    }
    return leaf;
}

/* Whether a certificate's public key decodes (X509_check_issued asks it of
 * the issuer): not looked at yet, yes, no, cannot tell without libcrypto. */
enum { KEY_UNKNOWN = 0, KEY_OK, KEY_BAD, KEY_UNSURE };

static int key_state(struct scm_cert *c)
{
    int nid = 0;

    if (c->key_state == KEY_UNKNOWN) {
        switch (hwc_cert_view_key_shape(&c->view, &nid)) {
        case HWC_SPKI_RSA:
            c->key_state = KEY_OK;
            break;
        case HWC_SPKI_EC:
            c->key_state = hwc_ec_point_ok(nid, c->view.key.p, c->view.key.n)
                               ? KEY_OK
                               : KEY_BAD;
            break;
        default:
            c->key_state = KEY_UNSURE;
        }
    }
    return c->key_state;
}

/* What walk_chain says. */
enum { WALK_FAILED = 0, WALK_DONE = 1, WALK_UNSURE = -1 };

/*
 * From the leaf up the issuer links until a self-issued certificate or a
 * gap; issued(a, b) says whether a issued b (1), not (0), or cannot tell
 * (-1: the walk stops, WALK_UNSURE). The rest is not emitted here.
 */
static int walk_chain(struct scm_list *l, size_t cur, hwc_objs *tmp,
                      int (*issued)(struct scm_cert *, struct scm_cert *))
{
    int r;

    if (!emit_cert(tmp, &l->v[cur])) {
        return WALK_FAILED;
    }
    while ((r = issued(&l->v[cur], &l->v[cur])) == 0) {
        size_t j;

        for (j = 0; j < l->n; j++) {
            if (!l->v[j].used && (r = issued(&l->v[j], &l->v[cur])) != 0) {
                break;
            }
        }
        if (r < 0) {
            return WALK_UNSURE;
        }
        if (j == l->n) {
            break;
        }
        if (!emit_cert(tmp, &l->v[j])) {
            return WALK_FAILED;
        }
        cur = j;
    }
    return r < 0 ? WALK_UNSURE : WALK_DONE;
}

/*-------------------------------------------- the quick way: DER views */

static int view_fits(const struct scm_cert *c, const void *key)
{
    return hwc_key_view_matches(key, &c->view);
}

static int view_issued(struct scm_cert *issuer, struct scm_cert *subject)
{
    int r = hwc_cert_view_issued(&issuer->view, &subject->view);

    if (r != 1 || issuer->bad_ext || subject->bad_ext) {
        return r == 1 ? 0 : r; /* X509_V_ERR_UNSPECIFIED for bad ones */
    }
    switch (key_state(issuer)) {
    case KEY_OK:
        return 1;
    case KEY_BAD:
        return 0; /* "issuer certificate doesn't have a public key" */
    default:
        return -1;
    }
}

/*
 * Orders the certificates from their DER views alone. Returns 1 when that
 * settled everything (every certificate viewable, the key matched by its
 * bytes, every certificate on the one chain), 0 when it cannot say (tmp
 * and the used marks are then as before), -1 on an error raised.
 */
static int order_by_views(struct scm_list *l, const hwc_key_view *kv,
                          hwc_objs *tmp)
{
    long leaf;
    int r;

    for (size_t i = 0; i < l->n; i++) {
        if (!l->v[i].viewable) {
            return 0;
        }
    }
    if ((leaf = pick_leaf(l, view_fits, kv)) < 0) {
        return 0; /* maybe a key encoded another way: libcrypto decides */
    }
    r = walk_chain(l, (size_t)leaf, tmp, view_issued);
    for (size_t i = 0; r == WALK_DONE && i < l->n; i++) {
        if (!l->v[i].used) {
            r = WALK_UNSURE; /* names may match once canonicalised */
        }
    }
    if (r == WALK_DONE) {
        return 1;
    }
    for (size_t i = 0; i < l->n; i++) {
        l->v[i].used = 0;
    }
    hwc_objs_free(tmp);
    return r == WALK_FAILED ? -1 : 0;
}

/*------------------------------------------------ the careful way: X509 */

static int pkey_fits(const struct scm_cert *c, const void *key)
{
    EVP_PKEY *pub;
    int r;

    ERR_set_mark();
    pub = X509_get0_pubkey(c->x);
    r = pub != NULL && EVP_PKEY_eq(pub, key) == 1;
    ERR_pop_to_mark();
    return r;
}

static int x509_issued(struct scm_cert *issuer, struct scm_cert *subject)
{
    int r;

    ERR_set_mark();
    r = X509_check_issued(issuer->x, subject->x) == X509_V_OK;
    ERR_pop_to_mark();
    return r;
}

static int order_by_x509(struct scm_list *l, EVP_PKEY *pk, hwc_objs *tmp)
{
    long leaf;

    for (size_t i = 0; i < l->n; i++) {
        if (cert_x509(&l->v[i]) == NULL) {
            return 0;
        }
    }
    if ((leaf = pick_leaf(l, pkey_fits, pk)) < 0) {
        hwc_raise(NULL, HWC_R_KEY_MISMATCH,
                  "SCM export: private_key matches no certificate in "
                  "certificate or entire_certificate");
        return 0;
    }
    return walk_chain(l, (size_t)leaf, tmp, x509_issued) == WALK_DONE;
}

/* The key the careful way: libcrypto decodes it (and says what is wrong). */
static int decode_key(const char *private_key, hwc_objs *key, EVP_PKEY **pk)
{
    hwc_objs_free(key);
    ERR_set_mark();
    if (!hwc_decode_private_key_ex(private_key, strlen(private_key), key, pk)) {
        reraise_in("private_key");
        return 0;
    }
    ERR_pop_to_mark();
    return 1;
}

/*------------------------------------------------------------ assembly */

/* The certificates of the three fields; 0 with an error raised when a
 * field does not parse or none holds a certificate. */
static int parse_fields(struct scm_list *l, const char *certificate,
                        const char *certificate_chain,
                        const char *entire_certificate)
{
    if (!parse_field(certificate, SRC_CERT, l) ||
        !parse_field(certificate_chain, SRC_CHAIN, l) ||
        !parse_field(entire_certificate, SRC_ENTIRE, l)) {
        return 0;
    }
    if (l->n == 0) {
        hwc_raise(NULL, HWC_R_BAD_RESPONSE,
                  "SCM export: no certificate (certificate, "
                  "certificate_chain and entire_certificate are empty)");
        return 0;
    }
    return 1;
}

/*
 * The leaf and its chain into tmp, the key (if any) into key: from the DER
 * views where they settle it, else the careful way. 0 with an error
 * raised.
 */
static int order(struct scm_list *l, const char *private_key, hwc_objs *key,
                 hwc_objs *tmp)
{
    int has_key = !blank(private_key), quick = 0, ok;
    EVP_PKEY *pk = NULL;
    hwc_key_view kv;

    if (!always_careful &&
        (!has_key || hwc_decode_private_key_view(
                         private_key, strlen(private_key), key, &kv))) {
        quick = order_by_views(l, has_key ? &kv : NULL, tmp);
    }
    if (quick != 0) {
        return quick > 0;
    }
    careful_runs++;
    hwc_debug("SCM export: certificates ordered by libcrypto");
    ok = (!has_key || decode_key(private_key, key, &pk)) &&
         order_by_x509(l, pk, tmp);
    EVP_PKEY_free(pk);
    return ok;
}

int hwc_assemble_scm(const char *certificate, const char *certificate_chain,
                     const char *entire_certificate, const char *private_key,
                     OSSL_LIB_CTX *plain, hwc_objs *out)
{
    struct scm_list l = {0};
    hwc_objs key = {0}, tmp = {0};
    int has_key = !blank(private_key), ok = 0;

    if (out == NULL) {
        hwc_raise(NULL, HWC_R_INTERNAL, "SCM export: no output list");
        return 0;
    }
    if (blank(certificate) && blank(certificate_chain) &&
        blank(entire_certificate) && !has_key) {
        hwc_raise(NULL, HWC_R_BAD_RESPONSE,
                  "SCM export: certificate, certificate_chain, "
                  "entire_certificate and private_key are all empty");
        return 0;
    }
    l.plain = plain;
    if (!parse_fields(&l, certificate, certificate_chain, entire_certificate) ||
        !order(&l, private_key, &key, &tmp)) {
        goto done;
    }
    for (size_t j = 0; j < l.n; j++) {
        if (!l.v[j].used && !emit_cert(&tmp, &l.v[j])) {
            goto done;
        }
    }
    if (has_key && !hwc_objs_add(&tmp, HWC_OBJ_PRIVKEY, key.v[0].data_type,
                                 key.v[0].der, key.v[0].der_len, NULL)) {
        goto done;
    }
    ok = hwc_objs_move(out, &tmp);
done:
    hwc_objs_free(&key);
    hwc_objs_free(&tmp);
    list_free(&l);
    return ok;
}
