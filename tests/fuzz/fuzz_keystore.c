/*
 * fuzz_keystore: a CodeArts keystore download: the format sniffer and
 * the dispatcher (PEM, PKCS#12, JKS, JCEKS) with the fixtures' password.
 */
#include <string.h>

#include "fuzzutil.h"
#include "formats/keystore_file.h"

#define PASS "changeit"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hwc_objs objs = {0};
    enum hwc_keystore_format fmt = hwc_keystore_sniff(data, size);

    if (fmt < HWC_KS_UNKNOWN || fmt > HWC_KS_JCEKS) {
        fz_fail("hwc_keystore_sniff", "unknown format value");
    }
    (void)hwc_keystore_needs_password(fmt);
    if (hwc_decode_keystore(data, size, PASS, strlen(PASS), NULL, &objs)) {
        fz_check_objs("hwc_decode_keystore", &objs);
    } else if (objs.n != 0) {
        fz_fail("hwc_decode_keystore", "failure appended objects");
    }
    hwc_objs_free(&objs);
    fz_done();
    return 0;
}
