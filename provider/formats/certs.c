/*
 * certs.c: X.509 certificates from DER or a PEM bundle, checked by
 * libcrypto in the decoding context and handed on as DER. Trial decodes
 * run under an error mark so that only our own message is left on the
 * queue when they fail.
 */
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "formats/certs.h"
#include "formats/decodectx.h"
#include "core/hwc.h"
#include "formats/objs.h"
#include "formats/pem.h"

static int is_cert_label(const char *label, int *trusted)
{
    *trusted = strcmp(label, "TRUSTED CERTIFICATE") == 0;
    return *trusted || strcmp(label, "CERTIFICATE") == 0 ||
           strcmp(label, "X509 CERTIFICATE") == 0;
}

int hwc_decode_cert_der(hwc_objs *l, const unsigned char *der, size_t len,
                        int trusted, const char *label)
{
    const unsigned char *p = der;
    unsigned char *enc = NULL;
    OSSL_LIB_CTX *lc;
    X509 *x = NULL;
    int elen, ok;

    if (len == 0 || len > LONG_MAX) {
        return -1;
    }
    if ((lc = hwc_decode_libctx()) == NULL ||
        (x = X509_new_ex(lc, NULL)) == NULL) {
        hwc_raise(HWC_R_MALLOC, "decoding a certificate");
        return 0;
    }
    ERR_set_mark();
    /* On failure d2i_X509 frees x and sets it to NULL; d2i_X509_AUX, when
     * the certificate parsed but its trust settings did not, returns NULL
     * and leaves the certificate in x, for us to free. */
    if ((trusted ? d2i_X509_AUX(&x, &p, (long)len)
                 : d2i_X509(&x, &p, (long)len)) == NULL) {
        X509_free(x);
        x = NULL;
    }
    if (x != NULL && p != der + len) {
        X509_free(x);
        x = NULL;
    }
    elen = x != NULL && trusted ? i2d_X509(x, &enc) : 0;
    ERR_pop_to_mark();
    if (x == NULL || (trusted && elen <= 0)) {
        X509_free(x);
        return -1;
    }
    ok = trusted ? hwc_objs_add(l, HWC_OBJ_CERT, NULL, enc, (size_t)elen, label)
                 : hwc_objs_add(l, HWC_OBJ_CERT, NULL, der, len, label);
    OPENSSL_free(enc);
    X509_free(x);
    return ok;
}

int hwc_decode_cert_bundle(const char *text, size_t len, hwc_objs *out)
{
    hwc_objs tmp = {0};
    hwc_pem_block *blocks = NULL;
    int n, ok = 0;

    if (out == NULL) {
        hwc_raise(HWC_R_INTERNAL, "certificates: no output list");
        return 0;
    }
    if (text == NULL || len == 0) {
        hwc_raise(HWC_R_DECODE, "certificates: empty");
        return 0;
    }
    if (!hwc_pem_has_begin(text, len)) {
        int r = hwc_decode_cert_der(&tmp, (const unsigned char *)text, len, 0,
                                    NULL);

        if (r < 0) {
            hwc_raise(HWC_R_DECODE, "certificates: neither PEM nor a DER X.509 "
                                    "certificate");
        }
        ok = r > 0 && hwc_objs_move(out, &tmp);
        hwc_objs_free(&tmp);
        return ok;
    }
    if ((n = hwc_pem_split(text, len, &blocks)) < 0) {
        return 0;
    }
    for (int i = 0; i < n; i++) {
        int trusted, r;

        if (!is_cert_label(blocks[i].label, &trusted)) {
            continue;
        }
        r = hwc_decode_cert_der(&tmp, blocks[i].der, blocks[i].der_len, trusted,
                                NULL);
        if (r < 0) {
            hwc_raise(HWC_R_DECODE,
                      "PEM block %d (%s): not a valid X.509 certificate", i + 1,
                      blocks[i].label);
            goto done;
        }
        if (r == 0) {
            goto done;
        }
    }
    if (tmp.n == 0) {
        hwc_raise(HWC_R_DECODE, "no CERTIFICATE PEM block among %d block%s", n,
                  n == 1 ? "" : "s");
        goto done;
    }
    ok = hwc_objs_move(out, &tmp);
done:
    hwc_pem_blocks_free(blocks, n);
    hwc_objs_free(&tmp);
    return ok;
}
