/*
 * fuzz_jks: the JKS/JCEKS parser (entries, certificate chains, key
 * protection, the Java serialization stream of JCEKS secret keys).
 * Each input runs twice: as it is, and with its trailing store digest
 * recomputed for the password, so that mutated stores get past the
 * integrity check into the entry parsers.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "fuzzutil.h"
#include "formats/keystore_file.h"

#define PASS "changeit"

static void parse(const uint8_t *data, size_t size)
{
    hwc_objs objs = {0};

    if (hwc_jks_parse(data, size, PASS, strlen(PASS), &objs)) {
        fz_check_objs("hwc_jks_parse", &objs);
    } else if (objs.n != 0) {
        fz_fail("hwc_jks_parse", "failure appended objects");
    }
    hwc_objs_free(&objs);
    fz_done();
}

/* SHA-1(UTF-16BE password || "Mighty Aphrodite" || body) as the last 20
 * bytes. */
static void fix_digest(uint8_t *buf, size_t size)
{
    static const char whitener[] = "Mighty Aphrodite";
    unsigned char pw[2 * sizeof(PASS)];
    size_t n = strlen(PASS);

    for (size_t i = 0; i < n; i++) {
        pw[2 * i] = 0;
        pw[2 * i + 1] = (unsigned char)PASS[i];
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL || !EVP_DigestInit_ex(md, EVP_sha1(), NULL) ||
        !EVP_DigestUpdate(md, pw, 2 * n) ||
        !EVP_DigestUpdate(md, whitener, strlen(whitener)) ||
        !EVP_DigestUpdate(md, buf, size - 20) ||
        !EVP_DigestFinal_ex(md, buf + size - 20, NULL)) {
        abort();
    }
    EVP_MD_CTX_free(md);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    parse(data, size);
    if (size > 20) {
        uint8_t *copy = malloc(size);

        if (copy == NULL) {
            abort();
        }
        memcpy(copy, data, size);
        fix_digest(copy, size);
        if (memcmp(copy, data, size) != 0) {
            parse(copy, size);
        }
        free(copy);
    }
    return 0;
}
