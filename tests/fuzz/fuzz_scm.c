/*
 * fuzz_scm: an SCM export answer end to end without the network: the
 * body through hwc_json_parse and hwc_scm_parse_export (scm.c), then
 * hwc_assemble_scm (leaf matching, de-duplication, chain ordering).
 * Each answer is assembled twice, the quick way (DER views) and the
 * careful way (libcrypto parses everything): both must succeed or fail
 * together and hand on the same certificates in the same order and the
 * same key.
 */
#include <string.h>

#include <jansson.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "net/call.h"
#include "fuzzutil.h"
#include "formats/scmchain.h"
#include "services/scm.h"

/* The same key, whatever its PKCS#8 bytes (the quick way wraps the
 * PKCS#1/SEC1 it was given; the careful way re-encodes). */
static int same_key(const hwc_obj *a, const hwc_obj *b)
{
    const unsigned char *pa = a->der, *pb = b->der;
    EVP_PKEY *ka = d2i_AutoPrivateKey(NULL, &pa, (long)a->der_len);
    EVP_PKEY *kb = d2i_AutoPrivateKey(NULL, &pb, (long)b->der_len);
    int eq = ka != NULL && kb != NULL && EVP_PKEY_eq(ka, kb) == 1 &&
             strcmp(a->data_type, b->data_type) == 0;

    EVP_PKEY_free(ka);
    EVP_PKEY_free(kb);
    return eq;
}

static void compare_ways(const hwc_scm_bundle *b, int ok, const hwc_objs *q)
{
    hwc_objs c = {0};
    int cok;

    hwc_scm_set_always_careful(1);
    cok = hwc_assemble_scm(b->certificate, b->certificate_chain,
                           b->entire_certificate, b->private_key,
                           fz_plain_libctx(), &c);
    hwc_scm_set_always_careful(0);
    ERR_clear_error();
    if (cok != ok) {
        fz_fail("hwc_assemble_scm", ok ? "only the quick way succeeds"
                                       : "only the careful way succeeds");
    }
    if (ok && c.n != q->n) {
        fz_fail("hwc_assemble_scm", "the two ways differ in length");
    }
    for (size_t i = 0; ok && i < c.n; i++) {
        const hwc_obj *x = &q->v[i], *y = &c.v[i];

        if (x->kind != y->kind ||
            (x->kind == HWC_OBJ_CERT &&
             (x->der_len != y->der_len ||
              memcmp(x->der, y->der, x->der_len) != 0)) ||
            (x->kind == HWC_OBJ_PRIVKEY && !same_key(x, y))) {
            fz_fail("hwc_assemble_scm", "the two ways hand on other objects");
        }
    }
    hwc_objs_free(&c);
}

static int blank(const char *s)
{
    return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *resp = hwc_json_parse("fuzz", data, size);
    hwc_scm_bundle b;
    hwc_objs objs = {0};
    int ok;

    if (resp == NULL) {
        fz_done();
        return 0;
    }
    if (!hwc_scm_parse_export("fuzz", resp, &b)) {
        json_decref(resp);
        fz_done();
        return 0;
    }
    json_decref(resp);
    ok = hwc_assemble_scm(b.certificate, b.certificate_chain,
                          b.entire_certificate, b.private_key,
                          fz_plain_libctx(), &objs);
    compare_ways(&b, ok, &objs);
    if (ok) {
        fz_check_objs("hwc_assemble_scm", &objs);
        if (objs.n == 0 || objs.v[0].kind != HWC_OBJ_CERT) {
            fz_fail("hwc_assemble_scm", "success without a leaf first");
        }
        /* A blank private_key counts as none (scmchain.h: "each may be
         * NULL or empty"); any other is the last object, and the only
         * key. */
        if (!blank(b.private_key) &&
            objs.v[objs.n - 1].kind != HWC_OBJ_PRIVKEY) {
            fz_fail("hwc_assemble_scm", "private key is not last");
        }
        for (size_t i = 0; i + 1 < objs.n; i++) {
            if (objs.v[i].kind != HWC_OBJ_CERT) {
                fz_fail("hwc_assemble_scm", "a key before the last object");
            }
        }
    } else if (objs.n != 0) {
        fz_fail("hwc_assemble_scm", "failure appended objects");
    }
    hwc_objs_free(&objs);
    hwc_scm_bundle_free(&b);
    fz_done();
    return 0;
}
