/*
 * scmchain.h: the string fields of an SCM certificate export assembled
 * into leaf, chain and private key (scmchain.c).
 */
#ifndef HWC_SCMCHAIN_H
#define HWC_SCMCHAIN_H

#include <openssl/types.h>

#include "formats/objs.h"

/*
 * SCM export assembly. Inputs are the JSON string fields (each may be NULL
 * or empty). Output order: the leaf (the certificate whose public key
 * matches private_key, looked for in `certificate` first, then in
 * `entire_certificate`), then every other certificate of certificate,
 * certificate_chain and entire_certificate, de-duplicated and ordered by
 * issuer linkage from the leaf upwards (unlinked ones last, in input
 * order), then the private key. No matching certificate: HWC_R_KEY_MISMATCH
 * and nothing is appended. private_key NULL: certificates only, leaf =
 * first certificate of `certificate`, else of entire_certificate (else of
 * certificate_chain). "Linkage" is X509_check_issued (names, AKID, key
 * type), the walk stops at a self-issued certificate. Certificates that are
 * plain DER are matched and ordered from their DER (der.h) and handed on
 * as they came, unparsed; libcrypto parses them when the store passes them
 * on. A non-empty field that
 * is not PEM, has a bad block or no certificate fails, with the field name
 * in the message ("certificate_chain: PEM block 2 (CERTIFICATE): invalid
 * base64"); every field empty, or no certificate at all, is
 * HWC_R_BAD_RESPONSE. Labels are NULL.
 *
 * What is handed on unparsed is checked with libcrypto in `plain`: a
 * library context with only the null provider (hwc_prov_plain_libctx),
 * where d2i_X509 accepts and refuses the same certificates without
 * building a decoder chain for their keys, ten times faster; NULL:
 * libcrypto's default context. Keep one for many calls (a context's
 * first parse builds its name tables).
 */
int hwc_assemble_scm(const char *certificate, const char *certificate_chain,
                     const char *entire_certificate, const char *private_key,
                     OSSL_LIB_CTX *plain, hwc_objs *out);
/* How many hwc_assemble_scm calls so far could not settle the order from
 * the DER alone (der.h) and had libcrypto parse everything: the unusual
 * cases (BER, TRUSTED CERTIFICATE, names equal only once canonicalised,
 * keys in other forms). For tests and debugging. */
unsigned long hwc_scm_careful_runs(void);
/* Tests only: with on, every assembly goes the careful way (the fuzzer
 * compares the two ways' answers). */
void hwc_scm_set_always_careful(int on);

#endif /* HWC_SCMCHAIN_H */
