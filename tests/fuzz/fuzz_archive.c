/*
 * fuzz_archive: the DCS download sniffer and unpacker (zip, tar,
 * gzip(tar), PEM, DER) with a 1 MiB unpack cap, as a hostile download.
 */
#include "fuzzutil.h"
#include "formats/archive_certs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hwc_objs objs = {0};

    if (hwc_decode_archive_certs(data, size, 1 << 20, &objs)) {
        fz_check_objs("hwc_decode_archive_certs", &objs);
        for (size_t i = 0; i < objs.n; i++) {
            if (objs.v[i].kind != HWC_OBJ_CERT) {
                fz_fail("hwc_decode_archive_certs", "non-certificate");
            }
        }
    } else if (objs.n != 0) {
        fz_fail("hwc_decode_archive_certs", "failure appended objects");
    }
    hwc_objs_free(&objs);
    fz_done();
    return 0;
}
