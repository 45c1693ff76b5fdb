/*
 * archive.c: the DCS SSL certificate download. The file type is not
 * documented, so the content is sniffed (never the name): gzip (a tar or a
 * single file inside), zip, tar, plain PEM or DER. Unpacked bytes are
 * counted while they are read; header sizes are never trusted.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "formats/archive_certs.h"
#include "formats/certs.h"
#include "formats/keys.h"
#include "formats/objs.h"
#include "formats/pem.h"
#include "core/hwc.h"

/* Entries (of any type) read before giving up on an archive. */
#define ARC_MAX_MEMBERS 10000

/* 1: added, 0: fatal (already raised), -1: not a certificate. */
static int add_der_cert(hwc_objs *tmp, const unsigned char *der, size_t len,
                        int trusted, const char *label)
{
    if (len == 0 || der[0] != 0x30) {
        return -1; /* not even a SEQUENCE: do not try to parse it */
    }
    return hwc_decode_cert_der(tmp, der, len, trusted, label);
}

/*
 * The certificates of one member. Members that hold no certificate (keys,
 * READMEs) are skipped; members that look like certificates but are broken
 * are noted in tmp->failed. Returns 0 only on a fatal error.
 */
static int member_certs(const unsigned char *d, size_t n, const char *name,
                        hwc_objs *tmp)
{
    hwc_pem_block *blocks = NULL;
    int nb, ok = 1;

    if (n == 0) {
        return 1;
    }
    if (!hwc_pem_has_begin(d, n)) {
        return add_der_cert(tmp, d, n, 0, name) != 0;
    }
    ERR_set_mark();
    nb = hwc_pem_split((const char *)d, n, &blocks);
    if (nb < 0) {
        const char *data = NULL;
        int flags = 0;
        char why[300];

        ERR_peek_last_error_data(&data, &flags);
        snprintf(why, sizeof(why), "invalid PEM: %s",
                 (flags & ERR_TXT_STRING) && data != NULL ? data : "?");
        ERR_pop_to_mark();
        return hwc_objs_note_failure(tmp, name, why);
    }
    ERR_clear_last_mark();
    for (int i = 0; i < nb && ok; i++) {
        const char *lab = blocks[i].label;
        int trusted = strcmp(lab, "TRUSTED CERTIFICATE") == 0, r;
        char why[128];

        if (!trusted && strcmp(lab, "CERTIFICATE") != 0 &&
            strcmp(lab, "X509 CERTIFICATE") != 0) {
            continue;
        }
        r = add_der_cert(tmp, blocks[i].der, blocks[i].der_len, trusted, name);
        if (r < 0) {
            snprintf(why, sizeof(why),
                     "PEM block %d (%s): not a valid X.509 certificate", i + 1,
                     lab);
            ok = hwc_objs_note_failure(tmp, name, why);
        } else {
            ok = r;
        }
    }
    hwc_pem_blocks_free(blocks, nb);
    return ok;
}

enum arc_kind { ARC_GZIP, ARC_ZIP, ARC_TAR, ARC_ANY };

/* A reader for kind over data, opened; NULL with an error raised. */
static struct archive *arc_open(const unsigned char *data, size_t len,
                                enum arc_kind kind)
{
    struct archive *a = archive_read_new();

    if (a == NULL) {
        hwc_raise(HWC_R_MALLOC, "archive reader");
        return NULL;
    }
    if (kind == ARC_GZIP) {
        archive_read_support_filter_gzip(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_raw(a); /* a bare gzip of one file */
    } else {
        if (kind != ARC_TAR) {
            archive_read_support_format_zip(a);
        }
        if (kind != ARC_ZIP) {
            archive_read_support_format_tar(a);
        }
    }
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        if (kind == ARC_ANY) {
            hwc_raise(HWC_R_DECODE,
                      "not a zip, tar, gzip, PEM or DER certificate file");
        } else {
            hwc_raise(HWC_R_DECODE, "archive: %s",
                      archive_error_string(a) ? archive_error_string(a)
                                              : "unreadable");
        }
        archive_read_free(a);
        return NULL;
    }
    return a;
}

/* One archive being read: the unpacked bytes are counted across members. */
struct arc_read {
    struct archive *a;
    enum arc_kind kind;
    size_t max, total;
    int *members;
    hwc_objs *tmp;
    hwc_buf member; /* the current member's bytes */
    unsigned char chunk[16384];
};

/* The next regular file's header: 1, 0 at the end, -1 with an error. */
static int next_file(struct arc_read *r, struct archive_entry **e)
{
    int rc;

    for (;;) {
        rc = archive_read_next_header(r->a, e);
        if (rc == ARCHIVE_EOF) {
            return 0;
        }
        if (rc < ARCHIVE_WARN) {
            const char *es = archive_error_string(r->a);

            if (*r->members == 0 && r->kind == ARC_ANY) {
                hwc_raise(HWC_R_DECODE,
                          "not a zip, tar, gzip, PEM or DER certificate "
                          "file");
            } else {
                hwc_raise(HWC_R_DECODE, "archive: entry %d: %s",
                          *r->members + 1, es != NULL ? es : "unreadable");
            }
            return -1;
        }
        if (++*r->members > ARC_MAX_MEMBERS) {
            hwc_raise(HWC_R_TOO_LARGE, "archive: more than %d entries",
                      ARC_MAX_MEMBERS);
            return -1;
        }
        if (archive_entry_filetype(*e) == AE_IFREG) {
            return 1;
        }
    }
}

static const char *member_name(struct archive_entry *e, int n, char *buf,
                               size_t cap)
{
    const char *name = archive_entry_pathname_utf8(e);

    if (name == NULL) {
        name = archive_entry_pathname(e);
    }
    if (name == NULL) {
        snprintf(buf, cap, "entry %d", n);
        name = buf;
    }
    return name;
}

/*
 * The current member's bytes into r->member, counted against the limit.
 * A member that alone cannot be read (an encrypted zip member) is noted
 * and left empty. 0 with an error raised when the archive cannot go on.
 */
static int read_member(struct arc_read *r, const char *name)
{
    for (;;) {
        la_ssize_t got = archive_read_data(r->a, r->chunk, sizeof(r->chunk));

        if (got == 0) {
            return 1;
        }
        if (got < 0) {
            const char *es = archive_error_string(r->a);

            if (got == ARCHIVE_FATAL) {
                hwc_raise(HWC_R_DECODE, "archive: %.200s: %s", name,
                          es != NULL ? es : "unreadable");
                return 0;
            }
            r->member.len = 0;
            return hwc_objs_note_failure(r->tmp, name,
                                         es != NULL ? es : "unreadable");
        }
        if ((size_t)got > r->max || r->total > r->max - (size_t)got) {
            hwc_raise(HWC_R_TOO_LARGE,
                      "archive: unpacked contents exceed the limit of "
                      "%zu bytes (at %.200s)",
                      r->max, name);
            return 0;
        }
        r->total += (size_t)got;
        if (!hwc_buf_append(&r->member, r->chunk, (size_t)got)) {
            hwc_raise(HWC_R_MALLOC, "archive member");
            return 0;
        }
    }
}

static int read_archive(const unsigned char *data, size_t len,
                        enum arc_kind kind, size_t max, hwc_objs *tmp,
                        int *members)
{
    struct arc_read r = {
        .kind = kind, .max = max, .members = members, .tmp = tmp};
    struct archive_entry *e;
    char namebuf[32];
    int more = -1;

    if ((r.a = arc_open(data, len, kind)) == NULL) {
        return 0;
    }
    while ((more = next_file(&r, &e)) > 0) {
        const char *name = member_name(e, *members, namebuf, sizeof(namebuf));

        r.member.len = 0;
        if (!read_member(&r, name) ||
            !member_certs(r.member.data, r.member.len, name, tmp)) {
            more = -1;
            break;
        }
    }
    hwc_buf_free(&r.member);
    archive_read_free(r.a);
    return more == 0;
}

int hwc_decode_archive_certs(const unsigned char *data, size_t len,
                             size_t max_unpacked, hwc_objs *out)
{
    hwc_objs tmp = {0};
    int members = 0, ok = 0;

    if (out == NULL) {
        hwc_raise(HWC_R_INTERNAL, "certificate file: no output list");
        return 0;
    }
    if (data == NULL || len == 0) {
        hwc_raise(HWC_R_DECODE, "certificate file: empty");
        return 0;
    }
    if (len >= 2 && data[0] == 0x1f && data[1] == 0x8b) {
        ok = read_archive(data, len, ARC_GZIP, max_unpacked, &tmp, &members);
    } else if (len >= 4 && data[0] == 'P' && data[1] == 'K' &&
               ((data[2] == 3 && data[3] == 4) ||
                (data[2] == 5 && data[3] == 6))) {
        ok = read_archive(data, len, ARC_ZIP, max_unpacked, &tmp, &members);
    } else if (len >= 262 && memcmp(data + 257, "ustar", 5) == 0) {
        ok = read_archive(data, len, ARC_TAR, max_unpacked, &tmp, &members);
    } else if (hwc_pem_has_begin(data, len) ||
               add_der_cert(&tmp, data, len, 0, NULL) > 0) {
        if (len > max_unpacked) {
            hwc_raise(HWC_R_TOO_LARGE,
                      "certificate file: %zu bytes exceed the limit of %zu",
                      len, max_unpacked);
            goto done;
        }
        if (tmp.n > 0) {
            ok = 1; /* a DER certificate */
        } else {
            ok = hwc_decode_cert_bundle((const char *)data, len, &tmp);
        }
        members = 1;
    } else {
        /* old tar without ustar magic, self-extracting zip, ... */
        ok = read_archive(data, len, ARC_ANY, max_unpacked, &tmp, &members);
    }
    if (!ok) {
        goto done;
    }
    if (tmp.n == 0) {
        hwc_raise(HWC_R_DECODE,
                  "certificate file: no certificate in %d entr%s%s%s", members,
                  members == 1 ? "y" : "ies", tmp.failed ? "; " : "",
                  tmp.failed ? tmp.failed : "");
        ok = 0;
        goto done;
    }
    ok = hwc_objs_move(out, &tmp);
done:
    hwc_objs_free(&tmp);
    return ok;
}
