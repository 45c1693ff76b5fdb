/*
 * fuzz_der: the strict DER reader and the certificate and private-key
 * views of der.h (derview.c) on arbitrary bytes. Contracts: no crash, and
 * a key the view accepts round-trips: the PKCS#8 built from it is accepted
 * again with the same public half, and matches what the first view did.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "formats/der.h"
#include "fuzzutil.h"
#include "formats/keys.h"

static void check_key(const uint8_t *data, size_t size, enum hwc_key_form f,
                      const hwc_cert_view *cv, int have_cv)
{
    hwc_key_view kv, again;
    unsigned char *p8;
    size_t len = 0;

    if (!hwc_key_view_parse(data, size, f, &kv)) {
        return;
    }
    if ((p8 = hwc_key_view_pkcs8(&kv, &len)) == NULL) {
        fz_fail("hwc_key_view_pkcs8", "no PKCS#8 for an accepted key");
    }
    if (!hwc_key_view_parse(p8, len, HWC_KEY_PKCS8, &again)) {
        fz_fail("hwc_key_view_pkcs8", "our PKCS#8 is not accepted back");
    }
    if (again.ec != kv.ec || !hwc_der_eq(again.n, kv.n) ||
        !hwc_der_eq(again.e, kv.e) || !hwc_der_eq(again.curve, kv.curve) ||
        !hwc_der_eq(again.point, kv.point) ||
        !hwc_der_eq(again.inner, kv.inner)) {
        fz_fail("hwc_key_view_pkcs8", "the public half changed");
    }
    if (have_cv &&
        hwc_key_view_matches(&kv, cv) != hwc_key_view_matches(&again, cv)) {
        fz_fail("hwc_key_view_matches", "differs after the round trip");
    }
    OPENSSL_clear_free(p8, len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hwc_cert_view cv;
    int have_cv = hwc_cert_view_parse(data, size, &cv);

    if (have_cv) {
        (void)hwc_cert_view_issued(&cv, &cv);
    }
    (void)hwc_der_well_formed((hwc_der){data, size});
    check_key(data, size, HWC_KEY_PKCS1, &cv, have_cv);
    check_key(data, size, HWC_KEY_SEC1, &cv, have_cv);
    check_key(data, size, HWC_KEY_PKCS8, &cv, have_cv);
    fz_done();
    return 0;
}
