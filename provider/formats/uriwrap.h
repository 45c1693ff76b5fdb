/*
 * uriwrap.h: a provider URI wrapped in a key file (PEM block or DER),
 * and unwrapped again (uriwrap.c).
 */
#ifndef HWC_URIWRAP_H
#define HWC_URIWRAP_H

#include <stddef.h>

#define HWC_URI_PEM_LABEL "HWCLOUD PROVIDER URI"
#define HWC_URI_PEM_MAGIC "hwcloud-provider-uri-v1"

/*
 * DER of SEQUENCE { VisibleString magic, UTF8String uri }. uri must be
 * non-empty UTF-8 of at most 65535 bytes. *der is freed with OPENSSL_free.
 */
int hwc_uri_wrap_der(const char *uri, unsigned char **der, size_t *len);
/* The PEM text of that DER, label HWC_URI_PEM_LABEL, NUL-terminated, 64
 * base64 characters a line, LF line ends; free with OPENSSL_free. */
char *hwc_uri_wrap_pem(const char *uri);
/* The URI inside such a DER (strict DER: minimal lengths, exact magic,
 * exactly two elements, UTF-8 without NUL, no trailing bytes); NULL with an
 * HWC_R_DECODE error otherwise. Free with OPENSSL_free. */
char *hwc_uri_unwrap_der(const unsigned char *der, size_t len);

#endif /* HWC_URIWRAP_H */
