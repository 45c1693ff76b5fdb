/*
 * certs.h: X.509 certificates from DER or PEM text (certs.c).
 */
#ifndef HWC_CERTS_H
#define HWC_CERTS_H

#include <stddef.h>

#include "formats/objs.h"

/* Every CERTIFICATE (and "X509 CERTIFICATE", "TRUSTED CERTIFICATE", the
 * latter stripped of OpenSSL's trust settings) block of a PEM bundle, in
 * order; other blocks are ignored; a certificate block that does not
 * decode fails the whole call. Text without PEM armour is taken as one DER
 * certificate. Appends >= 1 cert (label NULL). */
int hwc_decode_cert_bundle(const char *text, size_t len, hwc_objs *out);
/* Appends one X.509 certificate given as DER, which must be exactly one
 * certificate (trusted: OpenSSL's X509_AUX form, aux dropped). Returns 1
 * when added, 0 on an allocation failure (raised), -1 when der is not a
 * certificate (nothing raised: callers decide what that means). */
int hwc_decode_cert_der(hwc_objs *l, const unsigned char *der, size_t len,
                        int trusted, const char *label);

#endif /* HWC_CERTS_H */
