/*
 * pem.h: PEM text split into its blocks (pem.c).
 */
#ifndef HWC_PEM_H
#define HWC_PEM_H

#include <stddef.h>

typedef struct hwc_pem_block {
    char label[64]; /* e.g. "CERTIFICATE", "RSA PRIVATE KEY" */
    unsigned char *der;
    size_t der_len;
} hwc_pem_block;

/*
 * Splits text into its PEM blocks. Tolerates CRLF or LF, blocks glued
 * together with no newline between END and BEGIN, leading/trailing
 * whitespace and text between blocks. Encrypted PEM (Proc-Type) blocks are
 * returned as they are with their label: when the body starts with RFC 1421
 * headers ("Proc-Type: 4,ENCRYPTED", "DEK-Info: ..."), `der` holds the body
 * text undecoded (headers included, trimmed), which a caller recognises by
 * its first bytes ("Proc-Type:"); DER never starts so. Returns the number
 * of blocks (>= 0; *blocks is NULL when 0) and an array to free with
 * hwc_pem_blocks_free, or -1 on a malformed block (bad base64, empty body,
 * END without BEGIN, missing END, mismatched or invalid labels, labels of
 * 64 characters or more), with an HWC_R_DECODE error saying which block
 * ("PEM block 2 (CERTIFICATE): invalid base64"). Block bytes are wiped
 * when freed (they may hold keys).
 */
int hwc_pem_split(const char *text, size_t len, hwc_pem_block **blocks);
void hwc_pem_blocks_free(hwc_pem_block *blocks, int n);
/* True when a "-----BEGIN " occurs anywhere in data: PEM armour somewhere
 * (hwc_pem_split then says whether it is valid). */
int hwc_pem_has_begin(const void *data, size_t len);
/* True when data starts (after whitespace) with "-----BEGIN ". */
int hwc_looks_like_pem(const unsigned char *data, size_t len);

#endif /* HWC_PEM_H */
