/*
 * forkquiet.h: for tests that fork while other threads work. Under
 * AddressSanitizer the workers pause for the fork: ASan's allocator (GCC
 * 12's libasan, like LLVM's before release 18) has no fork handlers, so a
 * child forked while another thread is inside malloc hangs at its own
 * first malloc, whatever the program under test does. Everywhere else
 * (plain builds; ThreadSanitizer, which locks its own state around a fork)
 * the forks land anywhere in the workers' operations.
 *
 * A worker brackets each unit of work with fq_work_begin/fq_work_end and
 * calls fq_ready_one after its first; the thread that forks waits for them
 * with fq_wait_ready, then calls fq_fork instead of fork.
 */
#ifndef HWC_FORKQUIET_H
#define HWC_FORKQUIET_H

#include <pthread.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#define FQ_ON 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FQ_ON 1
#endif
#endif
#ifndef FQ_ON
#define FQ_ON 0
#endif

static pthread_mutex_t fq_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t fq_cond = PTHREAD_COND_INITIALIZER;
static int fq_forking, fq_busy, fq_ready;

static inline void fq_work_begin(void)
{
    if (FQ_ON) {
        pthread_mutex_lock(&fq_mutex);
        while (fq_forking) {
            pthread_cond_wait(&fq_cond, &fq_mutex);
        }
        fq_busy++;
        pthread_mutex_unlock(&fq_mutex);
    }
}

static inline void fq_work_end(void)
{
    if (FQ_ON) {
        pthread_mutex_lock(&fq_mutex);
        if (--fq_busy == 0) {
            pthread_cond_broadcast(&fq_cond);
        }
        pthread_mutex_unlock(&fq_mutex);
    }
}

/* A worker says it has started (once, after its first unit of work). */
static inline void fq_ready_one(void)
{
    pthread_mutex_lock(&fq_mutex);
    fq_ready++;
    pthread_cond_broadcast(&fq_cond);
    pthread_mutex_unlock(&fq_mutex);
}

/* Waits until n workers have started: a thread still starting is outside
 * any unit of work, yet inside the sanitizer's thread set-up, whose locks
 * a fork would leave held. */
static inline void fq_wait_ready(int n)
{
    pthread_mutex_lock(&fq_mutex);
    while (fq_ready < n) {
        pthread_cond_wait(&fq_cond, &fq_mutex);
    }
    pthread_mutex_unlock(&fq_mutex);
}

/* fork(), once no worker is inside a unit of work (under ASan only). */
static inline pid_t fq_fork(void)
{
    pid_t pid;

    if (!FQ_ON) {
        return fork();
    }
    pthread_mutex_lock(&fq_mutex);
    fq_forking = 1;
    while (fq_busy > 0) {
        pthread_cond_wait(&fq_cond, &fq_mutex);
    }
    pthread_mutex_unlock(&fq_mutex);
    pid = fork();
    if (pid != 0) {
        pthread_mutex_lock(&fq_mutex);
        fq_forking = 0;
        pthread_cond_broadcast(&fq_cond);
        pthread_mutex_unlock(&fq_mutex);
    }
    return pid;
}

#endif /* HWC_FORKQUIET_H */
