/*
 * keys.h: keys from PEM or DER text (keys.c).
 */
#ifndef HWC_KEYS_H
#define HWC_KEYS_H

#include <stddef.h>

#include <openssl/types.h>

#include "formats/objs.h"

/*
 * A public key as KMS get-publickey returns it: PEM (any label; the first
 * block that decodes wins), raw DER or bare base64 of the DER, holding an
 * SPKI or a PKCS#1 RSAPublicKey (the documented example puts PKCS#1 under
 * "BEGIN PUBLIC KEY"). The DER must be used up exactly. Appends one
 * HWC_OBJ_PUBKEY (SPKI DER, label NULL).
 */
int hwc_decode_public_key(const char *text, size_t len, hwc_objs *out);

/*
 * One private key from PEM text: PKCS#1 "RSA PRIVATE KEY", SEC1
 * "EC PRIVATE KEY" (with or without a preceding "EC PARAMETERS" block; the
 * block supplies the curve when the key lacks its [0] parameters),
 * "DSA PRIVATE KEY", unencrypted PKCS#8 "PRIVATE KEY". Other blocks
 * (certificates) are skipped; two key blocks are an error. Text without
 * PEM armour is taken as DER (PKCS#8, PKCS#1 or SEC1). "ENCRYPTED PRIVATE
 * KEY" and Proc-Type encrypted PEM fail with HWC_R_UNSUPPORTED. Appends one
 * HWC_OBJ_PRIVKEY (PKCS#8 DER, label NULL); intermediate copies are wiped.
 */
int hwc_decode_private_key(const char *text, size_t len, hwc_objs *out);
/* The same, also handing back the decoded key (free it) when pkey is not
 * NULL, for callers that need it beyond the DER. */
int hwc_decode_private_key_ex(const char *text, size_t len, hwc_objs *out,
                              EVP_PKEY **pkey);

/*
 * The quick way for the common case: one unencrypted PEM block holding a
 * plain RSA or EC key (see hwc_key_view_parse in der.h), taken apart
 * without libcrypto. Appends the PKCS#8 entry, points *view into it and
 * returns 1; returns 0, with nothing appended or raised, for anything else
 * (hwc_decode_private_key_ex then decides).
 */
struct hwc_key_view;
int hwc_decode_private_key_view(const char *text, size_t len, hwc_objs *out,
                                struct hwc_key_view *view);

/* Whether pt (len bytes) is a point on the named curve nid, as libcrypto
 * checks when it decodes an EC key. */
int hwc_ec_point_ok(int nid, const unsigned char *pt, size_t len);

#endif /* HWC_KEYS_H */
