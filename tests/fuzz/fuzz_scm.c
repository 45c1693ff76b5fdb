/*
 * fuzz_scm: an SCM export answer end to end without the network: the
 * body through hwc_json_parse and hwc_scm_parse_export (scm.c), then
 * hwc_assemble_scm (leaf matching, de-duplication, chain ordering).
 */
#include <string.h>

#include <jansson.h>

#include "call.h"
#include "fuzzutil.h"
#include "scm.h"

static int blank(const char *s)
{
    return s == NULL || s[strspn(s, " \t\r\n")] == '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *resp = hwc_json_parse("fuzz", data, size);
    hwc_scm_bundle b;
    hwc_objs objs = {0};

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
    if (hwc_assemble_scm(b.certificate, b.certificate_chain,
                         b.entire_certificate, b.private_key, &objs)) {
        fz_check_objs("hwc_assemble_scm", &objs);
        if (objs.n == 0 || objs.v[0].kind != HWC_OBJ_CERT) {
            fz_fail("hwc_assemble_scm", "success without a leaf first");
        }
        /* A blank private_key counts as none (decode.h: "each may be
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
