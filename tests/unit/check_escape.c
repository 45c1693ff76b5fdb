/*
 * check_escape.c: what messages and log lines make of text they echo
 * (hwc_escape): control characters, invalid UTF-8, C1 and bidi controls
 * escaped, everything printable kept; cut between characters; and that
 * hwc_raise and hwc_debug pass every message through it.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>

#include "core/hwc.h"
#include "testutil.h"

static const char *esc(const char *in, size_t len)
{
    static char out[256];

    hwc_escape(out, sizeof(out), in, len);
    return out;
}
#define ESC(lit) esc(lit, sizeof(lit) - 1)

START_TEST(test_printable_kept)
{
    ck_assert_str_eq(ESC("kms:key/0d0466b0 (HTTP 404 KMS.0207) \\x41"),
                     "kms:key/0d0466b0 (HTTP 404 KMS.0207) \\x41");
    /* UTF-8 of printable characters: names may be in any language. */
    ck_assert_str_eq(
        ESC("z\xc3\xa9rtifikat \xe8\xaf\x81\xe4\xb9\xa6 \xf0\x9f\x94\x91"),
        "z\xc3\xa9rtifikat \xe8\xaf\x81\xe4\xb9\xa6 \xf0\x9f\x94\x91");
}
END_TEST

START_TEST(test_controls_escaped)
{
    /* A forged log line, a terminal escape, a bell, DEL, a NUL. */
    ck_assert_str_eq(ESC("a\nhwcloud[1] forged\r\tb"),
                     "a\\nhwcloud[1] forged\\r\\tb");
    ck_assert_str_eq(ESC("\x1b[31mred\x07\x7f"), "\\x1B[31mred\\x07\\x7F");
    ck_assert_str_eq(esc("a\0b", 3), "a\\x00b");
}
END_TEST

START_TEST(test_utf8_checked)
{
    /* Invalid: a lone continuation byte, an overlong '/', a surrogate,
     * a truncated sequence, beyond U+10FFFF. */
    ck_assert_str_eq(ESC("\x80"), "\\x80");
    ck_assert_str_eq(ESC("\xc0\xaf"), "\\xC0\\xAF");
    ck_assert_str_eq(ESC("\xed\xa0\x80"), "\\xED\\xA0\\x80");
    ck_assert_str_eq(ESC("\xe2\x82"), "\\xE2\\x82");
    ck_assert_str_eq(ESC("\xf4\x90\x80\x80"), "\\xF4\\x90\\x80\\x80");
    /* C1 CSI, right-to-left override, line separator, BOM. */
    ck_assert_str_eq(ESC("\xc2\x9b"
                         "2J"),
                     "\\u009B2J");
    ck_assert_str_eq(ESC("abc\xe2\x80\xaetxt.exe"), "abc\\u202Etxt.exe");
    ck_assert_str_eq(ESC("\xe2\x80\xa8\xef\xbb\xbf"), "\\u2028\\uFEFF");
}
END_TEST

START_TEST(test_cut_between_characters)
{
    char out[8];

    ck_assert_uint_eq(hwc_escape(out, sizeof(out), "abcdefghij", 10), 7);
    ck_assert_str_eq(out, "abcdefg");
    /* "abcd" + "\x1B" does not fit in 7: the escape is left out whole. */
    ck_assert_uint_eq(hwc_escape(out, sizeof(out), "abcd\x1b", 5), 4);
    ck_assert_str_eq(out, "abcd");
    /* Nor is a UTF-8 character split. */
    ck_assert_uint_eq(hwc_escape(out, sizeof(out), "abcde\xe2\x82\xac", 8), 5);
    ck_assert_str_eq(out, "abcde");
    ck_assert_uint_eq(hwc_escape(out, 1, "abc", 3), 0);
    ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(test_idempotent)
{
    const char in[] = "a\n\x1b\xff\xc2\x9b\xe2\x80\xae\\x41 ok";
    char once[256], twice[256];

    hwc_escape(once, sizeof(once), in, sizeof(in) - 1);
    hwc_escape(twice, sizeof(twice), once, strlen(once));
    ck_assert_str_eq(once, twice);
}
END_TEST

/* The one path into the error queue escapes what it is given. */
START_TEST(test_raise_escapes)
{
    const char *data = NULL;
    int flags = 0;
    char alias[] = "prod\n40E7:error:forged\x1b[2J";

    ERR_clear_error();
    hwc_raise(HWC_R_DECODE, "alias %s: broken", alias);
    ck_assert_uint_ne(ERR_peek_last_error_data(&data, &flags), 0);
    ck_assert_ptr_nonnull(data);
    ck_assert_str_eq(data, "alias prod\\n40E7:error:forged\\x1B[2J: broken");
    ERR_clear_error();
}
END_TEST

/* A message longer than libcrypto keeps is cut, not dropped. */
START_TEST(test_raise_long_message_kept)
{
    const char *data = NULL;
    int flags = 0;
    char *big = malloc(5000);

    memset(big, 'x', 4999);
    big[4999] = '\0';
    ERR_clear_error();
    hwc_raise(HWC_R_DECODE, "start %s", big);
    ERR_peek_last_error_data(&data, &flags);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(strncmp(data, "start xxx", 9), 0);
    ck_assert_uint_eq(strlen(data), HWC_MSG_MAX - 1);
    ERR_clear_error();
    free(big);
}
END_TEST

/* The debug log too: one message, one line. */
START_TEST(test_debug_one_line)
{
    char path[] = "/tmp/check_escape.XXXXXX";
    int fd = mkstemp(path), saved = dup(2);
    unsigned char *log;
    size_t len;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_ge(dup2(fd, 2), 0);
    hwc_debug_enable(1);
    hwc_debug("request id %s", "abc\nhwcloud[0] forged line\x1b[0m");
    hwc_debug_enable(0);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    log = tu_read_file(path, &len);
    unlink(path);
    ck_assert_ptr_nonnull(log);
    ck_assert_ptr_nonnull(strstr(
        (char *)log, "request id abc\\nhwcloud[0] forged line\\x1B[0m\n"));
    ck_assert_ptr_null(memchr(log, '\x1b', len));
    ck_assert_ptr_eq(memchr(log, '\n', len), log + len - 1);
    free(log);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("escape");
    TCase *tc = tcase_create("escape");

    tcase_add_test(tc, test_printable_kept);
    tcase_add_test(tc, test_controls_escaped);
    tcase_add_test(tc, test_utf8_checked);
    tcase_add_test(tc, test_cut_between_characters);
    tcase_add_test(tc, test_idempotent);
    tcase_add_test(tc, test_raise_escapes);
    tcase_add_test(tc, test_raise_long_message_kept);
    tcase_add_test(tc, test_debug_one_line);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
