/*
 * fuzz_pkcs12: the PKCS#12 keystore parser (MAC, safe bags, shrouded
 * keys, legacy RC2/3DES through a private legacy context). Each input
 * runs twice: as it is, and, when it still parses as PKCS#12, with its
 * MAC recomputed for the password (fixed salt, one iteration), so that
 * mutated stores get past the integrity check into the bag parsers.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/pkcs12.h>

#include "fuzzutil.h"
#include "formats/keystore_file.h"

#define PASS "changeit"

static void parse(const uint8_t *data, size_t size)
{
    hwc_objs objs = {0};

    if (hwc_pkcs12_parse(data, size, PASS, strlen(PASS), NULL, &objs)) {
        fz_check_objs("hwc_pkcs12_parse", &objs);
    } else if (objs.n != 0) {
        fz_fail("hwc_pkcs12_parse", "failure appended objects");
    }
    hwc_objs_free(&objs);
    fz_done();
}

static void parse_remaced(const uint8_t *data, size_t size)
{
    static unsigned char salt[8] = "fuzzsalt";
    const unsigned char *p = data;
    PKCS12 *p12 = d2i_PKCS12(NULL, &p, (long)size);
    unsigned char *der = NULL;
    int len;

    if (p12 != NULL && PKCS12_mac_present(p12) &&
        PKCS12_set_mac(p12, PASS, -1, salt, sizeof(salt), 1, NULL) &&
        (len = i2d_PKCS12(p12, &der)) > 0 &&
        ((size_t)len != size || memcmp(der, data, size) != 0)) {
        parse(der, (size_t)len);
    }
    OPENSSL_free(der);
    PKCS12_free(p12);
    fz_done();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse(data, size);
    parse_remaced(data, size);
    return 0;
}
