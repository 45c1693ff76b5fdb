/* check_fork.c: forklocks (fork.c): a fork waits for a critical section
 * in another thread to end, the child finds the data whole and the lock
 * free, and child callbacks run in the child only. */
#include <check.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/hwc.h"
#include "testutil.h"

static hwc_forklock lock;
static volatile int half_a, half_b; /* written under lock, equal outside */
static volatile int entered;
static int child_calls;

static void on_child(void *arg)
{
    (*(int *)arg)++;
}

/* A critical section long enough for the main thread to fork inside it. */
static void *slow_writer(void *arg)
{
    (void)arg;
    hwc_forklock_lock(&lock);
    half_a = 1;
    entered = 1;
    usleep(200 * 1000);
    half_b = 1;
    hwc_forklock_unlock(&lock);
    return NULL;
}

START_TEST(fork_waits_for_critical_section)
{
    pthread_t th;
    pid_t pid;
    int status;

    hwc_forklock_init(&lock, on_child, &child_calls);
    half_a = half_b = entered = 0;
    child_calls = 0;
    ck_assert_int_eq(pthread_create(&th, NULL, slow_writer, NULL), 0);
    while (!entered) {
        usleep(1000);
    }
    pid = fork(); /* the writer is half-way: a=1, b=0 */
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        alarm(5); /* a lock left held hangs the child */
        hwc_forklock_lock(&lock);
        int whole = half_a == half_b;
        hwc_forklock_unlock(&lock);
        _exit(whole && child_calls == 1 ? 0 : 1);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the child saw a half-written state or a held lock");
    pthread_join(th, NULL);
    ck_assert_int_eq(child_calls, 0); /* the callback is the child's */
    hwc_forklock_lock(&lock);         /* and the parent's lock is free */
    hwc_forklock_unlock(&lock);
    hwc_forklock_destroy(&lock);
}
END_TEST

/* A destroyed forklock is no longer taken at fork (it may be freed). */
START_TEST(destroyed_lock_is_forgotten)
{
    hwc_forklock *l = malloc(sizeof(*l));
    pid_t pid;
    int status;

    hwc_forklock_init(l, NULL, NULL);
    hwc_forklock_destroy(l);
    free(l);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        _exit(0);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("fork");
    TCase *tc = tcase_create("fork");

    tcase_add_test(tc, fork_waits_for_critical_section);
    tcase_add_test(tc, destroyed_lock_is_forgotten);
    suite_add_tcase(s, tc);
    return tu_run(s);
}
