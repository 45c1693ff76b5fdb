/*
 * archive_certs.h: the certificates of a DCS SSL download (archive.c;
 * not libarchive's archive.h).
 */
#ifndef HWC_ARCHIVE_CERTS_H
#define HWC_ARCHIVE_CERTS_H

#include <stddef.h>

#include "formats/objs.h"

/*
 * The DCS SSL download: sniffs zip, tar, gzip (a tar, or one PEM/DER file),
 * plain PEM or DER by content (not trusting names) and appends every
 * certificate found, each labelled with its member name (for a bare gzip
 * the file name stored in its header, else "data"; NULL for a plain PEM/DER
 * file). Members are sniffed the same way: PEM certificate blocks or one
 * DER certificate; members holding neither (keys, READMEs) are skipped,
 * broken certificate members are noted in out->failed. Unpacked bytes are
 * counted while read (header sizes are not trusted): more than max_unpacked in
 * total, or more than 10000 entries, is HWC_R_TOO_LARGE. No certificate at all
 * is HWC_R_DECODE.
 */
int hwc_decode_archive_certs(const unsigned char *data, size_t len,
                             size_t max_unpacked, hwc_objs *out);

#endif /* HWC_ARCHIVE_CERTS_H */
