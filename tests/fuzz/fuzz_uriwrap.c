/*
 * fuzz_uriwrap: the PEM-wrapped URI ("HWCLOUD PROVIDER URI"). The input
 * is tried as DER (hwc_uri_unwrap_der), as PEM (every block with our
 * label) and as a URI to wrap. Strict DER has one encoding per value, so
 * whatever unwraps must wrap back to the same bytes, and whatever wraps
 * must unwrap to the same URI.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "fuzzutil.h"
#include "formats/pem.h"
#include "formats/uriwrap.h"

static void from_der(const unsigned char *der, size_t len)
{
    char *uri = hwc_uri_unwrap_der(der, len);
    unsigned char *again = NULL;
    size_t againlen = 0;

    if (uri == NULL) {
        fz_done();
        return;
    }
    if (!hwc_uri_wrap_der(uri, &again, &againlen)) {
        fz_fail("hwc_uri_unwrap_der", "accepted a URI wrap refuses");
    }
    if (againlen != len || memcmp(again, der, len) != 0) {
        fz_fail("hwc_uri_unwrap_der", "accepted a non-canonical DER");
    }
    OPENSSL_free(again);
    OPENSSL_free(uri);
    fz_done();
}

static void from_pem(const uint8_t *data, size_t size)
{
    hwc_pem_block *blocks = NULL;
    int n = hwc_pem_split((const char *)data, size, &blocks);

    for (int i = 0; i < n; i++) {
        if (strcmp(blocks[i].label, HWC_URI_PEM_LABEL) == 0) {
            from_der(blocks[i].der, blocks[i].der_len);
        }
    }
    if (n > 0) {
        hwc_pem_blocks_free(blocks, n);
    }
    fz_done();
}

static void from_uri(const uint8_t *data, size_t size)
{
    char *uri = fz_strndup(data, size);
    unsigned char *der = NULL;
    size_t len = 0;
    char *pem, *back;

    if (hwc_uri_wrap_der(uri, &der, &len)) {
        back = hwc_uri_unwrap_der(der, len);
        if (back == NULL || strcmp(back, uri) != 0) {
            fz_fail("hwc_uri_wrap_der", "wrapped URI does not unwrap");
        }
        OPENSSL_free(back);
        OPENSSL_free(der);
        pem = hwc_uri_wrap_pem(uri);
        if (pem == NULL) {
            fz_fail("hwc_uri_wrap_pem", "refused what wrap_der took");
        }
        from_pem((const uint8_t *)pem, strlen(pem));
        OPENSSL_free(pem);
    }
    free(uri);
    fz_done();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    from_der(data, size);
    from_pem(data, size);
    if (size <= 70000) {
        from_uri(data, size);
    }
    return 0;
}
