/*
 * err_corners.c: the provider's messages that no command line can provoke
 * against the emulator, printed as openssl prints errors, for
 * test_troubleshooting (docs/troubleshooting.md shows only messages the
 * code makes): a PKCS#12 keystore of legacy algorithms where OpenSSL's
 * legacy provider cannot be loaded (a minimal container), an allocation
 * that fails, and an internal function called with an invalid argument
 * (what a bug would look like).
 *
 * usage: err_corners LEGACY.p12 PASSWORD
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/err.h>

#include "formats/keystore_file.h"
#include "formats/objs.h"
#include "core/hwc.h"
#include "core/settings.h"

/* The next allocation through OPENSSL_malloc fails, once. */
static int fail_next;

static void *my_malloc(size_t n, const char *file, int line)
{
    (void)file, (void)line;
    if (fail_next) {
        fail_next = 0;
        return NULL;
    }
    return malloc(n);
}

static void *my_realloc(void *p, size_t n, const char *file, int line)
{
    (void)file, (void)line;
    return realloc(p, n);
}

static void my_free(void *p, const char *file, int line)
{
    (void)file, (void)line;
    free(p);
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *d = malloc(1 << 20);

    *len = f != NULL && d != NULL ? fread(d, 1, 1 << 20, f) : 0;
    if (f != NULL) {
        fclose(f);
    }
    return d;
}

int main(int argc, char **argv)
{
    hwc_objs o = {0};
    unsigned char *p12;
    size_t len;

    if (argc != 3 ||
        !CRYPTO_set_mem_functions(my_malloc, my_realloc, my_free)) {
        fprintf(stderr, "usage: err_corners LEGACY.p12 PASSWORD\n");
        return 2;
    }
    /* No legacy provider anywhere OpenSSL would look for one. */
    setenv("OPENSSL_MODULES", "/nonexistent-hwc-test", 1);
    hwc_pkcs12_set_legacy_fallback("/nonexistent-hwc-test");
    p12 = read_file(argv[1], &len);
    if (hwc_decode_keystore(p12, len, argv[2], strlen(argv[2]), NULL, &o)) {
        fprintf(stderr, "err_corners: %s decoded without a legacy provider\n",
                argv[1]);
        return 1;
    }
    hwc_objs_free(&o);
    free(p12);
    ERR_print_errors_fp(stdout);

    fail_next = 1;
    if (hwc_settings_new() != NULL) {
        fprintf(stderr, "err_corners: no allocation failed\n");
        return 1;
    }
    ERR_print_errors_fp(stdout);

    if (hwc_objs_add(NULL, HWC_OBJ_CERT, NULL, NULL, 0, NULL)) {
        fprintf(stderr, "err_corners: an invalid call succeeded\n");
        return 1;
    }
    ERR_print_errors_fp(stdout);
    return 0;
}
