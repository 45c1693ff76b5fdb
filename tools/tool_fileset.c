/*
 * tool_fileset.c: atomic file writes: tool_write_atomic for one file,
 * tool_fileset_replace for a set replaced together (a certificate, its
 * chain and the key file naming its key), so that a server reloading at
 * any moment, or after a failure, finds either the old set or the new
 * one. rename() is atomic per file only: every new file is complete on
 * disk before the first rename, and a failed rename undoes the earlier
 * ones from hard links to the old files.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "core/hwc.h"
#include "tool.h"
#include "tool_sync.h"

int tool_write_all(int fd, const unsigned char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);

        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return 0;
        }
        p += n;
        len -= (size_t)n;
    }
    return 1;
}

/* ".<base>.hwc-XXXXXX" beside path: hidden from include globs. */
static char *temp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dlen = slash != NULL ? (size_t)(slash - path) + 1 : 0;
    size_t n = strlen(path) + 16;
    char *t = OPENSSL_malloc(n);

    if (t != NULL) {
        snprintf(t, n, "%.*s.%s.hwc-XXXXXX", (int)dlen, path, path + dlen);
    }
    return t;
}

static int fail_errno(const char *what, const char *path)
{
    hwc_raise(HWC_R_INTERNAL, "%s: %s: %s", path, what, strerror(errno));
    return 0;
}

/* The new content, complete and durable under a temporary name. */
static int write_temp(tool_file *f)
{
    int fd, ok;

    if ((f->tmp = temp_name(f->path)) == NULL) {
        hwc_raise(HWC_R_MALLOC, "%s", f->path);
        return 0;
    }
    if ((fd = mkstemp(f->tmp)) < 0) {
        fail_errno("cannot create a file in its directory", f->path);
        OPENSSL_free(f->tmp);
        f->tmp = NULL;
        return 0;
    }
    ok = (f->uid == (uid_t)-1 && f->gid == (gid_t)-1) ||
         fchown(fd, f->uid, f->gid) == 0 ||
         fail_errno("cannot set the owner", f->path);
    ok = ok && (fchmod(fd, f->mode) == 0 ||
                fail_errno("cannot set the mode", f->path));
    ok = ok && ((tool_write_all(fd, f->data, f->len) && fsync(fd) == 0) ||
                fail_errno("cannot write", f->path));
    if (close(fd) != 0 && ok) {
        ok = fail_errno("cannot write", f->path);
    }
    return ok;
}

/* A hard link to the file about to be replaced, if there is one. */
static int keep_old(tool_file *f)
{
    size_t n = strlen(f->tmp) + 5;

    if ((f->old = OPENSSL_malloc(n)) == NULL) {
        hwc_raise(HWC_R_MALLOC, "%s", f->path);
        return 0;
    }
    snprintf(f->old, n, "%s.old", f->tmp);
    if (link(f->path, f->old) == 0) {
        return 1;
    }
    OPENSSL_free(f->old);
    f->old = NULL;
    return errno == ENOENT || fail_errno("cannot keep the old file", f->path);
}

/* Puts back what was there before (or nothing, if nothing was). */
static void undo(tool_file *f)
{
    if (f->old != NULL) {
        if (rename(f->old, f->path) == 0) {
            OPENSSL_free(f->old);
            f->old = NULL;
        }
    } else {
        unlink(f->path);
    }
    f->done = 0;
}

void tool_sync_dir(const char *path)
{
    char *copy = OPENSSL_strdup(path);
    int fd = copy != NULL ? open(dirname(copy), O_RDONLY | O_DIRECTORY) : -1;

    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
    OPENSSL_free(copy);
}

static void cleanup(tool_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tool_file *f = &files[i];

        if (f->tmp != NULL && !f->done) {
            unlink(f->tmp);
        }
        if (f->old != NULL) {
            unlink(f->old);
        }
        OPENSSL_free(f->tmp);
        OPENSSL_free(f->old);
        f->tmp = f->old = NULL;
    }
}

static int rename_all(tool_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (rename(files[i].tmp, files[i].path) != 0) {
            fail_errno("cannot replace", files[i].path);
            while (i-- > 0) {
                undo(&files[i]);
            }
            return 0;
        }
        files[i].done = 1;
    }
    return 1;
}

int tool_fileset_replace(tool_file *files, size_t n)
{
    int ok = 1;

    for (size_t i = 0; i < n; i++) {
        files[i].tmp = files[i].old = NULL;
        files[i].done = 0;
    }
    for (size_t i = 0; ok && i < n; i++) {
        ok = write_temp(&files[i]);
    }
    for (size_t i = 0; ok && i < n; i++) {
        ok = keep_old(&files[i]);
    }
    ok = ok && rename_all(files, n);
    for (size_t i = 0; i < n; i++) {
        if (files[i].tmp != NULL) {
            tool_sync_dir(files[i].path);
        }
    }
    cleanup(files, n);
    return ok;
}

/* One file, without the set's hard link to the old one (see tool.h). */
int tool_write_atomic(const char *path, const void *data, size_t len)
{
    size_t n = strlen(path) + 8;
    char *tmp = OPENSSL_malloc(n);
    int fd = -1, ok = 0;

    if (strcmp(path, "-") == 0) {
        OPENSSL_free(tmp);
        return fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0;
    }
    if (tmp == NULL) {
        return 0;
    }
    snprintf(tmp, n, "%s.XXXXXX", path);
    /* Readers see the old file or the new one, never half of one. */
    ok = (fd = mkstemp(tmp)) >= 0 && fchmod(fd, 0644) == 0 &&
         tool_write_all(fd, data, len) && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0) {
        ok = 0;
    }
    ok = ok && rename(tmp, path) == 0;
    if (!ok) {
        hwc_raise(HWC_R_INTERNAL, "%s: %s", path, strerror(errno));
        if (fd >= 0) {
            unlink(tmp);
        }
    } else {
        tool_sync_dir(path);
    }
    OPENSSL_free(tmp);
    return ok;
}
