/*
 * tool_certfile.c: the certificate files `sync` writes, read back: to tell
 * whether a file already holds what SCM serves (compared as DER, so that
 * line endings, comments or a re-export change nothing) and how long the
 * deployed certificate has left, for `check`.
 */
#include <errno.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include "core/hwc.h"
#include "tool_sync.h"

#define MAX_FILE_CERTS 32

static BIO *open_file(const char *path, int *missing)
{
    BIO *b;

    *missing = 0;
    ERR_set_mark();
    b = BIO_new_file(path, "r");
    ERR_pop_to_mark();
    if (b == NULL) {
        *missing = errno == ENOENT;
        hwc_raise(HWC_R_DECODE, "%s: %s", path, strerror(errno));
    }
    return b;
}

STACK_OF(X509) * tool_read_cert_file(const char *path, int *missing)
{
    BIO *b = open_file(path, missing);
    STACK_OF(X509) *certs = b != NULL ? sk_X509_new_null() : NULL;
    X509 *x;

    ERR_set_mark();
    while (certs != NULL && sk_X509_num(certs) < MAX_FILE_CERTS &&
           (x = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (sk_X509_push(certs, x) <= 0) {
            X509_free(x);
            break;
        }
    }
    ERR_pop_to_mark(); /* the end of the file reads as an error */
    BIO_free(b);
    if (certs != NULL && sk_X509_num(certs) == 0) {
        hwc_raise(HWC_R_DECODE, "%s: no PEM certificate in it", path);
        sk_X509_free(certs);
        certs = NULL;
    }
    return certs;
}

int tool_same_certs(STACK_OF(X509) * a, STACK_OF(X509) * b)
{
    if (sk_X509_num(a) != sk_X509_num(b)) {
        return 0;
    }
    for (int i = 0; i < sk_X509_num(a); i++) {
        /* X509_cmp compares the cached SHA-1 of the whole DER, then DER */
        if (X509_cmp(sk_X509_value(a, i), sk_X509_value(b, i)) != 0) {
            return 0;
        }
    }
    return 1;
}

int tool_cert_expiry(const X509 *x, char *text, size_t cap, long long *when,
                     long *days)
{
    const ASN1_TIME *na = X509_get0_notAfter(x);
    struct tm tm;
    int d = 0, s = 0;

    if (!ASN1_TIME_to_tm(na, &tm) || !ASN1_TIME_diff(&d, &s, NULL, na)) {
        hwc_raise(HWC_R_DECODE, "unreadable notAfter");
        return 0;
    }
    strftime(text, cap, "%Y-%m-%d %H:%M:%S UTC", &tm);
    *when = (long long)timegm(&tm);
    *days = d - (s < 0 ? 1 : 0); /* whole days, rounded down */
    return 1;
}

char *tool_cert_serial(const X509 *x)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn != NULL ? BN_bn2hex(bn) : NULL;

    BN_free(bn);
    return hex;
}
