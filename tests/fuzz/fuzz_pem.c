/*
 * fuzz_pem: the PEM splitter (CRLF, glued blocks, RFC 1421 headers) and
 * the certificate bundle decoder built on it.
 */
#include <string.h>

#include "fuzzutil.h"
#include "formats/certs.h"
#include "formats/keys.h"
#include "formats/pem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hwc_pem_block *blocks = NULL;
    hwc_objs objs = {0};
    int n;

    (void)hwc_looks_like_pem(data, size);
    n = hwc_pem_split((const char *)data, size, &blocks);
    if (n < -1 || (n <= 0 && blocks != NULL) || (n > 0 && blocks == NULL)) {
        fz_fail("hwc_pem_split", "result and block array disagree");
    }
    for (int i = 0; i < n; i++) {
        if (memchr(blocks[i].label, '\0', sizeof(blocks[i].label)) == NULL ||
            blocks[i].label[0] == '\0') {
            fz_fail("hwc_pem_split", "bad label");
        }
        if (blocks[i].der == NULL || blocks[i].der_len == 0 ||
            blocks[i].der_len > size) {
            fz_fail("hwc_pem_split", "bad block body");
        }
    }
    if (n > 0) {
        hwc_pem_blocks_free(blocks, n);
    }
    fz_done();

    if (hwc_decode_cert_bundle((const char *)data, size, &objs)) {
        if (objs.n == 0) {
            fz_fail("hwc_decode_cert_bundle", "success without a cert");
        }
        fz_check_objs("hwc_decode_cert_bundle", &objs);
    } else if (objs.n != 0) {
        fz_fail("hwc_decode_cert_bundle", "failure appended objects");
    }
    hwc_objs_free(&objs);
    fz_done();
    return 0;
}
