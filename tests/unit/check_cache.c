/* check_cache.c: the object cache: hits, TTL, sweeping, bounds, copies,
 * independence of instances, fork (also while other threads use it). */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "resolve/cache.h"
#include "formats/objs.h"
#include "forkquiet.h"
#include "testutil.h"

static hwc_cache *cache;

static void setup(void)
{
    cache = hwc_cache_new();
    ck_assert_ptr_nonnull(cache);
}

static void teardown(void)
{
    hwc_cache_free(cache);
    cache = NULL;
}

static void one_obj(hwc_objs *l, const char *tag)
{
    ck_assert_int_eq(hwc_objs_add(l, HWC_OBJ_CERT, NULL,
                                  (const unsigned char *)tag, strlen(tag),
                                  "label"),
                     1);
}

START_TEST(hit_returns_copies)
{
    hwc_objs in = {0}, out = {0};
    hwc_cache_extra info = {"RSA_2048", "SIGN_VERIFY", ""}, got;

    one_obj(&in, "abc");
    hwc_cache_store(cache, HWC_CACHE_KMS_KEY, "k1", 60, &in, &info);
    hwc_objs_free(&in); /* the cache holds its own copy */
    ck_assert_int_eq(
        hwc_cache_lookup(cache, HWC_CACHE_KMS_KEY, "k1", 60, &out, &got), 1);
    ck_assert_uint_eq(out.n, 1);
    ck_assert_mem_eq(out.v[0].der, "abc", 3);
    ck_assert_str_eq(out.v[0].label, "label");
    ck_assert_str_eq(got.key_spec, "RSA_2048");
    ck_assert_str_eq(got.key_usage, "SIGN_VERIFY");
    hwc_objs_free(&out);
    ck_assert_int_eq(
        hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, "k2", 60, &out, NULL), 0);
    ck_assert_uint_eq(out.n, 0);
}
END_TEST

/* One key under each kind: three entries that never answer for each
 * other (a name resolved is not the objects of the URI it names). */
START_TEST(kinds_are_apart)
{
    hwc_objs in = {0}, out = {0};
    hwc_cache_extra name = {"", "", "0123"}, got = {0};

    one_obj(&in, "abc");
    hwc_cache_store(cache, HWC_CACHE_NAME, "k", 60, NULL, &name);
    ck_assert_int_eq(
        hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, "k", 60, &out, NULL), 0);
    ck_assert_int_eq(
        hwc_cache_lookup(cache, HWC_CACHE_KMS_KEY, "k", 60, &out, NULL), 0);
    hwc_cache_store(cache, HWC_CACHE_OBJECTS, "k", 60, &in, NULL);
    ck_assert_uint_eq(hwc_cache_size(cache), 2);
    ck_assert_int_eq(
        hwc_cache_lookup(cache, HWC_CACHE_NAME, "k", 60, &out, &got), 1);
    ck_assert_uint_eq(out.n, 0);
    ck_assert_str_eq(got.id, "0123");
    ck_assert_int_eq(
        hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, "k", 60, &out, NULL), 1);
    ck_assert_uint_eq(out.n, 1);
    hwc_objs_free(&out);
    hwc_objs_free(&in);
}
END_TEST

START_TEST(ttl_zero_disables)
{
    hwc_objs in = {0}, out = {0};

    one_obj(&in, "abc");
    hwc_cache_store(cache, HWC_CACHE_OBJECTS, "k", 0, &in, NULL);
    ck_assert_uint_eq(hwc_cache_size(cache), 0);
    hwc_cache_store(cache, HWC_CACHE_OBJECTS, "k", 60, &in, NULL);
    ck_assert_int_eq(
        hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, "k", 0, &out, NULL), 0);
    hwc_objs_free(&in);
}
END_TEST

START_TEST(expires)
{
    hwc_objs in = {0}, out = {0};

    one_obj(&in, "abc");
    hwc_cache_store(cache, HWC_CACHE_OBJECTS, "k", 1, &in, NULL);
    sleep(2);
    ck_assert_int_eq(
        hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, "k", 1, &out, NULL), 0);
    ck_assert_uint_eq(hwc_cache_size(cache), 0);
    hwc_objs_free(&in);
}
END_TEST

START_TEST(bounded)
{
    hwc_objs in = {0}, out = {0};
    char key[32];

    one_obj(&in, "abc");
    for (int i = 0; i < HWC_CACHE_MAX_ENTRIES + 50; i++) {
        snprintf(key, sizeof(key), "key-%d", i);
        hwc_cache_store(cache, HWC_CACHE_OBJECTS, key, 60, &in, NULL);
    }
    ck_assert_uint_eq(hwc_cache_size(cache), HWC_CACHE_MAX_ENTRIES);
    snprintf(key, sizeof(key), "key-%d", HWC_CACHE_MAX_ENTRIES + 49);
    ck_assert_int_eq(
        hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, key, 60, &out, NULL), 1);
    hwc_objs_free(&out);
    hwc_objs_free(&in);
}
END_TEST

START_TEST(replaces_same_key)
{
    hwc_objs a = {0}, b = {0}, out = {0};

    one_obj(&a, "old");
    one_obj(&b, "new");
    hwc_cache_store(cache, HWC_CACHE_OBJECTS, "k", 60, &a, NULL);
    hwc_cache_store(cache, HWC_CACHE_OBJECTS, "k", 60, &b, NULL);
    ck_assert_uint_eq(hwc_cache_size(cache), 1);
    ck_assert_int_eq(
        hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, "k", 60, &out, NULL), 1);
    ck_assert_mem_eq(out.v[0].der, "new", 3);
    hwc_objs_free(&a);
    hwc_objs_free(&b);
    hwc_objs_free(&out);
}
END_TEST

START_TEST(inherited_by_child)
{
    hwc_objs in = {0};
    pid_t pid;
    int status;

    one_obj(&in, "abc");
    hwc_cache_store(cache, HWC_CACHE_OBJECTS, "k", 60, &in, NULL);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        hwc_objs out = {0};
        _exit(hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, "k", 60, &out, NULL) ==
                      1
                  ? 0
                  : 1);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    hwc_objs_free(&in);
}
END_TEST

/* Expired entries go on any access, not only when their own key is asked
 * for: a full cache of expired entries makes room without evicting. */
START_TEST(expired_swept_on_access)
{
    hwc_objs in = {0}, out = {0};
    char key[32];

    one_obj(&in, "abc");
    hwc_cache_store(cache, HWC_CACHE_OBJECTS, "keep", 60, &in, NULL);
    for (int i = 1; i < HWC_CACHE_MAX_ENTRIES; i++) {
        snprintf(key, sizeof(key), "short-%d", i);
        hwc_cache_store(cache, HWC_CACHE_OBJECTS, key, 1, &in, NULL);
    }
    sleep(2);
    hwc_cache_store(cache, HWC_CACHE_OBJECTS, "new", 60, &in, NULL);
    ck_assert_int_eq(
        hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, "keep", 60, &out, NULL), 1);
    ck_assert_uint_eq(hwc_cache_size(cache), 2);
    hwc_objs_free(&out);
    hwc_objs_free(&in);
}
END_TEST

START_TEST(instances_independent)
{
    hwc_cache *other = hwc_cache_new();
    hwc_objs in = {0}, out = {0};

    one_obj(&in, "abc");
    hwc_cache_store(other, HWC_CACHE_OBJECTS, "k", 60, &in, NULL);
    ck_assert_int_eq(
        hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, "k", 60, &out, NULL), 0);
    hwc_cache_store(cache, HWC_CACHE_OBJECTS, "k", 60, &in, NULL);
    hwc_cache_free(other);
    ck_assert_int_eq(
        hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, "k", 60, &out, NULL), 1);
    hwc_objs_free(&out);
    hwc_objs_free(&in);
}
END_TEST

static volatile int churn_stop;

/* Stores and looks up without pause, so that a fork often lands while
 * this thread is half-way through changing the entries. */
static void *churn(void *arg)
{
    hwc_objs in = {0}, out = {0};
    char key[32];
    unsigned n = 0;

    one_obj(&in, (const char *)arg);
    while (!churn_stop) {
        fq_work_begin();
        snprintf(key, sizeof(key), "%s-%u", (const char *)arg, n++ % 700);
        hwc_cache_store(cache, HWC_CACHE_OBJECTS, key, 60, &in, NULL);
        hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, key, 60, &out, NULL);
        hwc_objs_free(&out);
        fq_work_end();
        if (n == 1) {
            fq_ready_one();
        }
    }
    hwc_objs_free(&in);
    return NULL;
}

/* Children forked while other threads use the cache find it whole: every
 * entry readable, new entries storable, all of it freeable exactly once,
 * no lock left held. (Under AddressSanitizer the threads pause for each
 * fork: forkquiet.h says why.) */
START_TEST(fork_while_threads_use_it)
{
    static const char *tags[] = {"a", "b", "c"};
    pthread_t th[3];
    int bad = 0;

    churn_stop = 0;
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(pthread_create(&th[i], NULL, churn, (void *)tags[i]),
                         0);
    }
    fq_wait_ready(3);
    for (int i = 0; i < 500 && !bad; i++) {
        int status;
        pid_t pid = fq_fork();

        ck_assert_int_ge(pid, 0);
        if (pid == 0) {
            hwc_objs in = {0}, out = {0};
            alarm(10); /* a lock left held would hang the child */
            one_obj(&in, "child");
            hwc_cache_store(cache, HWC_CACHE_OBJECTS, "child", 60, &in, NULL);
            for (int k = 0; k < 50; k++) {
                char key[32];
                snprintf(key, sizeof(key), "a-%d", k);
                hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, key, 60, &out, NULL);
            }
            int ok = hwc_cache_lookup(cache, HWC_CACHE_OBJECTS, "child", 60,
                                      &out, NULL) == 1 &&
                     hwc_cache_size(cache) > 0;
            hwc_objs_free(&out);
            hwc_objs_free(&in);
            hwc_cache_flush(cache); /* as teardown at exit would */
            _exit(ok ? 0 : 1);
        }
        ck_assert_int_eq(waitpid(pid, &status, 0), pid);
        bad = !WIFEXITED(status) || WEXITSTATUS(status) != 0;
    }
    churn_stop = 1;
    for (int i = 0; i < 3; i++) {
        pthread_join(th[i], NULL);
    }
    ck_assert_msg(!bad, "a child forked under load crashed or failed");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("cache");
    TCase *tc = tcase_create("cache");

    tcase_add_test(tc, hit_returns_copies);
    tcase_add_test(tc, kinds_are_apart);
    tcase_add_test(tc, ttl_zero_disables);
    tcase_add_test(tc, expires);
    tcase_add_test(tc, bounded);
    tcase_add_test(tc, replaces_same_key);
    tcase_add_test(tc, inherited_by_child);
    tcase_add_test(tc, expired_swept_on_access);
    tcase_add_test(tc, instances_independent);
    tcase_add_checked_fixture(tc, setup, teardown);
    suite_add_tcase(s, tc);
    /* Hundreds of forks under spinning threads: too slow for memcheck. */
    tc = tcase_create("fork-under-load");
    tcase_set_tags(tc, "slow");
    tcase_add_test(tc, fork_while_threads_use_it);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
