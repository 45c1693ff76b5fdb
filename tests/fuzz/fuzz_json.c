/*
 * fuzz_json: what every service response goes through first: the JSON
 * object parser (hwc_json_parse) and the error-envelope reader
 * (hwc_error_envelope) that turns a hostile error body into a message.
 * The answer parsers built on them are in fuzz_responses and fuzz_scm.
 */
#include <string.h>

#include <jansson.h>

#include "net/call.h"
#include "fuzzutil.h"

static void check_text(const char *s, size_t cap)
{
    const char *end = memchr(s, '\0', cap);

    if (end == NULL) {
        fz_fail("hwc_error_envelope", "output not NUL-terminated");
    }
    for (const char *p = s; p < end; p++) {
        if ((unsigned char)*p < 0x20) {
            fz_fail("hwc_error_envelope", "control character in output");
        }
    }
}

static void envelope(const uint8_t *data, size_t size, size_t codecap,
                     size_t msgcap)
{
    char code[64], msg[512];

    memset(code, 'x', sizeof(code));
    memset(msg, 'x', sizeof(msg));
    hwc_error_envelope(data, size, code, codecap, msg, msgcap);
    check_text(code, codecap);
    check_text(msg, msgcap);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *j = hwc_json_parse("fuzz", data, size);

    if (j != NULL) {
        if (!json_is_object(j)) {
            fz_fail("hwc_json_parse", "returned a non-object");
        }
        json_decref(j);
    }
    envelope(data, size, 64, 512); /* the sizes call.c uses */
    envelope(data, size, 1, 2);    /* truncation at the edge */
    fz_done();
    return 0;
}
