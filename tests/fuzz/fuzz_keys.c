/*
 * fuzz_keys: the key decoders: a KMS public key (PEM of any label or raw
 * DER, SPKI or PKCS#1) and a PEM private key (PKCS#1, SEC1 with or
 * without EC PARAMETERS, PKCS#8).
 */
#include "fuzzutil.h"
#include "formats/keys.h"

static void one(const char *what, int (*fn)(const char *, size_t, hwc_objs *),
                const uint8_t *data, size_t size)
{
    hwc_objs objs = {0};

    if (fn((const char *)data, size, &objs)) {
        if (objs.n != 1) {
            fz_fail(what, "success without exactly one key");
        }
        fz_check_objs(what, &objs);
    } else if (objs.n != 0) {
        fz_fail(what, "failure appended objects");
    }
    hwc_objs_free(&objs);
    fz_done();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one("hwc_decode_public_key", hwc_decode_public_key, data, size);
    one("hwc_decode_private_key", hwc_decode_private_key, data, size);
    return 0;
}
